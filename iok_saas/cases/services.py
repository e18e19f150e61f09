"""The cases room's services: filing a case, its history, the filer's comments, the staff's
one-step actions, statuses, followers and their e-mails, the audit entries, the queue.

What differs between kinds is read from the case's ``CaseKind`` (``iok_saas.cases.kinds``).
Every function works in the current cooperative's context (the tenant filter and row-level
security apply) and leaves the commit to its caller, so a case, its number, its history, its
files and its e-mails are saved together or not at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import aliased, joinedload

from iok_saas import registers
from iok_saas.audit import services as audit
from iok_saas.auth.models import RESIDENT, User
from iok_saas.cases import queue as queues
from iok_saas.cases.files import attach, check_uploads, file_count
from iok_saas.cases.kinds import CaseKind, Upload, kind_of
from iok_saas.cases.models import (
    ASSIGNED,
    CLOSE,
    COMMENT,
    CREATED,
    NOTE,
    PLANNED,
    REPLY,
    STATUS,
    Case,
    CaseEvent,
    CaseFollower,
)
from iok_saas.db import db, utcnow
from iok_saas.db.rowsets import ordered, together
from iok_saas.estate.models import Building, Unit
from iok_saas.mail.outbox import queue_message
from iok_saas.tenancy.context import require_tenant_id
from iok_saas.tenancy.info import get_tenant_info
from iok_saas.web.formatting import WARSAW, day

C = TypeVar("C", bound=Case)
REASON_MAX = 300


def new_submission() -> str:
    """A fresh key for one filled-in form (a second send of the same form makes no second
    case)."""
    return str(uuid.uuid4())


def earlier(model: type[C], user_id: int, submission: str) -> C | None:
    """The case this form made when it was sent before (a double click, a resend)."""
    return db.session.scalar(select(model).where(model.filed_by_id == user_id,
                                                 model.submission == submission))


def _places(model: type[C]) -> Any:
    """Loaded with a case: its unit with the unit's building, its building (for addresses)."""
    return (joinedload(model.unit).joinedload(Unit.building), joinedload(model.building))


# --- filing and reading -------------------------------------------------------------------------


def file_case(case: Case, filer: User, *, body: str = "", checked: Sequence[Any] = ()) -> Case:
    """Number a new case in its kind's register and save it with its first event, its files,
    its filer as follower and the filer's confirmation e-mail (no commit)."""
    kind = kind_of(case)
    now = utcnow()
    case.register, case.year = kind.register, now.astimezone(WARSAW).year
    case.number = registers.next_number(kind.register, case.year)
    case.filed_by_id, case.status_at = filer.id, now
    case.status = case.status or next(iter(kind.statuses))
    db.session.add(case)
    db.session.flush()
    event = add_event(case, CREATED, author=filer, body=body, status=case.status)
    attach(case, event, checked)
    follow(case, [filer.id])
    tell(case, "received", [filer])
    return case


def filed_by(model: type[C], user_id: int) -> list[C]:
    """The resident's own cases of a kind, open first, newest first within each group."""
    kind = kind_of(model)
    return list(db.session.scalars(
        select(model).where(model.filed_by_id == user_id).options(*_places(model))
        .order_by(model.status.in_(kind.open).desc(), model.created_at.desc(),
                  model.id.desc())))


def filed_rows(model: type[Case], user_id: Any, statuses: Sequence[str], *shown: Any) -> Select:
    """The resident's own cases of a kind in these statuses, newest first, as a list shows
    them: the id, the parts of the number and the ``shown`` columns (a part of
    ``rowsets.together``; ``as_lines`` makes them lines)."""
    return ordered(select(model.id, model.register, model.year, model.number, *shown)
                   .where(model.filed_by_id == user_id, model.status.in_(statuses)),
                   model.created_at.desc(), model.id.desc())


def as_lines(rows: list) -> list[SimpleNamespace]:
    """``filed_rows``' rows with each case's ``registry_number``."""
    return [SimpleNamespace(**row._asdict(), registry_number=registers.label(
        row.register, row.year, row.number)) for row in rows]


def followed(model: type[C], user_id: int, case_id: int) -> C | None:
    """A case of this kind the resident follows (their own, or one theirs was merged into);
    None for any other (a 404)."""
    return db.session.scalar(
        select(model).where(model.id == case_id, model.id.in_(
            select(CaseFollower.case_id).where(CaseFollower.user_id == user_id)))
        .options(*_places(model)))


def renumbered(model: type[Case], legacy_id: int) -> int | None:
    """The current id of a case known by its address before revision 0026 (old e-mails)."""
    return db.session.scalar(select(model.id).where(model.legacy_id == legacy_id))


def staff_case(model: type[C], case_id: int) -> C | None:
    """Any case of this kind in the cooperative (None: a 404)."""
    return db.session.scalar(select(model).where(model.id == case_id)
                             .options(*_places(model)))


def linked(cases: Iterable[Case]) -> dict[int, Case]:
    """The cases these were merged into or moved to, by id (one query)."""
    ids = {i for c in cases for i in (c.merged_into_id, c.moved_to_id) if i}
    if not ids:
        return {}
    return {c.id: c for c in db.session.scalars(select(Case).where(Case.id.in_(ids)))}


def merged_into(case: Case, user_id: int | None = None) -> list[Case]:
    """The cases merged into ``case`` (only ``user_id``'s own, when given), oldest first."""
    stmt = select(Case).where(Case.merged_into_id == case.id)
    if user_id is not None:
        stmt = stmt.where(Case.filed_by_id == user_id)
    return list(db.session.scalars(stmt.options(*_places(Case)).order_by(Case.id)))


def history(case: Case, *, viewer_id: int | None = None) -> list[CaseEvent]:
    """The case's events, oldest first, with those of the cases merged into it. For staff (no
    ``viewer_id``) all of them; for a resident the public ones by staff and those of their own
    case(s) — never another resident's comments or files, nor staff's internal notes."""
    merged = dict(db.session.execute(select(Case.id, Case.filed_by_id).where(
        Case.merged_into_id == case.id)).all())
    owners = {case.id: case.filed_by_id, **merged}
    events = list(db.session.scalars(select(CaseEvent).where(CaseEvent.case_id.in_(owners))
                                     .order_by(CaseEvent.at, CaseEvent.id)))
    if viewer_id is None:
        return events
    return [e for e in events if e.public and (e.by_staff or owners[e.case_id] == viewer_id)]


def comment(case: Case, user: User, text: str, uploads: Sequence[Upload], rules: Any
            ) -> CaseEvent:
    """The filer writes again in their open case, with files (no commit); a case waiting for
    them goes back to the office where the kind says so."""
    kind = kind_of(case)
    if case.filed_by_id != user.id:
        raise kind.refuse("not_own")
    if case.status not in kind.open:
        raise kind.refuse("closed")
    text = text.strip()
    if not text and not uploads:
        raise kind.refuse("empty")
    _check_length(kind, ((text, "text", kind.text_max),))
    checked = check_uploads(kind, uploads, rules, file_count(case))
    event = add_event(case, COMMENT, author=user, body=text)
    attach(case, event, checked)
    if case.status in kind.comment_moves:
        set_status(case, kind.comment_moves[case.status])
        event.status = case.status
    case.updated_at = utcnow()
    return event


# --- staff --------------------------------------------------------------------------------------


def queue(model: type[C], filters: queues.Filters) -> Select:
    """The cases of a kind staff look at, oldest first (merged duplicates only with "all"),
    sent with ``queues.filter_values``."""
    return queues.filtered(select(model).options(*_places(model)), filters,
                           model, kind_of(model).open).order_by(model.created_at, model.id)


def queue_page(model: type[Case], filters: queues.Filters, me: User, page: int,
               size: int) -> dict[str, list]:
    """One page of a kind's staff queue as the page shows it, with how many cases the filters
    find and what the filters offer (the buildings, the staff): one statement, built once per
    kind and shape of the filters."""
    values = queues.filter_values(filters, me)
    return together(lambda: _queue_parts(model, filters),
                    key=("cases.queue", model.__name__, *queues.filter_shape(filters)),
                    skip=(page - 1) * size, size=size, **values)


def _queue_parts(model: type[Case], filters: queues.Filters) -> dict[str, Select]:
    kind = kind_of(model)
    found = queues.filtered(select(model.id).select_from(model), filters, model, kind.open)
    unit, unit_building, building = aliased(Unit), aliased(Building), aliased(Building)
    filer, assignee = aliased(User), aliased(User)
    chosen = found.order_by(model.created_at, model.id).offset(bindparam("skip")).limit(
        bindparam("size")).cte("queue_page")
    return {
        "buildings": ordered(select(Building.id, Building.street, Building.number),
                             Building.street, Building.number),
        "staff": ordered(select(User.id, User.first_name, User.last_name, User.identifier)
                         .where(User.role != RESIDENT, User.active),
                         User.last_name, User.first_name),
        "count": select(func.count().label("count")).select_from(found.subquery()),
        "items": ordered(
            select(model.id, model.register, model.year, model.number, model.created_at,
                   model.status, model.category, model.subject,
                   model.__table__.c.place, model.planned_on,
                   model.filed_by_id, model.assigned_to_id,
                   unit.number.label("unit_number"), unit_building.street.label("unit_street"),
                   unit_building.number.label("unit_building_number"),
                   unit_building.postal_code.label("unit_postal_code"),
                   unit_building.city.label("unit_city"),
                   building.street.label("building_street"),
                   building.number.label("building_number"),
                   filer.first_name.label("filer_first_name"),
                   filer.last_name.label("filer_last_name"),
                   filer.identifier.label("filer_identifier"),
                   assignee.first_name.label("assignee_first_name"),
                   assignee.last_name.label("assignee_last_name"),
                   assignee.identifier.label("assignee_identifier"))
            .select_from(chosen).join(model, model.id == chosen.c.id)
            .outerjoin(unit, unit.id == model.unit_id)
            .outerjoin(unit_building, unit_building.id == unit.building_id)
            .outerjoin(building, building.id == model.building_id)
            .outerjoin(filer, filer.id == model.filed_by_id)
            .outerjoin(assignee, assignee.id == model.assigned_to_id),
            model.created_at, model.id),
    }


def open_count(model: type[Case], statuses: Sequence[str] | None = None) -> Any:
    """For the staff start page: cases of a kind in these statuses (its open ones)."""
    return select(func.count()).select_from(model).where(
        model.status.in_(statuses or kind_of(model).open))


@dataclass(frozen=True)
class Action:
    """One staff action on a case, any of: a public reply (with files), an internal note, a new
    status, an assignment, a planned date, closing with a reason."""

    reply: str = ""
    files: tuple[Upload, ...] = ()
    note: str = ""
    status: str | None = None
    assign_to: int | None = None
    unassign: bool = False
    planned_on: date | None = None
    clear_planned: bool = False
    close: bool = False
    close_reason: str = ""


def _check_length(kind: CaseKind, texts: Iterable[tuple[str, str, int]]) -> None:
    for text, field_name, limit in texts:
        if len(text) > limit:
            raise kind.error(_l("The text is too long: at most %(max)d characters.",
                                max=limit), field_name)


def _refusals(case: Case, kind: CaseKind, action: Action, status: str | None, reply: str,
              reason: str) -> None:
    """What a kind refuses of an action, in the order a clerk reads the form."""
    if kind.merged is not None and case.status == kind.merged:
        raise kind.refuse("merged")
    if status is not None and status not in kind.moves.get(case.status, ()):
        raise kind.refuse("status")
    if status in kind.reply_required and not reply:
        raise kind.refuse("reason_required")
    if action.close and case.status not in kind.open:
        raise kind.refuse("already_closed")
    if action.close and not reason:
        raise kind.refuse("close_reason")
    if not kind.reply_when_closed and case.status not in kind.open and reply \
            and status is None:
        raise kind.refuse("reply_closed")
    if action.files and not reply:
        raise kind.refuse("files_need_reply")


def act(case: Case, actor: User, action: Action, rules: Any) -> list[str]:
    """Carry out a staff action (no commit). What changed, for the message."""
    kind = kind_of(case)
    reply, note = action.reply.strip(), action.note.strip()
    reason = action.close_reason.strip()
    _check_length(kind, ((reply, kind.reply_field, kind.text_max),
                         (note, "note", kind.text_max), (reason, "close_reason", REASON_MAX)))
    status = None if action.status == case.status else action.status
    _refusals(case, kind, action, status, reply, reason)
    checked = check_uploads(kind, action.files, rules, file_count(case))
    changed = []
    if action.assign_to is not None or action.unassign:
        changed += _assign(case, kind, actor, None if action.unassign else action.assign_to)
    if (action.clear_planned and case.planned_on is not None) or (
            action.planned_on is not None and action.planned_on != case.planned_on):
        case.planned_on = None if action.clear_planned else action.planned_on
        add_event(case, PLANNED, author=actor, staff=True,
                  body=day(case.planned_on) if case.planned_on else "")
        changed.append("planned")
    if note:
        add_event(case, NOTE, author=actor, body=note, staff=True, label=actor.full_name)
        changed.append("note")
    if status is not None:
        set_status(case, status)
        said = reply if kind.reply_with_status else ""
        add_event(case, STATUS, author=actor, body=said, status=status, staff=True,
                  label=_signed(kind, actor))
        record(kind, "status", actor, case, status=status)
        if "status" in kind.mail:
            tell(case, "status", reply=said)
        changed.append("status")
    if reply and not (status is not None and kind.reply_with_status):
        if status is None and not action.close and case.status in kind.replying_moves:
            set_status(case, kind.replying_moves[case.status])  # the office is on it
        attach(case, add_event(case, REPLY, author=actor, body=reply, staff=True,
                               label=_signed(kind, actor)), checked)
        case.first_answer_at = case.first_answer_at or utcnow()
        record(kind, "reply", actor, case)
        if not action.close:
            answer_in_mail = getattr(rules, "answer_in_email", True)
            tell(case, "reply", reply=reply if answer_in_mail else "",
                 answer=reply if answer_in_mail else "", attachments=len(checked))
        changed.append(kind.reply_field)
    if action.close:
        close(case, actor, reason,
              answer=reply if getattr(rules, "answer_in_email", True) else "")
        changed.append("closed")
    if not changed:
        raise kind.refuse("nothing")
    case.updated_at = utcnow()
    return changed


def close(case: Case, actor: User, reason: str, *, answer: str = "", event: str = CLOSE,
          body: str | None = None, action: str = "close", **detail: Any) -> None:
    """Close the case with a reason its followers see, and tell them (no commit)."""
    kind = kind_of(case)
    set_status(case, kind.closed)
    add_event(case, event, author=actor, body=reason if body is None else body,
              status=kind.closed, staff=True, label=_signed(kind, actor))
    case.close_reason = reason
    record(kind, action, actor, case, **(detail or {"reason": reason}))
    tell(case, "closed", reason=reason, answer=answer)


def _assign(case: Case, kind: CaseKind, actor: User, user_id: int | None) -> list[str]:
    if user_id == case.assigned_to_id:
        return []
    name = ""
    if user_id is not None:
        member = queues.staff_member(user_id)
        if member is None:
            raise kind.refuse("assignee")
        name = member.full_name
    case.assigned_to_id = user_id
    add_event(case, ASSIGNED, author=actor, body=name, staff=True, label=actor.full_name)
    record(kind, "assigned", actor, case, assigned_to=name)
    return ["assigned"]


# --- shared -------------------------------------------------------------------------------------


def set_status(case: Case, status: str) -> None:
    """A new status and its date; a finished case gets its closing date, a case back at work
    loses it (a merged duplicate keeps the one it had)."""
    kind = kind_of(case)
    case.status, case.status_at = status, utcnow()
    if status in kind.closing:
        case.closed_at = case.status_at
    elif status != kind.merged:
        case.closed_at = None
    case.status_changed(status)


def add_event(case: Case, kind: str, *, author: User | None, body: str = "",
              status: str | None = None, staff: bool = False, label: str | None = None
              ) -> CaseEvent:
    """One step in the case's history (flushed: files can point at it)."""
    made = CaseEvent(case_id=case.id, kind=kind, status=status, body=body,
                     author_id=getattr(author, "id", None),
                     author_label=label if label is not None else (
                         author.full_name if author is not None else ""),
                     by_staff=staff, at=utcnow())
    db.session.add(made)
    db.session.flush()
    return made


def _signed(kind: CaseKind, actor: User) -> str:
    return kind.signature(actor) if kind.signature else actor.full_name


def record(kind: CaseKind, what: str, actor: User, case: Case, **detail: Any) -> None:
    """The kind's audit entry for ``what``, if it keeps one."""
    if what in kind.audit:
        audit.record(kind.audit[what], actor=actor, identifier=case.registry_number, **detail)


def follow(case: Case, user_ids: Iterable[int]) -> None:
    """These people follow the case from now on (those who already do are left as they are)."""
    wanted = set(user_ids) - set(db.session.scalars(select(CaseFollower.user_id).where(
        CaseFollower.case_id == case.id)))
    now = utcnow()
    db.session.add_all(CaseFollower(case_id=case.id, user_id=user_id, since=now)
                       for user_id in sorted(wanted))
    db.session.flush()


def watchers(case: Case) -> list[User]:
    """Everyone who follows the case (one query)."""
    return list(db.session.scalars(select(User).where(User.id.in_(
        select(CaseFollower.user_id).where(CaseFollower.case_id == case.id))).order_by(User.id)))


def tell(case: Case, what: str, users: Iterable[User] | None = None, **context: Any) -> None:
    """The kind's e-mail about ``what`` to each follower (or ``users``) with an address,
    through the outbox; it links to the case's page."""
    kind = kind_of(case)
    if what not in kind.mail:
        return
    link = get_tenant_info(require_tenant_id()).url(kind.path.format(id=case.id))
    for user in watchers(case) if users is None else users:
        if user.email:
            queue_message(kind.mail[what], user.email, {
                "name": user.full_name, "number": case.registry_number, "link": link,
                **kind.mail_context(case), **context}, user_id=user.id)
