"""Staff panel — accounts: residents (clerks and admins) and staff (admins only)."""

from __future__ import annotations

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from iok_saas import files
from iok_saas.account_security import second_factor
from iok_saas.audit import services as audit
from iok_saas.audit.models import (
    SIGN_OUT,
)
from iok_saas.auth import services as accounts
from iok_saas.auth.credentials import credentials_pdf, show_document
from iok_saas.auth.forms import DocumentForm
from iok_saas.auth.models import RESIDENT, STAFF_ROLES, User
from iok_saas.auth.passwords import verify_password
from iok_saas.contacts import services as contacts
from iok_saas.contacts.forms import ContactsOnPaperForm
from iok_saas.db import db
from iok_saas.estate import services as estate
from iok_saas.estate.forms import TITLE_LABELS, UnitFields
from iok_saas.staff.forms import DepartmentForm, ResidentForm, StaffForm
from iok_saas.staff.routes import bp
from iok_saas.web.access import admin_required, one_or_404, staff_required
from iok_saas.web.account_page import account_sections
from iok_saas.web.forms import ActionForm, e164, keep_number


def _roles_i_manage() -> tuple[str, ...]:
    return (RESIDENT, *STAFF_ROLES) if current_user.is_admin else (RESIDENT,)


def _account_or_404(user_id: int) -> User:
    """An account this staff member manages; any other is not found."""
    return one_or_404(accounts.get_account(user_id, _roles_i_manage()))


def _building_choices(form: UnitFields) -> UnitFields:
    form.building.choices = [SelectChoice("", _("— choose —"))] + [
        SelectChoice(b.id, f"{b.street} {b.number}, {b.city}") for b in estate.buildings()]
    return form


def _unit_from(form: UnitFields):
    """The unit the form names, or None with the error on the field."""
    unit = estate.find_unit(form.building.data, form.unit_number.data)
    if unit is None:
        form.unit_number.errors.append(_("There is no such unit in this building."))
    return unit


def _acted_on(user_id: int) -> User:
    """The account a button changes: must be one this person manages; CSRF checked."""
    user = _account_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return user


def _account_page(user: User, unit_form: UnitFields, status: int = 200,
                  contacts_form: ContactsOnPaperForm | None = None,
                  department_form: DepartmentForm | None = None):
    return render_template("staff/account.html", person=user, titles=estate.titles_of(user.id),
                           unit_form=unit_form, action=ActionForm(),
                           title_labels=TITLE_LABELS,
                           department_form=department_form or DepartmentForm(
                               data={"department": user.department}),
                           sections=account_sections(user, contacts_form=contacts_form)), status


@bp.get("/mieszkancy")
@staff_required
def residents():
    """Search residents by identifier, name, e-mail or phone."""
    query = "".join(ch for ch in request.args.get("q", "") if ch.isprintable()).strip()[:100]
    found = accounts.search_accounts(query, (RESIDENT,))
    return render_template("staff/accounts.html", accounts=found, query=query, kind="residents")


@bp.route("/mieszkancy/nowy", methods=["GET", "POST"])
@staff_required
def new_resident():
    """Create a resident's account from a paper application; print the document."""
    form = ResidentForm()
    _building_choices(form)
    if form.validate_on_submit() and (unit := _unit_from(form)) is not None:
        account = accounts.create_account(
            g.tenant.settings, RESIDENT, first_name=form.first_name.data.strip(),
            last_name=form.last_name.data.strip(), email=form.email.data or None,
            phone=form.phone.data or None, actor=current_user)
        estate.grant_title(account.user.id, unit, form.title_kind.data)
        db.session.commit()
        return show_document(account.user, account.initial_password)
    return render_template("staff/new_resident.html", form=form)


@bp.get("/pracownicy")
@admin_required
def staff_accounts():
    """The cooperative's staff accounts."""
    return render_template("staff/accounts.html", kind="staff", query="",
                           accounts=accounts.search_accounts("", STAFF_ROLES))


@bp.route("/pracownicy/nowy", methods=["GET", "POST"])
@admin_required
def new_staff():
    """An admin creates a clerk or admin account."""
    form = StaffForm()
    if form.validate_on_submit():
        try:
            account = accounts.create_account(
                g.tenant.settings, form.role.data, identifier=form.identifier.data,
                first_name=form.first_name.data.strip(), last_name=form.last_name.data.strip(),
                email=form.email.data or None, phone=form.phone.data or None, actor=current_user,
                department=form.department.data or "")
        except accounts.AccountError:
            form.identifier.errors.append(_("This identifier is already taken."))
        else:
            db.session.commit()
            return show_document(account.user, account.initial_password)
    return render_template("staff/new_staff.html", form=form)


@bp.get("/konta/<int:user_id>")
@staff_required
def account(user_id: int):
    """One account: data, units, state, and what staff can do with it (a resident's view of
    it is logged: the resident sees who looked)."""
    user = _account_or_404(user_id)
    if user.role == RESIDENT:
        audit.record_view([user.id], current_user, _("account, contact details and units"))
        db.session.commit()
    return _account_page(user, _building_choices(UnitFields()))


@bp.post("/konta/<int:user_id>/nowe-haslo")
@staff_required
def reset_password(user_id: int):
    """A new initial password on a new document (also lifts a lock)."""
    user = _acted_on(user_id)
    password = accounts.reset_password(user, g.tenant.settings, current_user)
    db.session.commit()
    return show_document(user, password)


@bp.post("/konta/<int:user_id>/<any(odblokuj, dezaktywuj, aktywuj):change>")
@staff_required
def change_account(user_id: int, change: str):
    """Unlock, deactivate or reactivate an account."""
    user = _acted_on(user_id)
    try:
        if change == "odblokuj":
            accounts.unlock(user, current_user)
        else:
            accounts.set_active(user, change == "aktywuj", current_user)
    except accounts.AccountError:
        flash(_("You cannot deactivate your own account."), "error")
        return redirect(url_for("staff.account", user_id=user.id))
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("staff.account", user_id=user.id))


@bp.post("/konta/<int:user_id>/wyloguj-wszedzie")
@staff_required
def sign_out_everywhere(user_id: int):
    """A stolen phone or a shared computer: every session of the account ends (logged)."""
    user = _acted_on(user_id)
    ended = accounts.end_sessions(user)
    audit.record(SIGN_OUT, subject=user, actor=current_user, device="all", count=ended)
    db.session.commit()
    flash(_("The account has been signed out on every device."), "success")
    return redirect(url_for("staff.account", user_id=user.id))


@bp.post("/konta/<int:user_id>/weryfikacja-dwuetapowa/wylacz")
@staff_required
def second_factor_off(user_id: int):
    """A lost phone: after checking the person's identity at the office, two-step verification
    goes (their sessions end; where the cooperative requires it, they set it up again)."""
    user = _acted_on(user_id)
    if not user.totp_secret or user.id == current_user.id:
        abort(404)  # one's own: with the password and a code on one's own page
    second_factor.turn_off(user, current_user, reason="office")
    accounts.end_sessions(user)
    db.session.commit()
    flash(_("Two-step verification is off for this account."), "success")
    return redirect(url_for("staff.account", user_id=user.id))


@bp.post("/konta/<int:user_id>/kontakt")
@staff_required
def paper_contacts(user_id: int):
    """Phones (and the e-mail address) from the resident's signed paper request; logged."""
    user = _account_or_404(user_id)
    form = ContactsOnPaperForm()
    keep_number(form.mobile, user.phone)
    keep_number(form.landline, user.landline)
    if not form.validate_on_submit():
        return _account_page(user, _building_choices(UnitFields()), 422, form)
    changed = contacts.change_phones(user, current_user, mobile=e164(form.mobile),
                                     landline=e164(form.landline),
                                     paper=form.paper_date.data)
    email = (form.email.data or "").strip()
    if email and email != user.email:
        contacts.record_paper_email(user, email, current_user, form.paper_date.data)
        changed = True
    db.session.commit()
    flash(_("Saved.") if changed else _("Nothing has changed."), "success")
    return redirect(url_for("staff.account", user_id=user.id))


@bp.post("/konta/<int:user_id>/dzial")
@admin_required
def department(user_id: int):
    """A staff member's department, which residents see under answers to their letters."""
    user = _account_or_404(user_id)
    if user.role == RESIDENT:
        abort(404)
    form = DepartmentForm()
    if not form.validate_on_submit():
        return _account_page(user, _building_choices(UnitFields()), 422, department_form=form)
    changed = accounts.set_department(user, form.department.data or "", current_user)
    db.session.commit()
    flash(_("Saved.") if changed else _("Nothing has changed."), "success")
    return redirect(url_for("staff.account", user_id=user.id))


@bp.post("/konta/<int:user_id>/lokale")
@staff_required
def add_unit(user_id: int):
    """Link the account to one more unit."""
    user = _account_or_404(user_id)
    form = _building_choices(UnitFields())
    if form.validate_on_submit() and (unit := _unit_from(form)) is not None:
        try:
            estate.grant_title(user.id, unit, form.title_kind.data)
        except estate.EstateError:
            form.unit_number.errors.append(_("This unit is already linked to the account."))
        else:
            accounts.record_change(user, current_user, unit=unit.address)
            db.session.commit()
            flash(_("The unit has been added."), "success")
            return redirect(url_for("staff.account", user_id=user.id))
    return _account_page(user, form, 422)


@bp.post("/konta/<int:user_id>/lokale/<int:title_id>/usun")
@staff_required
def remove_unit(user_id: int, title_id: int):
    """Unlink the account from a unit."""
    user = _acted_on(user_id)
    if not estate.revoke_title(user.id, title_id):
        abort(404)
    accounts.record_change(user, current_user, removed_title=title_id)
    db.session.commit()
    flash(_("The unit has been removed from the account."), "success")
    return redirect(url_for("staff.account", user_id=user.id))


@bp.post("/konta/<int:user_id>/dokument.pdf")
@staff_required
def document_pdf(user_id: int) -> Response:
    """The PDF of a document just shown: only for the account's current initial password."""
    user = _account_or_404(user_id)
    form = DocumentForm()
    if not form.validate_on_submit() or not user.must_change_password or not verify_password(
            user.password_hash, form.password.data):
        abort(404)
    return files.download(credentials_pdf(user, form.password.data),
                          filename=f"dostep-iok-{user.identifier}.pdf",
                          content_type="application/pdf")
