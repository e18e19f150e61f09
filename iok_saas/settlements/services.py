"""Settlements as residents and the office read them: a unit's settlements, one line's
explanation (the settlement before it, the version it corrects, the ledger line it was booked
as, the deadline for questions), a question about it, the office's list per building.

Every figure shown is the settlement company's, as imported; what is added here is only
arithmetic the page shows as such (an average per m², a change against the year before).
Every function works in the current cooperative's context and leaves the commit to its caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased, contains_eager, joinedload

from iok_saas.auth.models import User
from iok_saas.cases import services as cases
from iok_saas.cases.files import check_uploads
from iok_saas.cases.kinds import Upload
from iok_saas.db import db
from iok_saas.db import settlements as settlement_sql
from iok_saas.estate.models import Building, Unit
from iok_saas.estate.services import holders, unit_ids_of
from iok_saas.settlements.kind import QUESTIONS, TEXT_MAX, QuestionError
from iok_saas.settlements.models import (
    COLD_WATER,
    CREDIT,
    HEATING,
    HOT_WATER,
    RECEIVED,
    WATER_HEATING,
    Settlement,
    SettlementLine,
    SettlementQuestion,
)
from iok_saas.tenancy.context import require_tenant_id
from iok_saas.tenancy.settings import Settlements as Rules
from iok_saas.web.formatting import WARSAW

MEDIUM_LABELS = {COLD_WATER: _l("cold water"), HOT_WATER: _l("hot water"),
                 HEATING: _l("heating"), WATER_HEATING: _l("heat for hot water")}
# What a medium's settlement is titled, on the page, in the PDF and the delivered document.
MEDIUM_TITLES = {COLD_WATER: _l("Settlement of cold water and sewage"),
                 HOT_WATER: _l("Settlement of hot water"),
                 HEATING: _l("Settlement of heating costs"),
                 WATER_HEATING: _l("Settlement of the cost of heating water")}
CENTS = Decimal("0.01")


def period_label(settlement: Settlement) -> str:
    """``2025`` for a calendar year, else ``01.07.2025–30.06.2026``."""
    start, end = settlement.period_start, settlement.period_end
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    return f"{start:%d.%m.%Y}–{end:%d.%m.%Y}"


def title_of(settlement: Settlement, *, corrected: bool = False) -> str:
    """``Settlement of heating costs for 2025`` (a correction says so)."""
    title = _l("%(what)s for %(period)s", what=MEDIUM_TITLES[settlement.medium],
               period=period_label(settlement))
    return str(_l("Correction: %(title)s", title=title) if corrected else title)


def _with_settlement() -> Any:
    return (select(SettlementLine).join(SettlementLine.settlement)
            .options(contains_eager(SettlementLine.settlement)))


def lines_of(user_id: int) -> list[SettlementLine]:
    """The current settlements of the units the person holds, newest period first, each
    medium in the same order (one query)."""
    return list(db.session.scalars(
        _with_settlement().join(SettlementLine.unit).options(contains_eager(
            SettlementLine.unit)).where(
            SettlementLine.unit_id.in_(unit_ids_of(user_id)),
            Settlement.replaced_at.is_(None))
        .order_by(Unit.id, Settlement.period_end.desc(), Settlement.medium)))


def line_of(user_id: int, line_id: int) -> SettlementLine | None:
    """A line (of any version) of a unit the person holds; None for anyone else's."""
    if not 0 < line_id < 2 ** 31:
        return None
    return db.session.scalar(_with_settlement().where(
        SettlementLine.id == line_id, SettlementLine.unit_id.in_(unit_ids_of(user_id))))


def staff_line(line_id: int) -> SettlementLine | None:
    """Any line of the cooperative (the office's view), or None."""
    if not 0 < line_id < 2 ** 31:
        return None
    return db.session.scalar(_with_settlement().where(SettlementLine.id == line_id))


@dataclass(frozen=True)
class Explanation:
    """One unit's settlement as the page and the PDF show it."""

    line: SettlementLine
    settlement: Settlement
    title: str
    previous: SettlementLine | None  # the same unit and medium, the period before
    corrects: SettlementLine | None  # the line of the version this one replaces
    current: SettlementLine | None  # a replaced line: the one in force now
    booked: Any  # the ledger line (id, account_id, booked_on, charge, payment) or None
    deadline: date  # for questions
    questions: list[SettlementQuestion] = field(default_factory=list)
    fixed_exact: Decimal | None = None  # area × rate, where the company rounded otherwise
    variable_exact: Decimal | None = None

    @property
    def replaced(self) -> bool:
        return self.settlement.replaced_at is not None

    @property
    def average_per_m2(self) -> Decimal | None:
        """The building's cost per m² of the units' area (shown as an average)."""
        s = self.settlement
        if not s.area:
            return None
        return (s.cost / s.area).quantize(CENTS, ROUND_HALF_UP)

    @property
    def consumption_change(self) -> Decimal | None:
        """The change of consumption against the period before, in per cent."""
        before = self.previous.consumption if self.previous is not None else None
        if before is None or self.line.consumption is None or before == 0:
            return None
        return ((self.line.consumption - before) * 100 / before).quantize(Decimal("1"),
                                                                           ROUND_HALF_UP)


def deadline_of(line: SettlementLine, rules: Rules) -> date:
    """The last day a member may question the settlement: ``question_days`` from the day it
    was delivered in the portal (or imported, where the portal delivers nothing)."""
    start = line.delivered_at or line.settlement.imported_at
    return start.astimezone(WARSAW).date() + timedelta(days=rules.question_days)


def _exact(a: Decimal | None, b: Decimal | None, given: Decimal) -> Decimal | None:
    if a is None or b is None or not given:
        return None
    exact = (a * b).quantize(CENTS, ROUND_HALF_UP)
    return exact if exact != given else None


def explain(line: SettlementLine, rules: Rules, *, user_id: int | None = None
            ) -> Explanation:
    """The line with everything around it (a few queries, whatever the settlement's size)."""
    settlement = line.settlement
    previous = db.session.scalar(
        _with_settlement().where(
            SettlementLine.unit_id == line.unit_id, Settlement.medium == settlement.medium,
            Settlement.replaced_at.is_(None), Settlement.period_end < settlement.period_start)
        .order_by(Settlement.period_end.desc()).limit(1))
    corrects = db.session.get(SettlementLine, line.corrects_id) if line.corrects_id else None
    current = None
    if settlement.replaced_at is not None:
        current = db.session.scalar(
            _with_settlement().where(
                SettlementLine.unit_id == line.unit_id, Settlement.medium == settlement.medium,
                Settlement.building_id == settlement.building_id,
                Settlement.period_start == settlement.period_start,
                Settlement.replaced_at.is_(None)).limit(1))
    questions: list[SettlementQuestion] = []
    if user_id is not None:
        questions = list(db.session.scalars(select(SettlementQuestion).where(
            SettlementQuestion.settlement_line_id == line.id,
            SettlementQuestion.filed_by_id == user_id).order_by(SettlementQuestion.id)))
    return Explanation(
        line=line, settlement=settlement,
        title=title_of(settlement, corrected=line.corrects_id is not None),
        previous=previous, corrects=corrects, current=current,
        booked=settlement_sql.booked(db.session, require_tenant_id(), line.unit_id,
                                     line.document_no),
        deadline=deadline_of(line, rules), questions=questions,
        fixed_exact=_exact(line.area, settlement.fixed_rate, line.fixed_cost),
        variable_exact=_exact(line.consumption, settlement.variable_rate, line.variable_cost))


def ask(line: SettlementLine, user: User, text: str, uploads: Sequence[Upload],
        submission: str, rules: Rules) -> SettlementQuestion:
    """File a question about the settlement (no commit): a case in the ``RR`` register,
    linked to the line, with the deadline for questions as it stands today kept on it. The
    same form sent again returns the case it made the first time."""
    earlier = cases.earlier(SettlementQuestion, user.id, submission)
    if earlier is not None:
        return earlier
    body = text.strip()
    if not body:
        raise QuestionError(_l("Write what in the settlement you question or ask about."),
                            "text")
    if len(body) > TEXT_MAX:
        raise QuestionError(_l("The text is too long: at most %(max)d characters.",
                               max=TEXT_MAX), "text")
    checked = check_uploads(QUESTIONS, uploads, rules)
    settlement = line.settlement
    with force_locale("pl"):  # the register's words, whatever language the resident reads
        category = str(MEDIUM_LABELS[settlement.medium])
        subject = title_of(settlement, corrected=line.corrects_id is not None)[:200]
    return cases.file_case(SettlementQuestion(
        submission=submission, category=category,
        unit_id=line.unit_id, building_id=settlement.building_id,
        subject=subject,
        status=RECEIVED, settlement_line_id=line.id, deadline_on=deadline_of(line, rules)),
        user, body=body, checked=checked)


@dataclass(frozen=True)
class BuildingRow:
    """A settlement of a building in the office's list, with what became of it."""

    settlement: Settlement
    lines: int
    delivered: int
    questions: int
    open_questions: int
    surcharges: Decimal
    refunds: Decimal


def building_settlements(building_id: int | None = None, *, replaced: bool = False
                         ) -> list[BuildingRow]:
    """The current settlements (of one building, or all), newest period first, each with
    its lines delivered and questioned (two queries)."""
    lines = (select(SettlementLine.settlement_id,
                    func.count().label("lines"),
                    func.count(SettlementLine.document_id).label("delivered"),
                    func.coalesce(func.sum(SettlementLine.result).filter(
                        SettlementLine.result > 0), 0).label("surcharges"),
                    func.coalesce(func.sum(SettlementLine.result).filter(
                        SettlementLine.result < 0), 0).label("refunds"))
             .group_by(SettlementLine.settlement_id).subquery("lines"))
    asked = (select(SettlementLine.settlement_id, func.count().label("questions"),
                    func.count().filter(SettlementQuestion.closed_at.is_(None))
                    .label("open_questions"))
             .join(SettlementQuestion,
                   SettlementQuestion.settlement_line_id == SettlementLine.id)
             .group_by(SettlementLine.settlement_id).subquery("asked"))
    query = (select(Settlement, lines.c.lines, lines.c.delivered, lines.c.surcharges,
                    lines.c.refunds, func.coalesce(asked.c.questions, 0),
                    func.coalesce(asked.c.open_questions, 0))
             .join(Settlement.building).options(contains_eager(Settlement.building))
             .join(lines, lines.c.settlement_id == Settlement.id)
             .outerjoin(asked, asked.c.settlement_id == Settlement.id)
             .order_by(Settlement.period_end.desc(), Building.street, Building.number,
                       Settlement.medium))
    if not replaced:
        query = query.where(Settlement.replaced_at.is_(None))
    if building_id is not None:
        query = query.where(Settlement.building_id == building_id)
    return [BuildingRow(s, n, d, q, o, Decimal(str(sur)), Decimal(str(ref)))
            for s, n, d, sur, ref, q, o in db.session.execute(query)]


def settlement_lines(settlement_id: int) -> list[Any]:
    """A settlement's lines for the office: unit, result, delivered, opened is the delivery's
    (shown on the unit's delivery page), questions (one query)."""
    asked = (select(SettlementQuestion.settlement_line_id,
                    func.count().label("questions"),
                    func.min(SettlementQuestion.id).label("first_question"))
             .group_by(SettlementQuestion.settlement_line_id).subquery("asked"))
    return list(db.session.execute(
        select(SettlementLine, func.coalesce(asked.c.questions, 0), asked.c.first_question)
        .join(SettlementLine.unit).options(contains_eager(SettlementLine.unit))
        .outerjoin(asked, asked.c.settlement_line_id == SettlementLine.id)
        .where(SettlementLine.settlement_id == settlement_id)
        .order_by(Unit.number, Unit.id)))


def versions_of(settlement: Settlement) -> list[Settlement]:
    """Every version of the settlement, the newest first."""
    return list(db.session.scalars(select(Settlement).where(
        Settlement.building_id == settlement.building_id,
        Settlement.medium == settlement.medium,
        Settlement.period_start == settlement.period_start,
        Settlement.period_end == settlement.period_end).order_by(Settlement.version.desc())))


def refund_label(line: SettlementLine) -> Any:
    """What becomes of an overpayment."""
    return (_l("counted towards the fees") if line.refund == CREDIT
            else _l("to be paid out"))


# --- the office's pages ---------------------------------------------------------------------


def settled_buildings() -> list[Building]:
    """The buildings that have a settlement, in address order (the office's filter)."""
    return list(db.session.scalars(
        select(Building).where(Building.id.in_(select(Settlement.building_id)))
        .order_by(Building.street, Building.number, Building.id)))


def opened_counts(rows: Sequence[BuildingRow]) -> dict[int, int]:
    """settlement → how many of its lines' delivered documents have been opened, by the
    delivery's proof (one query)."""
    return settlement_sql.opened_counts(db.session, require_tenant_id(),
                                        [row.settlement.id for row in rows])


def first_opened(settlement_id: int) -> dict[int, datetime]:
    """line → when the document delivered with it was first opened, for one settlement's
    lines (one query; lines never opened are left out)."""
    return settlement_sql.first_opened(db.session, require_tenant_id(),
                                       settlement_id=settlement_id)


def line_opened(line: SettlementLine) -> datetime | None:
    """When the document delivered with the line was first opened (None: not yet, or
    nothing delivered)."""
    if line.document_id is None:
        return None
    return settlement_sql.first_opened(db.session, require_tenant_id(),
                                       line_ids=[line.id]).get(line.id)


def _questions_of_versions(settlement: Settlement) -> Any:
    """The questions about any version of the settlement, each with its line's unit and the
    version it was asked about, oldest first."""
    asked_about = aliased(Settlement)
    return (select(SettlementQuestion, SettlementLine.unit_id, asked_about.version)
            .join(SettlementLine, SettlementLine.id == SettlementQuestion.settlement_line_id)
            .join(asked_about, asked_about.id == SettlementLine.settlement_id)
            .where(asked_about.building_id == settlement.building_id,
                   asked_about.medium == settlement.medium,
                   asked_about.period_start == settlement.period_start,
                   asked_about.period_end == settlement.period_end)
            .order_by(SettlementQuestion.id))


def settlement_questions(settlement: Settlement
                         ) -> dict[int, list[tuple[SettlementQuestion, int]]]:
    """unit → the questions about its line in any version of the settlement (a correction
    does not hide what was asked about the version before), each with the version it was
    asked about (one query)."""
    found: dict[int, list[tuple[SettlementQuestion, int]]] = {}
    for question, unit_id, version in db.session.execute(_questions_of_versions(settlement)):
        found.setdefault(unit_id, []).append((question, version))
    return found


def line_questions(line: SettlementLine) -> list[tuple[SettlementQuestion, int]]:
    """The questions about the unit's line in any version of the settlement, each with the
    version it was asked about."""
    return [(question, version) for question, _unit, version in db.session.execute(
        _questions_of_versions(line.settlement).where(SettlementLine.unit_id == line.unit_id))]


def question_counts(rows: Sequence[BuildingRow]) -> dict[int, tuple[int, int]]:
    """settlement → its questions (open, all), about any of its versions (one query)."""
    if not rows:
        return {}
    version = aliased(Settlement)
    same = and_(version.building_id == Settlement.building_id,
                version.medium == Settlement.medium,
                version.period_start == Settlement.period_start,
                version.period_end == Settlement.period_end)
    return {settlement_id: (open_, all_) for settlement_id, open_, all_ in db.session.execute(
        select(Settlement.id,
               func.count().filter(SettlementQuestion.closed_at.is_(None)), func.count())
        .join(version, same)
        .join(SettlementLine, SettlementLine.settlement_id == version.id)
        .join(SettlementQuestion, SettlementQuestion.settlement_line_id == SettlementLine.id)
        .where(Settlement.id.in_([row.settlement.id for row in rows]))
        .group_by(Settlement.id))}


def staff_settlement(settlement_id: int) -> Settlement | None:
    """Any settlement version of the cooperative, with its building (the office's view), or
    None."""
    if not 0 < settlement_id < 2 ** 31:
        return None
    return db.session.scalar(select(Settlement).join(Settlement.building).options(
        contains_eager(Settlement.building)).where(Settlement.id == settlement_id))


def looked_at(line: SettlementLine, asked_by: Sequence[int]) -> list[int]:
    """Whose data the office sees on a line's page: the people holding the unit now and
    those who asked about the line."""
    return sorted(set(holders(line.unit_id)) | set(asked_by))


# --- the resident's pages -----------------------------------------------------------------------


def questions_of(user_id: int) -> list[SettlementQuestion]:
    """The person's questions about settlements, open first, newest first (one query)."""
    return cases.filed_by(SettlementQuestion, user_id)


def unit_of(line: SettlementLine) -> Unit:
    """The line's unit with its building, for its address (one query; the line's
    ``unit`` and its settlement's ``building`` are then read without one)."""
    return db.session.scalars(select(Unit).where(Unit.id == line.unit_id)
                              .options(joinedload(Unit.building))).one()


def advances_by_month(line: SettlementLine) -> list[tuple[date, Decimal]]:
    """The advances month by month as the file gave them, in month order."""
    return [(date.fromisoformat(f"{month}-01"), Decimal(amount))
            for month, amount in sorted((line.advances_monthly or {}).items())]


def percent_change(before: Decimal | None, now: Decimal | None) -> Decimal | None:
    """The change from ``before`` to ``now`` in whole per cent (None where there is nothing to
    compare with)."""
    if before is None or now is None or before == 0:
        return None
    return ((now - before) * 100 / abs(before)).quantize(Decimal("1"), ROUND_HALF_UP)


def quantity_per_m2(settlement: Settlement) -> Decimal | None:
    """The building's heat (or water) per m² of the units' area (shown as an average)."""
    if settlement.quantity is None or not settlement.area:
        return None
    return (settlement.quantity / settlement.area).quantize(Decimal("0.001"), ROUND_HALF_UP)




def delivered_to(document_id: int, user_id: int) -> bool:
    """Whether the settlement's delivered document went to the person (opening it there is
    recorded as proof); someone who took the unit over later reads the explanation drawn now."""
    return settlement_sql.is_recipient(db.session, require_tenant_id(), document_id, user_id)
