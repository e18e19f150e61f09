"""The monthly consumption information of a unit (art. 45c ust. 2 of the energy law).

Where billing uses remotely read devices, every unit's user may obtain information on their
consumption once a month, free of charge. Once a month's figures are in for a unit's remote
meters (or a week after the month ended, with what there is), ``make_due`` records the unit's
statement — the figures as they stand then, so a later file or a decision of the office does
not change what was given — and queues an e-mail to the holders who asked for it
("Informacja o zużyciu za listopad 2026 jest dostępna"). Its PDF is drawn from those figures
when it is opened (``pdf``), so the monthly run costs no PDF renderer for thousands of units.
Statements older than the cooperative's ``statement_years`` are deleted. Issue 34 (documents
delivered with proof) keeps the PDF itself where one is delivered (``file_id``).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask import g
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from iok_saas import files
from iok_saas.auth.models import User
from iok_saas.contacts.consents import unsubscribe_link
from iok_saas.db import db, utcnow
from iok_saas.estate.models import Unit
from iok_saas.estate.services import holdings, unit_ids_of
from iok_saas.mail.messages import MessageKind, register
from iok_saas.mail.outbox import queue_bulk
from iok_saas.meters.consumption import (
    MeterConsumption,
    MonthFigure,
    month_start,
    next_month,
    previous_month,
    unit_consumption,
)
from iok_saas.meters.forms import KIND_LABELS
from iok_saas.meters.models import (
    REMOTE,
    ConsumptionAlert,
    ConsumptionStatement,
    Meter,
    MeterMonth,
)
from iok_saas.tenancy.context import require_tenant_id
from iok_saas.tenancy.info import TenantInfo, get_tenant_info
from iok_saas.web.formatting import decimal_comma, local_today
from iok_saas.web.formatting import month as month_words
from iok_saas.web.pdf import render_pdf

WAIT = timedelta(days=7)  # after this, a month's statement is made with the figures there are

register(MessageKind(
    name="consumption_alert",
    subject=_l("Unusual consumption in your unit"),
    description=_l("Sent when a remote meter shows a month far above the usual or water "
                   "flowing every day for days on end, to residents who asked for it."),
    sample={"name": "Anna Kowalska", "kind": "leak", "month": "listopad 2026",
            "meter": "ciepła woda", "serial": "CW-1001", "measure": "m³", "value": "14",
            "compared_with": "", "days": 14, "address": "ul. Przykładowa 1 m. 2",
            "link": "https://example.org/zuzycie"},
))
register(MessageKind(
    name="consumption_statement",
    subject=_l("Information on your consumption for %(month)s is available"),
    description=_l("Sent when a unit's monthly consumption information (remote meters) is "
                   "ready, to residents who asked for it."),
    sample={"name": "Anna Kowalska", "month": "listopad 2026", "units": [
        {"address": "ul. Przykładowa 1 m. 2", "link": "https://example.org/zuzycie"}]},
))


def find(statement_id: int, user_id: int) -> ConsumptionStatement | None:
    """A statement of one of the units the person holds (else None: a 404)."""
    if statement_id >= 2 ** 31:
        return None
    return db.session.scalar(select(ConsumptionStatement).where(
        ConsumptionStatement.id == statement_id,
        ConsumptionStatement.unit_id.in_(unit_ids_of(user_id))))


def make_due(today: date | None = None) -> int:
    """Make the statements of the months that are in; queue their e-mails; delete the expired
    ones. How many were made. A job (daily, and after every import of remote readings)."""
    info = get_tenant_info(require_tenant_id())
    if not info.has_feature("meters"):
        return 0
    today = today or local_today()
    made = 0
    month = previous_month(month_start(today))
    for _ in range(3):  # the last three months: a late file still gets its statements
        made += make_month(info, month, waited=today >= next_month(month) + WAIT)
        month = previous_month(month)
    _expire(info, today)
    db.session.commit()
    return made


def make_month(info: TenantInfo, month: date, *, waited: bool) -> int:
    """Statements of ``month`` for the units whose remote meters all have the month's figure
    (with ``waited``: every unit with at least one); no unit gets two."""
    in_service = db.session.execute(
        select(Meter.unit_id, Meter.id, MeterMonth.month)
        .outerjoin(MeterMonth, (MeterMonth.meter_id == Meter.id) & (MeterMonth.month == month))
        .where(Meter.reading_mode == REMOTE,
               (Meter.installed_on.is_(None)) | (Meter.installed_on < next_month(month)),
               (Meter.removed_on.is_(None)) | (Meter.removed_on >= month))).all()
    figures: dict[int, list[bool]] = defaultdict(list)
    for unit_id, _, has in in_service:
        figures[unit_id].append(has is not None)
    done = set(db.session.scalars(select(ConsumptionStatement.unit_id)
                                  .where(ConsumptionStatement.month == month)))
    ready = [unit_id for unit_id, have in figures.items() if unit_id not in done
             and any(have) and (all(have) or waited)]
    if not ready:
        return 0
    units = {unit.id: unit for unit in db.session.scalars(
        select(Unit).where(Unit.id.in_(ready)))}
    made = []
    for unit_id in ready:
        unit = units[unit_id]
        meters = unit_consumption(unit.id, unit.building_id, month)
        db.session.add(ConsumptionStatement(unit_id=unit.id, month=month,
                                            figures=[_frozen(meter) for meter in meters]))
        made.append(unit)
    db.session.flush()
    _notify(info, month, made)
    return len(made)


def _frozen(meter: MeterConsumption) -> dict[str, Any]:
    """A meter's figures as JSON (decimals as text, months as ISO dates)."""
    kept = dataclasses.asdict(meter)
    kept["months"] = [{key: (str(value) if isinstance(value, Decimal | date) else value)
                       for key, value in figure.items()} for figure in kept["months"]]
    return kept


def _thawed(kept: dict[str, Any]) -> MeterConsumption:
    months = [MonthFigure(
        month=date.fromisoformat(f["month"]), estimated=f["estimated"],
        **{key: None if f[key] is None else Decimal(f[key])
           for key in ("used", "last_year", "median", "start", "end")}) for f in kept["months"]]
    return MeterConsumption(**{**kept, "months": months})


def pdf(statement: ConsumptionStatement, address: str) -> bytes:
    """The statement's PDF (Polish, on the cooperative's letterhead), from its figures."""
    info = get_tenant_info(require_tenant_id())
    if statement.file_id is not None:
        return files.read(statement.file_id)
    had = getattr(g, "tenant", None)
    g.tenant = info  # outside a request the letterhead reads the cooperative from g too
    try:
        with force_locale("pl"):
            return render_pdf("meters/consumption_pdf.html", tenant=info, address=address,
                              month=statement.month, produced=statement.created_at,
                              meters=[_thawed(kept) for kept in statement.figures])
    finally:
        g.tenant = had


def _recipients(unit_ids: list[int], flag: Any) -> dict[int, tuple[str, str, list[int]]]:
    """The active holders of the units with an e-mail address who asked for it (``flag``):
    user id → (address, name, their units among these)."""
    held = holdings()
    found: dict[int, tuple[str, str, list[int]]] = {}
    for user_id, email, first, last, unit_id in db.session.execute(
            select(User.id, User.email, User.first_name, User.last_name, held.c.unit_id)
            .join(held, held.c.user_id == User.id)
            .where(held.c.unit_id.in_(unit_ids), flag, User.active, User.email.is_not(None))
            .order_by(User.id, held.c.unit_id)):
        found.setdefault(user_id, (email, f"{first} {last}".strip(), []))[2].append(unit_id)
    return found


def _notify(info: TenantInfo, month: date, units: list[Unit]) -> int:
    if not units:
        return 0
    by_id = {unit.id: unit for unit in units}
    with force_locale("pl"):
        words = month_words(month)
    return queue_bulk("consumption_statement", [
        (email, {"name": name, "month": words,
                 "units": [{"address": by_id[unit_id].address,
                            "link": info.url(f"/zuzycie?lokal={unit_id}")} for unit_id in held],
                 "unsubscribe": unsubscribe_link(info, user_id, "consumption")},
         f"consumption-{month:%Y-%m}-{user_id}", user_id)
        for user_id, (email, name, held) in _recipients(list(by_id), User.consumption_emails)
        .items()])


def notify_alerts(alert_ids: list[int]) -> int:
    """E-mail the holders who asked for it about new alerts (one e-mail per alert and
    person); a job queued by ``consumption.refresh``."""
    info = get_tenant_info(require_tenant_id())
    rows = db.session.execute(
        select(ConsumptionAlert.id, ConsumptionAlert.kind, ConsumptionAlert.month,
               ConsumptionAlert.value, ConsumptionAlert.compared_with, Meter.kind.label("meter"),
               Meter.serial_number, Meter.measure, Meter.unit_id)
        .join(Meter, Meter.id == ConsumptionAlert.meter_id)
        .where(ConsumptionAlert.id.in_(alert_ids), ConsumptionAlert.notified_at.is_(None))
    ).all()
    if not rows:
        return 0
    units = {unit.id: unit for unit in db.session.scalars(
        select(Unit).where(Unit.id.in_({row.unit_id for row in rows})))}
    people = _recipients(list(units), User.consumption_alerts)
    messages = []
    with force_locale("pl"):
        for row in rows:
            context = {"kind": row.kind, "month": month_words(row.month),
                       "meter": str(KIND_LABELS.get(row.meter, row.meter)),
                       "serial": row.serial_number, "measure": row.measure,
                       "value": decimal_comma(row.value),
                       "compared_with": decimal_comma(row.compared_with),
                       "days": int(row.value), "address": units[row.unit_id].address,
                       "link": info.url(f"/zuzycie?lokal={row.unit_id}")}
            for user_id, (email, name, held) in people.items():
                if row.unit_id in held:
                    messages.append((email, {**context, "name": name, "unsubscribe":
                                             unsubscribe_link(info, user_id,
                                                              "consumption_alerts")},
                                     f"consumption-alert-{row.id}-{user_id}", user_id))
    queued = queue_bulk("consumption_alert", messages)
    db.session.execute(update(ConsumptionAlert).where(
        ConsumptionAlert.id.in_([row.id for row in rows])).values(notified_at=utcnow()))
    db.session.commit()
    return queued


def _expire(info: TenantInfo, today: date) -> int:
    """Delete statements (and their files) older than the cooperative keeps them."""
    years = info.settings.remote_readings.statement_years
    limit = month_start(today).replace(year=today.year - years)
    old: list[Any] = list(db.session.execute(
        select(ConsumptionStatement.id, ConsumptionStatement.file_id)
        .where(ConsumptionStatement.month < limit)))
    if not old:
        return 0
    db.session.execute(delete(ConsumptionStatement).where(
        ConsumptionStatement.id.in_([row.id for row in old])))
    for row in old:
        if row.file_id is not None:
            files.delete(row.file_id)
    return len(old)
