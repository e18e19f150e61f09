"""The pages every kind of case has, written once and added to the capability's own blueprints
(the addresses and endpoint names stay the capability's): the staff queue with its filters,
paging and CSV export, and a case's files for residents and for staff.

A capability describes its queue with ``Queue`` and calls ``add_staff_views`` and
``add_file_view``; its own pages (the form, the case page, its actions) stay in its routes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from iok_saas.audit import services as audit
from iok_saas.cases import files as case_files
from iok_saas.cases import queue as queues
from iok_saas.cases import services as cases
from iok_saas.cases.kinds import Upload, kind_of
from iok_saas.cases.models import Case
from iok_saas.db import db
from iok_saas.estate.services import buildings
from iok_saas.web.access import one_or_404, staff_required

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

    def read(self) -> tuple[Any, queues.Filters]:
        """The queue's filters from the address (anything odd falls back to the default)."""
        return queues.read_filters(self.filter_form, self.kind_field,
                                   kind_of(self.model).statuses, self.kinds(), buildings())


def add_staff_views(bp: Blueprint, queue: Queue) -> None:
    """The queue (``<bp>.queue``, at the blueprint's root) and its export
    (``<bp>.export_csv``, ``eksport.csv``)."""

    @staff_required
    def show_queue():
        """Cases to deal with, oldest first, with their age in days."""
        form, filters = queue.read()
        page = queues.page_of(cases.queue(queue.model, filters, current_user))
        names = queues.people([c.assigned_to_id for c in page.items]
                              + [c.filed_by_id for c in page.items])
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
        found = list(db.session.scalars(cases.queue(queue.model, filters,
                                                    current_user)).unique())
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
