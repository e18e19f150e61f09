"""What the staff work queues (fault reports, letters to the office) have in common: who a
thing can be assigned to, names by id, the queue's filters, paging, and the CSV export.

A capability keeps what is its own (its statuses, its kinds — categories or topics — its
columns); the filters mean the same everywhere, so a clerk who knows one queue knows both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Response, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import Select, bindparam, or_, select
from wtforms import SelectField

from iok_saas import files
from iok_saas.auth.models import RESIDENT, User
from iok_saas.db import db, utcnow
from iok_saas.estate.models import Building
from iok_saas.web.formatting import csv_cell, excel_csv
from iok_saas.web.forms import Form

AGE_DAYS = (3, 7, 14, 30)  # the "older than" choices, in days
PAGE_SIZE = 50


def staff_members() -> list[User]:
    """Who a report or a letter can be assigned to: the cooperative's active staff."""
    return list(db.session.scalars(select(User).where(User.role != RESIDENT, User.active)
                                   .order_by(User.last_name, User.first_name)))


def staff_member(user_id: int) -> User | None:
    """The active member of staff with this id (None: not one, so nothing can be assigned)."""
    return db.session.scalar(select(User).where(User.id.in_(_staff(user_id))))


def people(ids: Iterable[int | None]) -> dict[int, User]:
    """Users by id (one query), for names on the pages."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(wanted)))}


def assignee_choices(empty: str) -> list[tuple[str, str]]:
    """The "assigned to" choices of one item's form, ``empty`` first."""
    return [("", empty)] + [(str(m.id), m.full_name) for m in staff_members()]


@dataclass(frozen=True)
class Filters:
    """What a staff queue shows."""

    status: str = "open"  # "open", "all" or one status
    kind: str = ""  # a category of fault reports, a topic of letters
    building_id: int | None = None
    older_than_days: int | None = None
    assigned: str = ""  # "", "me", "nobody" or a staff member's id


class FilterForm(Form):
    """A queue's filters (GET, no CSRF). A capability's form adds its field of kinds under
    its own name (``category``, ``topic``: the addresses staff bookmark stay as they were)."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), default="open")
    building = SelectField(_l("Building"), default="")
    older = SelectField(_l("Received"), default="")
    assigned = SelectField(_l("Assigned to"), default="")


def read_filters(form_class: type[FilterForm], kind_field: str, statuses: Mapping[str, Any],
                 kinds: Sequence[str], buildings: Iterable[Any],
                 staff: Iterable[Any] | None = None) -> tuple[Any, Filters]:
    """The queue's filters from the address; anything odd falls back to the default
    (``buildings``, ``staff``: what may be chosen, each with ``id``; ``address``,
    ``full_name``)."""
    form = form_class(request.args)
    kind = form[kind_field]
    form.status.choices = [("open", _("open")), ("all", _("all"))] + [
        (key, str(label)) for key, label in statuses.items()]
    kind.choices = [("", _("all"))] + [(k, k) for k in kinds]
    form.building.choices = [("", _("all"))] + [(str(b.id), b.address) for b in buildings]
    form.older.choices = [("", _("any time"))] + [
        (str(days), ngettext("over %(num)d day ago", "over %(num)d days ago", days))
        for days in AGE_DAYS]
    form.assigned.choices = [("", _("anyone")), ("me", _("me")), ("nobody", _("nobody"))] + [
        (str(m.id), m.full_name) for m in (staff_members() if staff is None else staff)]
    for field in (form.status, kind, form.building, form.older, form.assigned):
        if field.data not in {value for value, _label in field.choices}:
            field.data = field.default
    return form, Filters(
        status=form.status.data, kind=kind.data,
        building_id=int(form.building.data) if form.building.data else None,
        older_than_days=int(form.older.data) if form.older.data else None,
        assigned=form.assigned.data)


def asked_filters(kind_field: str, statuses: Mapping[str, Any], kinds: Sequence[str]
                  ) -> Filters:
    """The filters the address asks for, checked without the database: a building or a
    member of staff that is not the cooperative's is then left out by ``filtered`` itself
    (as ``read_filters`` leaves it out of the form)."""
    args = request.args
    status = args.get("status", "open")
    kind = args.get(kind_field, "")
    older = args.get("older", "")
    building, assigned = args.get("building", ""), args.get("assigned", "")
    return Filters(
        status=status if status in ("open", "all") or status in statuses else "open",
        kind=kind if kind in kinds else "",
        building_id=int(building) if building.isdigit() and len(building) < 10 else None,
        older_than_days=int(older) if older.isdigit() and int(older) in AGE_DAYS else None,
        assigned=assigned if assigned in ("me", "nobody") or (
            assigned.isdigit() and len(assigned) < 10) else "")


def filtered(stmt: Select, filters: Filters, model: Any, open_statuses: Sequence[str]) -> Select:
    """``stmt`` (cases of one kind: ``model``) narrowed by the filters, their values bound when
    it is sent (``filter_values``): the same statement for every value. A building or a member
    of staff that is not the cooperative's narrows nothing, as the form shows."""
    if filters.status == "open":
        stmt = stmt.where(model.status.in_(open_statuses))
    elif filters.status != "all":
        stmt = stmt.where(model.status == bindparam("status"))
    if filters.kind:
        stmt = stmt.where(model.category == bindparam("kind"))
    if filters.building_id:
        stmt = stmt.where(or_(model.building_id == bindparam("building"), ~select(Building.id)
                              .where(Building.id == bindparam("building")).exists()))
    if filters.older_than_days:
        stmt = stmt.where(model.created_at <= bindparam("received_before"))
    if filters.assigned in ("me", "nobody") or filters.assigned.isdigit():
        if filters.assigned == "nobody":
            stmt = stmt.where(model.assigned_to_id.is_(None))
        elif filters.assigned == "me":
            stmt = stmt.where(model.assigned_to_id == bindparam("me"))
        else:
            stmt = stmt.where(or_(model.assigned_to_id == bindparam("assignee"),
                                  ~_staff(bindparam("assignee")).exists()))
    return stmt


def filter_values(filters: Filters, me: User) -> dict[str, Any]:
    """The values ``filtered`` binds."""
    return {"status": filters.status, "kind": filters.kind, "building": filters.building_id,
            "received_before": utcnow() - timedelta(days=filters.older_than_days or 0),
            "me": me.id, "assignee": int(filters.assigned) if filters.assigned.isdigit() else 0}


def filter_shape(filters: Filters) -> tuple[Any, ...]:
    """What of the filters changes ``filtered``'s statement (not its values)."""
    return (filters.status if filters.status in ("open", "all") else "one", bool(filters.kind),
            bool(filters.building_id), bool(filters.older_than_days),
            filters.assigned if filters.assigned in ("", "me", "nobody") else "one")


def _staff(user_id: Any) -> Select:
    return select(User.id).where(User.id == user_id, User.role != RESIDENT, User.active)


@dataclass(frozen=True)
class Page:
    """One page of a queue: its items, the total, where it is, and the address's other
    arguments (for the pager and the export link)."""

    items: list[Any]
    total: int
    page: int
    pages: int
    args: dict[str, str]


def csv_download(columns: Sequence[str], rows: Iterable[Mapping[str, Any]],
                 filename: str) -> Response:
    """The rows as a CSV file to save (what people typed cannot run as a formula)."""
    return files.download(excel_csv(columns, ([csv_cell(row[c]) for c in columns]
                                              for row in rows)),
                          filename=filename, content_type="text/csv")
