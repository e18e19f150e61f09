"""Residents: meters of their units, history, submitting, changing and withdrawing readings."""

from __future__ import annotations

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
from flask_login import current_user, login_required

from iok_saas.contacts import consents
from iok_saas.db import db
from iok_saas.files.uploads import takes_upload
from iok_saas.meters import photos, services
from iok_saas.meters.forms import ReadingForm, RemindersForm, apply
from iok_saas.meters.models import REMOTE, Meter, Reading
from iok_saas.meters.window import today, window_message
from iok_saas.tenancy.features import require_feature
from iok_saas.web import chart
from iok_saas.web.access import one_or_404
from iok_saas.web.formatting import decimal_comma
from iok_saas.web.problems import commit_or_show

bp = Blueprint("meters", __name__, template_folder="templates")
require_feature(bp, "meters")


def _rules():
    return g.tenant.settings.readings


def _meter_or_404(meter_id: int) -> Meter:
    """A meter of one of the resident's units; anyone else's is not found."""
    return one_or_404(services.resident_meter(current_user.id, meter_id))


@bp.get("/liczniki")
@login_required
def index():
    """Every meter of every unit the resident holds."""
    units, states = services.meters_page(current_user.id)
    return render_template("meters/index.html", units=units, states=states,
                           window=window_message(_rules()),
                           reminders=RemindersForm(reminders=current_user.reading_reminders),
                           rules=_rules())


@bp.post("/liczniki/przypomnienia")
@login_required
def reminders():
    """Switch reading reminders on or off."""
    form = RemindersForm()
    if form.validate_on_submit():
        consents.choose(current_user, "reading_reminders", bool(form.reminders.data))
        db.session.commit()
        flash(_("Reminders switched on.") if form.reminders.data
              else _("Reminders switched off."), "success")
    return redirect(url_for("meters.index"))


def _photo(form: ReadingForm) -> bytes | None:
    upload = form.photo.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    return photos.clean(upload.read(), _rules())


def _photo_limit() -> int:
    """The largest photo of a reading the cooperative takes, in bytes."""
    return _rules().photo_max_mb << 20


def _apply(form: ReadingForm, action) -> bool:
    """Run a submit/edit with the form's value, date, photo and confirmation."""
    return apply(form, lambda value: action(value, form.read_on.data, _photo(form),
                                            form.confirmed.data))


@bp.route("/liczniki/<int:meter_id>", methods=["GET", "POST"])
@login_required
@takes_upload(_photo_limit)
def meter(meter_id: int):
    """The meter's history and chart, and the form "Zgłoś odczyt licznika"."""
    found = _meter_or_404(meter_id)
    form = ReadingForm()
    if request.method == "GET":
        form.read_on.data = today()
    elif form.validate_on_submit() and _apply(form, lambda value, read_on, photo, confirmed:
                                             services.submit(found, current_user, value, read_on,
                                                             _rules(), photo=photo,
                                                             confirmed=confirmed)):
        db.session.commit()
        flash(_("Thank you. The reading is waiting for the cooperative to accept it."),
              "success")
        return redirect(url_for("meters.meter", meter_id=meter_id))
    return _meter_page(found, form)


def _meter_page(found: Meter, form: ReadingForm, editing: Reading | None = None):
    rows = services.history(found)
    points = [(f"{day:%m.%y}", (used,)) for day, used in services.consumption_by_period(rows)]
    return render_template("meters/meter.html", meter=found, state=services.state_from(found, rows),
                           rows=rows,
                           chart=chart.grouped(points[-24:], ("consumption",)),
                           form=form, editing=editing, window=window_message(_rules()),
                           remote=services.last_remote(found.id)
                           if found.reading_mode == REMOTE else None)


def _gone(found: Meter, reading_id: int):
    """A reading staff decided meanwhile: say so (not found for anything else)."""
    if not services.decided_of(found, reading_id):
        abort(404)
    flash(services.DECIDED, "error")
    return redirect(url_for("meters.meter", meter_id=found.id))


@bp.route("/liczniki/<int:meter_id>/odczyty/<int:reading_id>/popraw", methods=["GET", "POST"])
@login_required
@takes_upload(_photo_limit)
def edit(meter_id: int, reading_id: int):
    """Change a reading that still waits for the cooperative."""
    found = _meter_or_404(meter_id)
    reading = services.pending_of(found, reading_id)
    if reading is None:
        return _gone(found, reading_id)
    form = ReadingForm(obj=reading if request.method == "GET" else None)
    if request.method == "GET":
        form.value.data = decimal_comma(reading.value)
    elif form.validate_on_submit() and _apply(form, lambda value, read_on, photo, confirmed:
                                             services.edit(reading, value, read_on, _rules(),
                                                           photo=photo, confirmed=confirmed)):
        db.session.commit()
        flash(_("The reading has been changed."), "success")
        return redirect(url_for("meters.meter", meter_id=meter_id))
    return _meter_page(found, form, editing=reading)


@bp.post("/liczniki/<int:meter_id>/odczyty/<int:reading_id>/usun")
@login_required
def withdraw(meter_id: int, reading_id: int):
    """Delete a reading that still waits for the cooperative."""
    found = _meter_or_404(meter_id)
    reading = services.pending_of(found, reading_id)
    if reading is None:
        return _gone(found, reading_id)
    commit_or_show(lambda: services.withdraw(reading), _("The reading has been deleted."))
    return redirect(url_for("meters.meter", meter_id=meter_id))


@bp.get("/liczniki/<int:meter_id>/odczyty/<int:reading_id>/zdjecie")
@login_required
def photo(meter_id: int, reading_id: int) -> Response:
    """The photo the resident attached to a reading of their meter."""
    found = _meter_or_404(meter_id)
    return photos.download(one_or_404(photos.photo_of_meter(found, reading_id)), reading_id)
