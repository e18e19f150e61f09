"""What staff do to cases as a whole: merge duplicates into the case that goes on, and move a
case into another kind (a letter that is really a fault report). Each is one operation of the
room: the kinds involved say only their words, statuses and how they take a case in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update

from iok_saas.auth.models import User
from iok_saas.cases.kinds import KINDS, kind_of
from iok_saas.cases.models import MERGED_IN, MERGED_INTO, MOVED, Case
from iok_saas.cases.services import add_event, close, follow, record, set_status, tell
from iok_saas.db import db, utcnow


def merge(target: Case, duplicates: list[Case], actor: User) -> int:
    """Merge duplicates into ``target``: their followers follow it and are told, cases merged
    into a duplicate move on with it (no commit). How many were merged."""
    kind = kind_of(target)
    if target.status == kind.merged:
        raise kind.refuse("merge_merged")
    merged = 0
    for duplicate in duplicates:
        if duplicate.id == target.id or duplicate.kind != target.kind or \
                duplicate.status == kind.merged:
            continue
        nested = list(db.session.scalars(select(Case.filed_by_id).where(
            Case.merged_into_id == duplicate.id)))
        db.session.execute(update(Case).where(Case.merged_into_id == duplicate.id)
                           .values(merged_into_id=target.id)
                           .execution_options(synchronize_session="fetch"))
        set_status(duplicate, kind.merged)
        duplicate.merged_into_id = target.id
        add_event(duplicate, MERGED_INTO, author=actor, body=target.registry_number,
                  staff=True, status=kind.merged)
        add_event(target, MERGED_IN, author=actor, body=duplicate.registry_number, staff=True)
        record(kind, "merged", actor, duplicate, into=target.registry_number)
        filer = db.session.get(User, duplicate.filed_by_id)
        follow(target, [duplicate.filed_by_id, *nested])
        if filer is not None:
            tell(target, "merged", [filer], duplicate=duplicate.registry_number)
        merged += 1
    if not merged:
        raise kind.refuse("merge_none")
    target.updated_at = utcnow()
    return merged


def merge_candidates(case: Case) -> list[Case]:
    """Other open cases of its kind in the same building, newest first: likely duplicates."""
    model = type(case)
    return list(db.session.scalars(
        select(model).where(model.building_id == case.building_id, model.id != case.id,
                            model.status.in_(kind_of(case).open))
        .order_by(model.created_at.desc()).limit(50)))


def move(source: Case, actor: User, into: str, answers: Mapping[str, str], rules: Any) -> Case:
    """Make a case of kind ``into`` from ``source`` in its filer's name (they get its
    confirmation e-mail) and close ``source`` with the new case's number (no commit)."""
    kind, target = kind_of(source), KINDS[into]
    if source.status not in kind.open:
        raise kind.refuse("move_closed")
    filer = db.session.get(User, source.filed_by_id)
    if filer is None:
        raise kind.refuse("move_no_filer")
    made = target.intake(source, filer, answers, rules)
    source.moved_to_id = made.id
    reason = str(target.moved_reason % {"number": made.registry_number})
    close(source, actor, reason, event=MOVED, body=made.registry_number, action="moved",
          into=made.registry_number)
    return made
