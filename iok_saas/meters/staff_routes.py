"""Staff: the queue of readings to accept, readings from paper, corrections, the export."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from iok_saas import files
from iok_saas.audit import services as audit
from iok_saas.db import db
from iok_saas.estate.services import holders
from iok_saas.meters import export, photos, services
from iok_saas.meters.forms import CorrectionForm, ReadingForm, RejectForm, apply
from iok_saas.meters.window import today
from iok_saas.tenancy.features import require_feature
from iok_saas.web.access import one_or_404, staff_required
from iok_saas.web.formatting import decimal_comma

bp = Blueprint("staff_meters", __name__, url_prefix="/panel/odczyty", template_folder="templates")
require_feature(bp, "meters")


@bp.get("/")
@staff_required
def queue():
    """Readings waiting for acceptance, oldest first, a page at a time; a meter search by
    serial number. ``?zaznacz=wszystkie`` ticks every reading of the page,
    ``?zaznacz=bez-uwag`` every one without a warning (a link, so it works without
    JavaScript and from the keyboard); after a decision the next page's readings move up."""
    serial = (request.args.get("licznik") or "").strip()[:40]
    found = services.find_meters(serial) if serial else []
    ticked = _TICK.get(request.args.get("zaznacz", ""), "")
    size = services.QUEUE_PAGE
    asked = min(max(request.args.get("strona", 1, type=int) or 1, 1), 2**31 // size)
    shown = services.queue(asked, size)
    return render_template("meters/staff_queue.html", rows=shown.rows, reject=RejectForm(),
                           serial=serial, found=found, ticked=ticked, waiting=shown.waiting,
                           page=shown.page, pages=shown.pages, rows_per_page=size)


_TICK = {"wszystkie": "all", "bez-uwag": "plain"}


def _chosen(values: list[str]) -> dict[int, Decimal]:
    """``id:value`` of each ticked reading, as the page showed it; anything odd is ignored."""
    chosen = {}
    for raw in values[:5000]:
        ident, _, value = raw.partition(":")
        if not (ident.isascii() and ident.isdecimal() and len(ident) < 10):
            continue
        try:
            chosen[int(ident)] = Decimal(value)
        except InvalidOperation:
            continue
    return chosen


@bp.post("/decyzja")
@staff_required
def decide():
    """Accept or reject the chosen readings (one or many at once)."""
    ids = _chosen(request.form.getlist("reading"))
    action = request.form.get("action")
    if not ids:
        flash(_("Choose at least one reading."), "error")
        return redirect(url_for("staff_meters.queue"))
    if action == "accept":
        count = services.decide(ids, current_user, accept=True)
        db.session.commit()
        _report(count, len(ids), ngettext("%(num)d reading accepted.",
                                          "%(num)d readings accepted.", count))
    elif action == "reject":
        form = RejectForm()
        if not form.validate_on_submit():
            flash(_("Give the reason for rejection."), "error")
            return redirect(url_for("staff_meters.queue"))
        count = services.decide(ids, current_user, accept=False, reason=form.reason.data)
        db.session.commit()
        _report(count, len(ids), ngettext("%(num)d reading rejected.",
                                          "%(num)d readings rejected.", count))
    else:
        abort(400)
    return redirect(url_for("staff_meters.queue"))


def _report(count: int, chosen: int, done: str) -> None:
    flash(done, "success")
    if count < chosen:
        flash(_("Some of the chosen readings had been decided or changed by the resident in the "
                "meantime; they were left as they are. Check them on the list."), "info")


@bp.get("/<int:reading_id>/zdjecie")
@staff_required
def photo(reading_id: int) -> Response:
    """The photo a resident attached."""
    reading = one_or_404(services.staff_reading(reading_id))
    return photos.download(one_or_404(photos.photo_of_meter(reading.meter, reading_id)),
                           reading_id)


@bp.route("/licznik/<int:meter_id>", methods=["GET", "POST"])
@staff_required
def meter(meter_id: int):
    """A meter's history; staff enter a reading from paper (accepted at once)."""
    found = one_or_404(services.staff_meter(meter_id))
    form = ReadingForm()
    if request.method == "GET":
        form.read_on.data = today()
        audit.record_view(holders(found.unit_id), current_user,
                          _("meter %(serial)s and its readings", serial=found.serial_number))
        db.session.commit()
    elif form.validate_on_submit() and apply(form, lambda value: services.enter(
            found, value, form.read_on.data, current_user)):
        db.session.commit()
        flash(_("The reading has been saved as accepted."), "success")
        return redirect(url_for("staff_meters.meter", meter_id=meter_id))
    return render_template("meters/staff_meter.html", meter=found, rows=services.history(found),
                           form=form)


@bp.route("/<int:reading_id>/korekta", methods=["GET", "POST"])
@staff_required
def correct(reading_id: int):
    """Correct an accepted reading; the old value stays in the trail."""
    reading = one_or_404(services.staff_reading(reading_id))
    form = CorrectionForm()
    if request.method == "GET":
        form.value.data, form.read_on.data = decimal_comma(reading.value), reading.read_on
    elif form.validate_on_submit() and apply(form, lambda value: services.correct(
            reading, value, form.read_on.data, form.reason.data, current_user)):
        db.session.commit()
        flash(_("The reading has been corrected."), "success")
        return redirect(url_for("staff_meters.meter", meter_id=reading.meter_id))
    return render_template("meters/staff_correct.html", reading=reading, form=form)


@bp.post("/eksport.csv")
@staff_required
def export_csv() -> Response:
    """Accepted readings not exported yet (``?wszystkie=1``: all) for the billing system."""
    text = export.csv_text(export.take(again=request.form.get("wszystkie") == "1"))
    db.session.commit()
    return files.download(text, filename="odczyty.csv", content_type="text/csv")
