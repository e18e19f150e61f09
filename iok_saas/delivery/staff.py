"""The office's pages of deliveries (``/panel/doreczenia``).

* The bulk deliveries (ZIPs sent on the import page), a search of units, the latest documents.
* A unit's documents with the proof per person; withdrawal (with the reason) and a corrected
  PDF in place of a wrong one; the unit's proof sheet as PDF and CSV.
* A bulk delivery's proof: the CSV whole (written out as it is read), the PDF per building.
* One document delivered by hand, with the earliest lawful date of a fee change shown.
* The paper list: what must go on paper and why; printing it (a POST) marks the lines printed
  and gives the list with a copy of each document in one PDF.
* The consent to electronic delivery on the staff page of a resident's account, recorded from
  paper with the date it bears.

Withdrawal, correction, printing and consent are in the audit log (``services``).
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import DateField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from iok_saas import files
from iok_saas.audit import services as audit
from iok_saas.audit.models import UNIT_DOCUMENTS_DELIVERED
from iok_saas.auth.models import RESIDENT, User
from iok_saas.db import db
from iok_saas.delivery import office, rules, services
from iok_saas.delivery.models import STAFF
from iok_saas.estate import services as estate
from iok_saas.estate.forms import chosen_id
from iok_saas.files.uploads import takes_upload
from iok_saas.tenancy.features import require_feature
from iok_saas.web.access import one_or_404, staff_required
from iok_saas.web.formatting import day, local_today
from iok_saas.web.forms import SAFE_LINE, SAFE_TEXT, ActionForm, Form
from iok_saas.web.pdf import render_pdf
from iok_saas.web.problems import DomainError, show

bp = Blueprint("staff_delivery", __name__, url_prefix="/panel/doreczenia",
               template_folder="templates")
require_feature(bp, "delivery")


@bp.context_processor
def _helpers() -> dict[str, Any]:
    """What the pages and sheets of deliveries write moments with (to the second)."""
    return {"moment": office.moment}


PDF_ACCEPT = {"accept": "application/pdf,.pdf"}
CONSENT_ANCHOR = "zgoda-na-doreczenia"


def _pdf_limit() -> int:
    """The largest PDF the cooperative delivers, in bytes."""
    return g.tenant.settings.delivery.pdf_max_mb << 20


def _sentence(message: Any) -> str:
    """A rule's message as a sentence on a page (they are written as clauses)."""
    text = str(message).strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _kind_choices() -> list[SelectChoice]:
    return [SelectChoice(name, rules.KINDS[name].label)
            for name in g.tenant.settings.delivery.kinds if name in rules.KINDS]


# --- forms ---------------------------------------------------------------------------------------


class DeliveryForm(Form):
    """One document delivered by hand to a unit (or to one person holding it)."""

    unit = HiddenField()  # the unit's page sends its id
    building = SelectField(_l("Building"), coerce=chosen_id, validators=[Optional()])
    unit_number = StringField(_l("Unit number"), validators=[
        Optional(), Length(max=20, message=_l("At most %(max)d characters.")), SAFE_TEXT],
        render_kw={"autocomplete": "off"})
    kind = SelectField(_l("Kind of document"))
    title = StringField(_l("Title"), validators=[
        DataRequired(_l("Enter the title.")),
        Length(max=300, message=_l("At most %(max)d characters.")), SAFE_LINE],
        description=_l("As the resident will see it, e.g. “Zawiadomienie o zmianie opłat od "
                       "1 kwietnia 2027 r.”"), render_kw={"autocomplete": "off"})
    effective_on = DateField(_l("Effective date"), validators=[Optional()], description=_l(
        "A fee change: the day the new fees apply; a meeting notice: the meeting's day; a "
        "settlement: the end of the period it settles."))
    ksef_number = StringField(_l("Number in the National e-Invoice System (KSeF)"),
                              validators=[Optional(), Length(max=40), SAFE_TEXT],
                              description=_l("Invoices only."),
                              render_kw={"autocomplete": "off"})
    person = StringField(_l("Only for one person: their account identifier (optional)"),
                         validators=[Optional(), Length(max=40), SAFE_TEXT],
                         description=_l("Leave empty to deliver to every person holding a "
                                        "title to the unit."),
                         render_kw={"autocomplete": "off"})
    file = FileField(_l("The document (PDF)"), render_kw=PDF_ACCEPT)


class WithdrawForm(Form):
    """Withdraw a delivered document: the reason is required and kept with the proof."""

    reason = StringField(_l("Reason for the withdrawal"), validators=[
        DataRequired(_l("Please give the reason for withdrawing it.")),
        Length(max=500, message=_l("At most %(max)d characters.")), SAFE_LINE],
        render_kw={"autocomplete": "off"})


class CorrectForm(Form):
    """A corrected PDF in place of a wrong one."""

    file = FileField(_l("The corrected document (PDF)"), render_kw=PDF_ACCEPT)
    reason = StringField(_l("What was wrong"), validators=[
        Optional(), Length(max=500, message=_l("At most %(max)d characters.")), SAFE_LINE],
        description=_l("Kept as the reason for withdrawing the wrong one."),
        render_kw={"autocomplete": "off"})


class ConsentForm(Form):
    """A consent to electronic delivery (or its withdrawal) the resident signed on paper."""

    given = HiddenField(validators=[AnyOf(("1", "0"))])
    on = DateField(_l("Date the signed document bears"), validators=[
        DataRequired(_l("Enter the date the signed document bears."))])


def _upload(field: Any) -> tuple[bytes, str] | None:
    """The PDF a file field holds (at most the cooperative's limit and one byte more: the
    check says it is too large), or None with the error on the field."""
    data = field.data
    if not data or not getattr(data, "filename", ""):
        field.errors = [_("Choose the PDF file.")]
        return None
    return data.stream.read(_pdf_limit() + 1), data.filename


# --- index ---------------------------------------------------------------------------------------


@bp.get("/")
@staff_required
def index():
    """The bulk deliveries, a search of units, the latest documents."""
    query = "".join(ch for ch in request.args.get("q", "") if ch.isprintable()).strip()[:100]
    return render_template("delivery/staff_index.html", runs=office.runs(), query=query,
                           found=office.search_units(query) if query else None,
                           recent=office.recent_documents(), kinds=rules.KINDS,
                           shown=office.RUNS_SHOWN)


# --- a unit --------------------------------------------------------------------------------------


def _unit_or_404(unit_id: int) -> Any:
    return one_or_404(office.unit(unit_id))


def _document_or_404(delivered_id: int) -> Any:
    if not 0 < delivered_id < 2 ** 31:
        abort(404)
    return one_or_404(services.staff_document(delivered_id))


def _withdraw_form(document_id: int) -> WithdrawForm:
    return WithdrawForm(prefix=f"wycofaj-{document_id}")


def _correct_form(document_id: int) -> CorrectForm:
    return CorrectForm(prefix=f"popraw-{document_id}")


def _looked_at(address: str, people: list[Any]) -> None:
    """Staff were shown the documents delivered to these people and their proof: in each
    person's log of who looked at their data (a GET; committed)."""
    audit.record_view([p for p in people if p is not None], current_user,
                      _("documents delivered to %(address)s, with the proof of delivery",
                        address=address))
    db.session.commit()


def _unit_page(unit: Any, status: int = 200, acted: Form | None = None,
               acted_on: int | None = None):
    """The unit's page; ``acted`` is the form of document ``acted_on`` shown again with its
    errors (its section open)."""
    if request.method == "GET":
        _looked_at(unit.address, office.people_of_unit(unit.id))
    found = office.unit_proofs(unit.id)
    people = office.holders(unit.id)
    forms = {}
    for proof in found:
        number = proof.document.id
        withdraw_form, correct_form = _withdraw_form(number), _correct_form(number)
        if number == acted_on and isinstance(acted, WithdrawForm):
            withdraw_form = acted
        elif number == acted_on and isinstance(acted, CorrectForm):
            correct_form = acted
        forms[number] = (withdraw_form, correct_form)
    return render_template(
        "delivery/staff_unit.html", unit=unit, proofs=found, forms=forms, holders=people,
        consenting=services.consented_among([p.id for p in people]), kinds=rules.KINDS,
        acted_on=acted_on), status


@bp.get("/lokal/<int:unit_id>")
@staff_required
def unit_page(unit_id: int):
    """Every document delivered to the unit, newest first, with the proof per person."""
    return _unit_page(_unit_or_404(unit_id))


def _proof_pdf(rows: list[services.ProofRow], *, scope: str, filename: str,
               newest_first: bool = False) -> Response:
    """A proof sheet of these lines (at most ``office.PDF_ROWS``: the sheet says so)."""
    found = office.proofs(office.first_lines(rows, office.PDF_ROWS))
    if newest_first:
        found.sort(key=lambda p: (p.document.made_available_at, p.document.id), reverse=True)
    pdf = render_pdf("delivery/staff_proof_pdf.html", proofs=found, scope=scope,
                     generated=office.generated_at(), kinds=rules.KINDS,
                     shown=office.lines_of(found), total=max(len(rows), 1))
    return files.download(pdf, filename=filename, content_type="application/pdf")


def _csv(lines: Any, filename: str) -> Response:
    """A CSV written out line by line as the answer goes (``lines`` reads nothing more from
    the database: the request's session and cooperative are gone by then)."""
    response = Response(lines, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/lokal/<int:unit_id>/dowod.pdf")
@staff_required
def unit_proof_pdf(unit_id: int) -> Response:
    """The unit's proof sheet."""
    unit = _unit_or_404(unit_id)
    rows = services.proof_rows(unit_id=unit.id)
    _looked_at(unit.address, [row.user_id for row in rows])
    return _proof_pdf(rows,
                      scope=_("Unit: %(address)s", address=unit.address),
                      filename=f"dowod-doreczenia-lokal-{unit.id}.pdf", newest_first=True)


@bp.get("/lokal/<int:unit_id>/dowod.csv")
@staff_required
def unit_proof_csv(unit_id: int) -> Response:
    """The unit's proof, one line per document and person."""
    unit = _unit_or_404(unit_id)
    rows = services.proof_rows(unit_id=unit.id)
    _looked_at(unit.address, [row.user_id for row in rows])
    return _csv(office.proof_csv(rows),
                f"dowod-doreczenia-lokal-{unit.id}.csv")


# --- one document --------------------------------------------------------------------------------


@bp.get("/dokument/<int:delivered_id>/plik.pdf")
@staff_required
def document_file(delivered_id: int) -> Response:
    """The PDF as it was delivered (withdrawn ones too)."""
    document = _document_or_404(delivered_id)
    file_id, filename, address = document.file_id, document.filename, document.address
    _looked_at(address, [row.user_id for row in services.proof_rows(document_id=document.id)])
    return files.download(files.read(file_id), filename=filename,
                          content_type="application/pdf")


@bp.get("/dokument/<int:delivered_id>/dowod.pdf")
@staff_required
def document_proof_pdf(delivered_id: int) -> Response:
    """One document's proof sheet."""
    document = _document_or_404(delivered_id)
    number, address = document.id, document.address
    rows = services.proof_rows(document_id=number)
    _looked_at(address, [row.user_id for row in rows])
    return _proof_pdf(rows, scope=_("Unit: %(address)s", address=address),
                      filename=f"dowod-doreczenia-dokument-{number}.pdf")


@bp.post("/dokument/<int:delivered_id>/wycofaj")
@staff_required
def withdraw(delivered_id: int):
    """Withdraw a wrong document: residents see it marked withdrawn; its proof stays."""
    document = _document_or_404(delivered_id)
    unit = _unit_or_404(document.unit_id)
    form = _withdraw_form(document.id)
    if form.validate_on_submit():
        try:
            services.withdraw(document, current_user, form.reason.data)
        except DomainError as error:
            db.session.rollback()
            show(error, form, "reason")
        else:
            db.session.commit()
            flash(_("The document has been withdrawn. Residents see it marked withdrawn; its "
                    "proof of delivery stays."), "success")
            return redirect(url_for(".unit_page", unit_id=unit.id, _anchor=f"dok-{document.id}"))
    return _unit_page(unit, 422, form, document.id)


@bp.post("/dokument/<int:delivered_id>/popraw")
@staff_required
@takes_upload(_pdf_limit)
def correct(delivered_id: int):
    """Deliver a corrected PDF: the wrong one is withdrawn (if it is not yet), the corrected
    one delivered to the same people with the same kind, title and date."""
    document = _document_or_404(delivered_id)
    unit = _unit_or_404(document.unit_id)
    form = _correct_form(document.id)
    if form.validate_on_submit() and (upload := _upload(form.file)) is not None:
        made: list[Any] = []
        try:
            made.append(services.redeliver(document, upload[0], upload[1], current_user,
                                           g.tenant, form.reason.data or ""))
        except DomainError as error:
            db.session.rollback()
            place = getattr(form, error.field or "file", None)
            if place is None:
                show(error)
            else:
                place.errors = [_sentence(error)]
        else:
            db.session.commit()
            flash(_("The corrected document has been delivered; the wrong one is withdrawn and "
                    "its proof stays."), "success")
            late = rules.too_late(document.kind, document.effective_on, local_today(),
                                  g.tenant.settings.delivery.payment_day)
            if late is not None:
                flash(_("Please note: %(problem)s", problem=late), "error")
            return redirect(url_for(".unit_page", unit_id=unit.id, _anchor=f"dok-{made[0].id}"))
    return _unit_page(unit, 422, form, document.id)


# --- a bulk delivery -----------------------------------------------------------------------------


def _run_or_404(run_id: int) -> office.RunLine:
    return one_or_404(office.run(run_id))


@bp.get("/wysylka/<int:run_id>")
@staff_required
def run_page(run_id: int):
    """A bulk delivery: its buildings (each with its proof sheet) and its first proof lines."""
    found = _run_or_404(run_id)
    buildings = office.run_buildings(found.id)
    rows = services.proof_rows(run_id=found.id, limit=office.RUN_ROWS_SHOWN)
    return render_template("delivery/staff_run.html", run=found, buildings=buildings,
                           rows=rows, lines=sum(b.lines for b in buildings),
                           pdf_rows=office.PDF_ROWS, kinds=rules.KINDS)


@bp.get("/wysylka/<int:run_id>/dowod.pdf")
@staff_required
def run_proof_pdf(run_id: int):
    """A bulk delivery's proof sheet: of one building (``?budynek=``), or of the whole
    delivery when it fits on one sheet."""
    found = _run_or_404(run_id)
    building = office.building(request.args.get("budynek", type=int))
    if building is None:
        lines = sum(b.lines for b in office.run_buildings(found.id))
        if lines > office.PDF_ROWS:
            flash(_("This delivery has %(num)d proof lines: its PDF is made per building "
                    "(at most %(max)d lines a sheet). The CSV holds them all.", num=lines,
                    max=office.PDF_ROWS), "error")
            return redirect(url_for(".run_page", run_id=found.id))
        rows = services.proof_rows(run_id=found.id)
        scope = _("Bulk delivery no. %(num)d (%(file)s)", num=found.id, file=found.filename)
        name = f"dowod-doreczenia-wysylka-{found.id}.pdf"
    else:
        units = office.units_of_building(building.id)
        rows = [row for row in services.proof_rows(run_id=found.id) if row.unit_id in units]
        scope = _("Bulk delivery no. %(num)d (%(file)s), building %(building)s", num=found.id,
                  file=found.filename, building=f"{building.address}, {building.city}")
        name = f"dowod-doreczenia-wysylka-{found.id}-budynek-{building.id}.pdf"
    return _proof_pdf(rows, scope=scope, filename=name)


@bp.get("/wysylka/<int:run_id>/dowod.csv")
@staff_required
def run_proof_csv(run_id: int) -> Response:
    """A bulk delivery's whole proof, one line per document and person."""
    found = _run_or_404(run_id)
    return _csv(office.proof_csv(services.proof_rows(run_id=found.id)),
                f"dowod-doreczenia-wysylka-{found.id}.csv")


# --- one document delivered by hand --------------------------------------------------------------


def _delivery_form() -> DeliveryForm:
    form = DeliveryForm()
    form.building.choices = [SelectChoice("", _("— choose —"))] + [
        SelectChoice(b.id, f"{b.street} {b.number}, {b.city}") for b in estate.buildings()]
    form.kind.choices = _kind_choices()
    return form


def _chosen_unit(form: DeliveryForm) -> Any:
    """The unit the form names (by the unit page's id, or building and number), or None with
    the error on the field."""
    if form.unit.data:
        found = (office.unit(int(form.unit.data))
                 if form.unit.data.isascii() and form.unit.data.isdigit() else None)
        if found is None:
            abort(404)
        return found
    if form.building.data is None:
        form.building.errors = [_("Choose the building.")]
        return None
    if not (form.unit_number.data or "").strip():
        form.unit_number.errors = [_("Enter the unit number.")]
        return None
    found = estate.find_unit(form.building.data, form.unit_number.data)
    if found is None:
        form.unit_number.errors = [_("There is no such unit in this building.")]
    return found


def _parcel_field(parcel: services.Parcel) -> str:
    """The field a parcel's problem belongs to (the order ``parcel_problem`` checks in)."""
    kind = rules.KINDS.get(parcel.kind)
    if kind is None or parcel.kind not in g.tenant.settings.delivery.kinds:
        return "kind"
    if not parcel.title.strip() or len(parcel.title) > 300:
        return "title"
    if kind.needs_ksef and not services.KSEF.fullmatch(parcel.ksef_number):
        return "ksef_number"
    return "effective_on"


def _delivered(form: DeliveryForm, unit: Any) -> Any:
    """Check everything, then deliver (no commit); None with the errors on the form."""
    person = None
    if (form.person.data or "").strip():
        person = office.holder(unit.id, form.person.data)
        if person is None:
            form.person.errors = [_("Nobody with this identifier holds a title to the unit.")]
    parcel = services.Parcel(
        unit_id=unit.id, kind=form.kind.data, title=form.title.data or "",
        effective_on=form.effective_on.data,
        ksef_number=(form.ksef_number.data or "").strip().upper(),
        person_id=person.id if person is not None else None)
    problem = services.parcel_problem(parcel, g.tenant, local_today())
    if problem is not None:
        getattr(form, _parcel_field(parcel)).errors = [_sentence(problem)]
    upload = _upload(form.file)
    if upload is not None and (bad := services.pdf_checked(upload[0], g.tenant)) is not None:
        form.file.errors = [_sentence(bad)]
    if form.errors or upload is None:
        return None
    document, created = services.deliver(parcel, upload[0], upload[1], unit=unit,
                                         tenant=g.tenant, actor=current_user.full_name)
    if not created:
        db.session.rollback()
        form.file.errors = [_("This very PDF was already delivered to the unit as this kind "
                              "of document on %(date)s.", date=day(document.made_available_at))]
        return None
    audit.record(UNIT_DOCUMENTS_DELIVERED, actor=current_user, identifier=document.title[:120],
                 documents=1, document=document.id, unit=unit.id, kind=document.kind)
    return document


@bp.route("/nowy", methods=["GET", "POST"])
@staff_required
@takes_upload(_pdf_limit)
def new():
    """Deliver one document to a unit (``?lokal=`` from the unit's page)."""
    form = _delivery_form()
    unit = None
    if request.method == "GET":
        asked = request.args.get("lokal", type=int)
        if asked is not None:
            unit = office.unit(asked)
            form.unit.data = str(unit.id) if unit is not None else ""
        # A letter asking for a certificate links here with its kind, person and title.
        if request.args.get("rodzaj") in {choice.value for choice in form.kind.choices}:
            form.kind.data = request.args["rodzaj"]
        form.person.data = request.args.get("osoba", "")[:40]
        form.title.data = request.args.get("tytul", "")[:300]
    else:
        valid = form.validate_on_submit()
        unit = _chosen_unit(form)  # its errors shown with the others
        document = _delivered(form, unit) if valid and unit is not None else None
        if document is not None:
            db.session.commit()
            flash(_delivered_message(document.id), "success")
            return redirect(url_for(".unit_page", unit_id=unit.id, _anchor=f"dok-{document.id}"))
    today, earliest = office.today_and_earliest()
    status = 422 if request.method == "POST" else 200
    return render_template("delivery/staff_new.html", form=form, unit=unit, today=today,
                           earliest=earliest, fee_change=rules.FEE_CHANGE,
                           independent=rules.FEE_CHANGE_INDEPENDENT,
                           holders=office.holders(unit.id) if unit is not None else [],
                           payment_day=g.tenant.settings.delivery.payment_day), status


def _delivered_message(document_id: int) -> str:
    rows = services.proof_rows(document_id=document_id)
    people = [row for row in rows if row.user_id is not None]
    if not people:
        return _("The document has been delivered. Nobody holding the unit has an account in "
                 "the portal: it is on the list to deliver on paper.")
    mailed = sum(1 for row in people if row.outbox_id)
    return ngettext("The document has been delivered to %(num)d person",
                    "The document has been delivered to %(num)d persons", len(people)) + "; " + \
        _("told by e-mail: %(mailed)d; to deliver on paper: %(paper)d.", mailed=mailed,
          paper=sum(1 for row in people if not row.consented))


# --- the paper list ------------------------------------------------------------------------------


def _paper_filter() -> tuple[Any, bool]:
    asked = request.values.get("budynek", type=int)
    chosen = office.building(asked) if asked else None
    if asked and chosen is None:
        abort(404)
    return chosen, request.values.get("wydrukowane") == "1"


@bp.get("/papier")
@staff_required
def paper():
    """What must be delivered on paper, by building (``?budynek=``; ``?wydrukowane=1`` with
    the lines already printed)."""
    chosen, printed = _paper_filter()
    rows = services.paper_rows(chosen.id if chosen else None, g.tenant, printed=printed)
    shown = rows[:office.PAPER_SHOWN]
    waiting = sum(1 for row in rows if row.printed_at is None)
    return render_template(
        "delivery/staff_paper.html", groups=office.paper_groups(shown), total=len(rows),
        shown=len(shown), waiting=waiting, chosen=chosen, printed=printed,
        buildings=estate.buildings(), identifiers=office.identifiers_of(shown),
        kinds=rules.KINDS, days=g.tenant.settings.delivery.paper_after_days,
        batch=office.PAPER_PRINTED)


@bp.post("/papier.pdf")
@staff_required
def paper_pdf():
    """Print: the list with a copy of each document, in one PDF (at most ``PAPER_PRINTED``
    lines a time); the lines are marked printed and leave the list."""
    chosen, printed = _paper_filter()
    if not ActionForm().validate_on_submit():
        abort(400)
    rows = services.paper_rows(chosen.id if chosen else None, g.tenant, printed=printed)
    rows = rows[:office.PAPER_PRINTED]
    if not rows:
        flash(_("There is nothing to print."), "error")
        return redirect(url_for(".paper", budynek=chosen.id if chosen else None))
    sheet = render_pdf("delivery/staff_paper_pdf.html", groups=office.paper_groups(rows),
                       identifiers=office.identifiers_of(rows), chosen=chosen,
                       generated=office.generated_at(), count=len(rows),
                       kinds=rules.KINDS, days=g.tenant.settings.delivery.paper_after_days)
    pdf = office.with_documents(sheet, rows)
    services.mark_printed(rows, current_user)
    db.session.commit()
    place = f"-budynek-{chosen.id}" if chosen else ""
    return files.download(pdf, filename=f"do-doreczenia-papierowego{place}-"
                          f"{local_today():%Y-%m-%d}.pdf", content_type="application/pdf")


@bp.get("/papier.csv")
@staff_required
def paper_csv() -> Response:
    """The paper list as CSV (printing nothing, marking nothing)."""
    chosen, printed = _paper_filter()
    rows = services.paper_rows(chosen.id if chosen else None, g.tenant, printed=printed)
    return _csv(office.paper_csv(rows), "do-doreczenia-papierowego.csv")


# --- consent on the staff account page -----------------------------------------------------------


def consent_section(person: Any, given: dict[str, Any]) -> dict[str, Any] | None:
    """The section of a resident's account page: consent now, its history, the paper form."""
    if person.role != RESIDENT:
        return None
    current = services.consent_of(person.id)
    history = services.consent_history(person.id)
    actors = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_({row.actor_id for row in history if row.actor_id is not None})))}
    given_now = bool(current and current.given)
    form = ConsentForm(prefix="zgoda", data={"given": "0" if given_now else "1"})
    return {"current": current, "history": history, "actors": actors, "form": form,
            "given_now": given_now, "anchor": CONSENT_ANCHOR}


@bp.post("/zgoda/<int:user_id>")
@staff_required
def consent(user_id: int):
    """Record a consent to electronic delivery (or its withdrawal) signed on paper, with the
    date it bears."""
    person = one_or_404(db.session.scalar(select(User).where(
        User.id == user_id, User.role == RESIDENT)) if 0 < user_id < 2 ** 31 else None)
    form = ConsentForm(prefix="zgoda")
    back = url_for("staff.account", user_id=person.id, _anchor=CONSENT_ANCHOR)
    if not form.validate_on_submit():
        if form.csrf_token.errors or form.given.errors:
            abort(400)
        flash(form.on.errors[0] if form.on.errors else _("Enter the date."), "error")
        return redirect(back)
    given = form.given.data == "1"
    try:
        services.set_consent(person, given, g.tenant, actor=current_user, on=form.on.data,
                             way=STAFF)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(back)
    db.session.commit()
    flash(_("The consent to electronic delivery has been recorded.") if given else
          _("The withdrawal of the consent to electronic delivery has been recorded."), "success")
    return redirect(back)
