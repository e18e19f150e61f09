"""A letter that is really a fault report moves into the fault reports: the report is made in
the resident's name (they get its confirmation e-mail), its description names the letter's
number, and the letter is closed with the report's number and a link to it."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from iok_saas.audit.models import CASE_MOVED
from iok_saas.auth.models import User
from iok_saas.correspondence import services
from iok_saas.correspondence.models import LETTER, MOVED, Case, CaseEntry
from iok_saas.db import db
from iok_saas.estate.services import places_of
from iok_saas.faults import services as faults
from iok_saas.tenancy.settings import Faults as FaultRules


def places(case: Case) -> list[tuple[str, str]]:
    """Where the report can be made: the author's units and the buildings they are in, as
    (value, label) for a choice; the case's own unit first."""
    held = places_of(case.author_id)
    units = sorted(held.units, key=lambda u: u.id != case.unit_id)
    return ([(f"unit:{u.id}", str(_l("Unit: %(address)s", address=u.address))) for u in units]
            + [(f"building:{b.id}", str(_l("Common areas: %(address)s", address=b.address)))
               for b in held.buildings])


def move(case: Case, actor: User, category: str, where: str, rules: FaultRules) -> Any:
    """Make the fault report from the letter and close the letter (no commit)."""
    if not case.is_open:
        raise services.CaseError(_l("This case is closed: it can no longer be moved."))
    author = db.session.get(User, case.author_id)
    if author is None:
        raise services.CaseError(_l("The author of this letter no longer has an account."))
    letter = db.session.scalars(select(CaseEntry).where(
        CaseEntry.case_id == case.id, CaseEntry.kind == LETTER)).first()
    kind, _sep, place_id = where.partition(":")
    # The letter's number always ends the description: a long letter is cut short before it.
    origin = str(_l("(Moved from the letter %(number)s.)", number=case.registry_number))
    text = "\n\n".join(part for part in (case.subject, letter.body if letter else "") if part)
    room = faults.DESCRIPTION_MAX - len(origin) - 2
    if len(text) > room:
        text = text[:room - 1].rstrip() + "…"
    description = f"{text}\n\n{origin}" if text else origin
    try:
        report = faults.create(author, faults.NewReport(
            category=category, place_kind=kind,
            place_id=int(place_id) if place_id.isascii() and place_id.isdigit() else 0,
            place="", description=description,
            entry_allowed=False, contact_phone="", contact_note="",
            submission=f"ko-{case.id}"), rules)
    except faults.FaultError as error:
        field = error.field if error.field in ("where", "category") else None
        raise services.CaseError(error.message, field) from None
    case.fault_report_id, case.fault_number = report.id, report.registry_number
    services.close(case, actor, str(_l("Moved to the fault reports as %(number)s.",
                                       number=report.registry_number)),
                   kind=MOVED, body=report.registry_number, action=CASE_MOVED,
                   into=report.registry_number)
    return report
