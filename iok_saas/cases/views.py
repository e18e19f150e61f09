"""The pages every kind of case has, written once and added to the capability's own blueprints
(the addresses and endpoint names stay the capability's): the staff queue with its filters,
paging and CSV export, and a case's files for residents and for staff.

A capability describes its queue with ``Queue`` and calls ``add_staff_views`` and
``add_file_view``; its own pages (the form, the case page, its actions) stay in its routes,
which write a case's page with ``case_page`` and, for a kind that goes as a letter does, take
its forms (``iok_saas.cases.forms``) in with ``comment_sent`` and ``staff_answer_sent``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any, TypeVar

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from iok_saas import registers
from iok_saas.audit import services as audit
from iok_saas.cases import files as case_files
from iok_saas.cases import queue as queues
from iok_saas.cases import services as cases
from iok_saas.cases.kinds import Upload, kind_of
from iok_saas.cases.models import Case
from iok_saas.db import db
from iok_saas.estate import services as estate
from iok_saas.web.access import one_or_404, staff_required
from iok_saas.web.formatting import daytime
from iok_saas.web.problems import commit_or_show

C = TypeVar("C", bound=Case)


def uploads(field: Any) -> list[Upload]:
    """The files chosen in a multiple file field (empty entries left out)."""
    return [Upload(f.filename, f.read()) for f in (field.data or [])
            if f and getattr(f, "filename", "")]


def upload_limit(model: type[Case], rules: Callable[[], Any]) -> Callable[[], int]:
    """For ``takes_upload``: the bytes one message's files of the kind may hold together, by
    the cooperative's rules (``rules()``, read at the request)."""

    def limit() -> int:
        limits = kind_of(model).files(rules())
        return (limits.max_mb * limits.per_message) << 20

    return limit


def followed_or_404(model: type[C], case_id: int) -> C:
    """A case of the kind the signed-in resident follows (any other: a 404)."""
    return one_or_404(cases.followed(model, current_user.id, case_id))


def staff_case_or_404(model: type[C], case_id: int, what: Callable[[C], str]) -> C:
    """Any case of the kind in the cooperative (else a 404); opening its page (a GET) is kept
    as staff having looked at the filer's data (``what`` the case is, in the person's log)."""
    found = one_or_404(cases.staff_case(model, case_id))
    if request.method == "GET":
        audit.record_view([found.filed_by_id], current_user, what(found))
        db.session.commit()
    return found


def fill_staff_form(form: Any, case: Case) -> Any:
    """A case's action form: the statuses it may move to, who it can be assigned to."""
    kind = kind_of(case)
    form.status.choices = [("", _("— unchanged (%(status)s) —",
                                  status=kind.statuses[case.status]))] + [
        (status, str(kind.statuses[status])) for status in kind.moves.get(case.status, ())]
    form.assign_to.choices = queues.assignee_choices(_("nobody"))
    if request.method == "GET":
        form.assign_to.data = str(case.assigned_to_id or "")
    return form


def staff_action(form: Any, case: Case, **more: Any) -> cases.Action:
    """The action the staff form asks for (assignment read the same way for every kind)."""
    assign = form.assign_to.data or ""
    return cases.Action(assign_to=int(assign) if assign.isdigit() else None,
                        unassign=not assign and case.assigned_to_id is not None,
                        status=form.status.data or None, note=form.note.data or "", **more)


def case_page(template: str, case: Case, form: Any, rules: Any, *, staff: bool = False,
              **more: Any) -> str:
    """A case's page: its thread as the reader may see it (staff: the internal notes too) with
    each event's files, the limits of a message's files by the cooperative's ``rules``; for
    staff the names of the filer and the assignee, and how their answer is signed."""
    kind = kind_of(case)
    entries = cases.history(case, viewer_id=None if staff else current_user.id)
    limits = kind.files(rules)
    if staff:
        more = {"names": queues.people([case.filed_by_id, case.assigned_to_id]),
                "signature": (kind.signature(current_user) if kind.signature else
                              current_user.full_name)} | more
    return render_template(template, case=case, form=form, entries=entries,
                           attachments=case_files.by_event(entries), max_mb=limits.max_mb,
                           per_message=limits.per_message, **more)


def comment_sent(form: Any, case: Case, rules: Callable[[], Any], endpoint: str,
                 code: int = 302) -> Response | None:
    """The resident's form (``forms.follow_up_form``) sent on their case's page: the text and
    files added and saved, and the way back to the thread (``endpoint``, by ``case_id``); None
    where nothing was sent or it was refused (the page shows the form again, with why)."""
    if request.method == "POST" and form.validate_on_submit() and commit_or_show(
            lambda: cases.comment(case, current_user, form.text.data or "",
                                  uploads(form.attachments), rules()),
            _("Your answer has been sent to the cooperative."), form, "text"):
        return redirect(url_for(endpoint, case_id=case.id, _anchor="watek"), code)
    return None


def staff_answer_sent(form: Any, case: Case, rules: Callable[[], Any],
                      endpoint: str) -> Response | None:
    """The office's form (``forms.staff_form``) sent on a case's page: the answer with its
    files, the note, the status, the assignment and the closing done and saved, and the way
    back to the page (``endpoint``, by ``case_id``); None where nothing was sent or it was
    refused (the page shows the form again, with why)."""
    if request.method != "POST" or not form.validate_on_submit():
        return None
    action = staff_action(form, case, reply=form.answer.data or "",
                          files=tuple(uploads(form.attachments)), close=form.close.data,
                          close_reason=form.close_reason.data or "")
    if commit_or_show(lambda: cases.act(case, current_user, action, rules()), _("Saved."),
                      form):
        return redirect(url_for(endpoint, case_id=case.id))
    return None


@dataclass(frozen=True)
class Queue:
    """A kind's staff queue: its filter form (with the field of its categories), its page, and
    its CSV export (a row per case from the case, names by id and the cases it points at)."""

    model: type[Case]
    filter_form: type[queues.FilterForm]
    kind_field: str  # "category", "topic": the address staff bookmark keeps its name
    kinds: Callable[[], Sequence[str]]  # the cooperative's categories of the kind
    template: str  # extends cases/staff_queue.html with the kind's columns
    case_view: str  # the endpoint (of the same blueprint) of one case's page: "report", "case"
    case_arg: str  # its argument: "report_id", "case_id"
    csv_columns: tuple[str, ...]
    csv_name: str
    csv_row: Callable[[Any, Mapping[int, Any], Mapping[int, Case]], dict[str, Any]]

    def read(self, buildings: Any = None, staff: Any = None) -> tuple[Any, queues.Filters]:
        """The queue's filters from the address (anything odd falls back to the default),
        against the buildings and staff given (else read here)."""
        return queues.read_filters(self.filter_form, self.kind_field,
                                   kind_of(self.model).statuses, self.kinds(),
                                   estate.buildings() if buildings is None else buildings, staff)


def letter_csv_row(c: Any, names: Mapping[int, Any]) -> dict[str, Any]:
    """The columns of the export of a kind that goes as a letter does (its ``Queue.csv_row``
    adds its own): the number, when it came, the unit, where it stands, who wrote and who
    deals with it, when it was first answered and when closed, and why."""
    author, assignee = names.get(c.filed_by_id), names.get(c.assigned_to_id)
    return {
        "numer": c.registry_number, "wplynelo": daytime(c.created_at),
        "lokal": c.unit.address if c.unit else "",
        "status": str(kind_of(c).statuses.get(c.status, c.status)),
        "mieszkaniec": author.full_name if author else "",
        "przydzielona": assignee.full_name if assignee else "",
        "pierwsza_odpowiedz": daytime(c.first_answer_at) if c.first_answer_at else "",
        "zamknieta": daytime(c.closed_at) if c.closed_at else "",
        "powod_zamkniecia": c.close_reason,
    }


def _building(row: Any) -> SimpleNamespace:
    return SimpleNamespace(id=row.id, address=f"{row.street} {row.number}")


def _person(row: Any, prefix: str, person_id: int | None = None) -> SimpleNamespace:
    """A person's id and name as ``User.full_name`` writes it, from a row's columns."""
    first, last = getattr(row, f"{prefix}first_name"), getattr(row, f"{prefix}last_name")
    name = f"{first} {last}".strip() or getattr(row, f"{prefix}identifier")
    return SimpleNamespace(id=person_id if person_id is not None else row.id, full_name=name)


def _queue_item(row: Any, open_statuses: Sequence[str]) -> SimpleNamespace:
    """A queue's row as the queue templates read a case."""
    unit = building = None
    if row.unit_number is not None:
        unit = estate.UnitRow(0, row.unit_street, row.unit_building_number, row.unit_number,
                              row.unit_postal_code, row.unit_city)
    if row.building_street is not None:
        building = SimpleNamespace(address=f"{row.building_street} {row.building_number}")
    return SimpleNamespace(
        id=row.id, registry_number=registers.label(row.register, row.year, row.number),
        created_at=row.created_at, status=row.status, category=row.category,
        topic=row.category, subject=row.subject, place=row.place, planned_on=row.planned_on,
        is_open=row.status in open_statuses, unit=unit, building=building,
        filed_by_id=row.filed_by_id, assigned_to_id=row.assigned_to_id)


def add_staff_views(bp: Blueprint, queue: Queue) -> None:
    """The queue (``<bp>.queue``, at the blueprint's root) and its export
    (``<bp>.export_csv``, ``eksport.csv``)."""

    @staff_required
    def show_queue():
        """Cases to deal with, oldest first, with their age in days."""
        kind = kind_of(queue.model)
        asked = queues.asked_filters(queue.kind_field, kind.statuses, queue.kinds())
        size = queues.PAGE_SIZE
        number = min(max(request.args.get("strona", 1, type=int), 1), 2**31 // size)
        rows = cases.queue_page(queue.model, asked, current_user, number, size)
        pages = max(1, -(-rows["count"][0].count // size))
        if number > pages:  # an old link after the queue shrank: its last page
            number = pages
            rows = cases.queue_page(queue.model, asked, current_user, number, size)
        form, _filters = queue.read([_building(b) for b in rows["buildings"]],
                                    [_person(p, "") for p in rows["staff"]])
        page = queues.Page([_queue_item(row, kind.open) for row in rows["items"]],
                           rows["count"][0].count, number, pages,
                           {k: v for k, v in request.args.items() if k != "strona"})
        names = {}
        for row in rows["items"]:
            names[row.filed_by_id] = _person(row, "filer_", row.filed_by_id)
            if row.assigned_to_id:
                names[row.assigned_to_id] = _person(row, "assignee_", row.assigned_to_id)
        return render_template(
            queue.template, form=form, queue=page, names=names, now=datetime.now().astimezone(),
            filters=(form.status, form[queue.kind_field], form.building, form.older,
                     form.assigned),
            queue_endpoint=f"{bp.name}.queue", export_endpoint=f"{bp.name}.export_csv",
            case_endpoint=f"{bp.name}.{queue.case_view}", case_arg=queue.case_arg)

    @staff_required
    def export_csv() -> Response:
        """The cases the filters show, for the cooperative's own records (Excel opens it)."""
        _form, filters = queue.read()
        found = list(db.session.scalars(cases.queue(queue.model, filters),
                                        queues.filter_values(filters, current_user)).unique())
        names = queues.people([c.filed_by_id for c in found]
                              + [c.assigned_to_id for c in found])
        linked = cases.linked(found)
        return queues.csv_download(queue.csv_columns,
                                   (queue.csv_row(c, names, linked) for c in found),
                                   queue.csv_name)

    bp.add_url_rule("/", "queue", show_queue, methods=["GET"])
    bp.add_url_rule("/eksport.csv", "export_csv", export_csv, methods=["GET"])


def add_file_view(bp: Blueprint, model: type[Case], rule: str, endpoint: str, *,
                  staff: bool) -> None:
    """A case's file at ``rule`` (``<case id>/…/<file id>``, the first argument the case's, the
    second the file's): for staff any file of the case; for a resident only the files of events
    they may see, of a case they follow."""
    case_arg, file_arg = (part.split(":")[1].rstrip(">") for part in rule.split("/")
                          if part.startswith("<"))

    def show_file(**args: int) -> Response:
        found = one_or_404(cases.staff_case(model, args[case_arg]) if staff else
                           cases.followed(model, current_user.id, args[case_arg]))
        events = cases.history(found, viewer_id=None if staff else current_user.id)
        return case_files.download(found, one_or_404(case_files.file_of(events,
                                                                        args[file_arg])))

    guard = staff_required if staff else login_required
    bp.add_url_rule(rule, endpoint, guard(show_file), methods=["GET"])
