"""The office's pages of the general meeting (``/panel/walne-zgromadzenie``): the meetings and a
new one; one meeting with its deadlines, parts, members to place, agenda, documents and the
notice; the members' draft resolutions with the office's decisions and drafts handed in on
paper; the register of proxies with its CSV and the desk's list per part; each part's
attendance and votes, the totals and their publication with the CSV of results; and the
attendance list of a part to sign, as a PDF.

Every step is the services' (``iok_saas.meetings.services``): a refusal is shown on its form
and nothing is kept; a step done is committed and the page answers with a redirect (303).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import (
    Blueprint,
    Flask,
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
from flask_login import current_user
from wtforms import Field
from wtforms.fields.choices import SelectChoice

from iok_saas import files
from iok_saas.cases import forms as case_forms
from iok_saas.cases import services as cases
from iok_saas.cases import views
from iok_saas.cases.kinds import Upload
from iok_saas.cases.queue import csv_download
from iok_saas.db import utcnow
from iok_saas.files.uploads import takes_upload
from iok_saas.meetings import forms, library, notice, services
from iok_saas.meetings import rules as law
from iok_saas.meetings.attendance_pdf import attendance_pdf, file_name
from iok_saas.meetings.kind import DRAFT_STAFF_STATUS_LABELS, TEXT_MAX
from iok_saas.meetings.models import (
    ACCEPTED,
    ADOPTED,
    AFTER_ROLES,
    CLOSED_MEETING,
    CONVENED,
    DOCUMENT_ROLES,
    DRAFT,
    MEETING_STATUSES,
    MINUTES,
    NOT_ADOPTED,
    OTHER,
    PREPARED,
    RECEIVED,
    REPORT,
    RESOLUTION,
    Meeting,
    MeetingDraft,
    MeetingPart,
)
from iok_saas.tenancy.features import require_feature
from iok_saas.tenancy.settings import GeneralMeeting as Rules
from iok_saas.web.access import one_or_404, staff_required
from iok_saas.web.figures import NP_, WAITING, Figure, register_figure
from iok_saas.web.formatting import WARSAW, day, daytime
from iok_saas.web.forms import ActionForm, Form
from iok_saas.web.navigation import N_, NavItem
from iok_saas.web.navigation import register as register_link
from iok_saas.web.problems import commit_or_show

bp = Blueprint("staff_meetings", __name__, url_prefix="/panel/walne-zgromadzenie",
               template_folder="templates")
# A draft's case page is the cases room's (its file view wants the case's and the file's ids
# alone): a blueprint of its own.
drafts_bp = Blueprint("staff_meeting_drafts", __name__,
                      url_prefix="/panel/walne-zgromadzenie/projekty", template_folder="templates")
for _blueprint in (bp, drafts_bp):
    require_feature(_blueprint, "general_meeting")

STATUS_LABELS = {PREPARED: _l("in preparation"), CONVENED: _l("convened"),
                 CLOSED_MEETING: _l("results published")}
ROLE_LABELS = {REPORT: _l("report"), DRAFT: _l("draft resolution"), OTHER: _l("other document"),
               MINUTES: _l("minutes"), RESOLUTION: _l("adopted resolution")}
OUTCOME_LABELS = {ADOPTED: _l("resolution adopted"), NOT_ADOPTED: _l("resolution not adopted"),
                  None: _l("voting not completed")}
PROXY_STATUS_LABELS = {ACCEPTED: _l("stands"), "refused": _l("refused")}
assert set(STATUS_LABELS) == set(MEETING_STATUSES) and set(ROLE_LABELS) == set(DOCUMENT_ROLES)


def rules() -> Rules:
    """The cooperative's statute on its general meeting."""
    return g.tenant.settings.general_meeting


def _helpers() -> dict[str, Any]:
    """What the office's meeting pages write with."""
    return {"meeting_statuses": STATUS_LABELS, "document_roles": ROLE_LABELS,
            "outcomes": OUTCOME_LABELS, "proxy_statuses": PROXY_STATUS_LABELS,
            "holder_short": law.HOLDER_SHORT, "holder_labels": law.HOLDER_LABELS,
            "reason_text": law.reason_text, "sources": forms.SOURCE_LABELS,
            "majorities": majorities(), "draft_statuses": DRAFT_STAFF_STATUS_LABELS}


def majorities() -> dict[str, Any]:
    """The majorities an item may need, "" being the statute's (named)."""
    statute = forms.MAJORITY_LABELS[rules().majority]
    return forms.MAJORITY_LABELS | {"": _l("%(majority)s, as the statute says",
                                          majority=statute)}


for _blueprint in (bp, drafts_bp):
    _blueprint.context_processor(_helpers)


def _form_errors(form: Form) -> None:
    """A form sent with fields it cannot hold: its messages are on the fields; a form whose
    fields are not shown (a button) says them as a message."""
    for field, errors in form.errors.items():
        if field == "csrf_token" or not isinstance(getattr(form, field, None), Field):
            for error in errors:
                flash(str(error), "error")


def _back(endpoint: str, meeting: Meeting, anchor: str | None = None) -> Response:
    return redirect(url_for(endpoint, meeting_id=meeting.id, _anchor=anchor), 303)


def _meeting_or_404(meeting_id: int) -> Meeting:
    return one_or_404(services.meeting(meeting_id))


def _part_or_404(meeting: Meeting, part_id: int) -> MeetingPart:
    return one_or_404(services.part_of(meeting, part_id))


def _fresh(form_class: type[Form], **kwargs: Any) -> Any:
    """A form as the page first shows it (not filled from another form's POST)."""
    return form_class(formdata=None, **kwargs)


# --- the meetings -------------------------------------------------------------------------------


@bp.route("/", methods=["GET", "POST"])
@staff_required
def index():
    """The cooperative's meetings, the newest first, and a new one."""
    form = forms.MeetingForm() if request.method == "POST" else _fresh(forms.MeetingForm)
    if request.method == "POST":
        if form.validate_on_submit():
            made: list[Meeting] = []
            if commit_or_show(lambda: made.append(services.create_meeting(form.title.data or "",
                                                                 current_user)),
                     _("The meeting has been created. Add its parts and agenda."), form):
                return _back("staff_meetings.meeting", made[0])
        else:
            _form_errors(form)
    found = services.meetings()
    return render_template("meetings/staff_index.html", meetings=found, form=form,
                           firsts={m.id: services.first_day(m) for m in found})


def _building_choices() -> list[SelectChoice]:
    return [SelectChoice(b.id, f"{b.address}, {b.city}"
                         + (f" ({b.estate})" if getattr(b, "estate", "") else ""))
            for b in services.buildings()]


def _seat_form(meeting: Meeting, user_id: int, possible: tuple[int, ...],
               form: Any = None) -> Any:
    found = form or _fresh(forms.SeatForm, prefix=f"s{user_id}")
    found.member.data = str(user_id)
    found.part.choices = [SelectChoice(p.id, f"{p.number}. {p.name}") for p in meeting.parts
                          if not possible or p.id in possible]
    return found




def _document_roles(meeting: Meeting) -> list[str]:
    """The roles a document laid out now may have: before the results, a report, a draft
    resolution or another document; once they are published, the minutes or an adopted
    resolution."""
    if meeting.status == CLOSED_MEETING:
        return list(AFTER_ROLES)
    return [REPORT, DRAFT, OTHER]


def _document_form(meeting: Meeting, form: Any = None) -> Any:
    found = form or _fresh(forms.DocumentForm)
    found.role.choices = [SelectChoice(r, ROLE_LABELS[r]) for r in _document_roles(meeting)]
    return found


def _meeting_page(meeting: Meeting, *, part_form: Any = None, item_form: Any = None,
                  seat_form: Any = None, seat_for: int | None = None,
                  document_form: Any = None, status: int = 200):
    """One meeting with every form on it (the one just sent keeps what was typed)."""
    part_form = part_form or _fresh(forms.PartForm)
    part_form.buildings.choices = _building_choices()
    waiting = services.unseated(meeting, rules())
    seat_forms = {user.id: _seat_form(meeting, user.id, seat.possible,
                                      seat_form if user.id == seat_for else None)
                  for user, seat in waiting}
    problems = (services.convene_problems(meeting, rules(), waiting=waiting)
                if meeting.status == PREPARED else [])
    documents = services.documents_of(meeting)
    given = notice.progress(meeting, rules()) if meeting.status != PREPARED else None
    return render_template(
        "meetings/staff_meeting.html", meeting=meeting, dates=services.deadlines_of(
            meeting, rules()), parts=list(meeting.parts),
        part_buildings=services.part_buildings(meeting), waiting=waiting,
        seat_forms=seat_forms, items=list(meeting.items),
        documents=documents, problems=problems,
        titles=library.titles(d.document_id for d in documents),
        late={d.id for d in services.laid_out_late(meeting, rules())},
        document_form=_document_form(meeting, document_form), given=given,
        max_mb=g.tenant.settings.documents.max_mb,
        part_form=part_form, item_form=item_form or _fresh(forms.ItemForm),
        convene_form=_fresh(ActionForm), members=services.members_count(rules())), status


@bp.get("/<int:meeting_id>")
@staff_required
def meeting(meeting_id: int):
    """One meeting: its state, the law's deadlines, parts, members to place, agenda,
    documents and the notice."""
    return _meeting_page(_meeting_or_404(meeting_id))


@bp.post("/<int:meeting_id>/czesci")
@staff_required
def add_part(meeting_id: int):
    """A part of the meeting: its day and hour in Polish time, place and buildings."""
    found = _meeting_or_404(meeting_id)
    form = forms.PartForm()
    form.buildings.choices = _building_choices()
    if form.validate_on_submit():
        starts_at = datetime.combine(form.on.data, form.at.data, tzinfo=WARSAW).astimezone(UTC)
        if commit_or_show(lambda: services.add_part(
                found, name=form.name.data or "", starts_at=starts_at,
                place=form.place.data or "", building_ids=form.buildings.data or [],
                actor=current_user),
                _("The part has been added."), form, fields={"starts_at": "on"}):
            return _back("staff_meetings.meeting", found, "czesci")
    return _meeting_page(found, part_form=form)


@bp.post("/<int:meeting_id>/czlonek/<int:member_id>/czesc")
@staff_required
def seat(meeting_id: int, member_id: int):
    """A member holding units in several parts' buildings (or in none) placed in one part."""
    found = _meeting_or_404(meeting_id)
    member = one_or_404(services.people([member_id]).get(member_id))
    form = forms.SeatForm(prefix=f"s{member_id}")
    form.part.choices = [SelectChoice(p.id, p.name) for p in found.parts]
    if form.validate_on_submit():
        if commit_or_show(lambda: services.seat_member(found, member, form.part.data, current_user,
                                              rules()),
                 _("%(name)s has been placed in the part.", name=member.full_name), form,
                 fields={"member": "part"}):
            return _back("staff_meetings.meeting", found, "do-przydzielenia")
    else:
        _form_errors(form)
    return _meeting_page(found, seat_form=form, seat_for=member_id)


@bp.post("/<int:meeting_id>/porzadek")
@staff_required
def add_item(meeting_id: int):
    """An item at the end of the agenda."""
    found = _meeting_or_404(meeting_id)
    form = forms.ItemForm()
    if form.validate_on_submit():
        resolution = form.resolution.data == forms.YES
        if commit_or_show(lambda: services.add_item(
                found, title=form.title.data or "", resolution=resolution,
                elects=form.elects.data == forms.YES, majority=form.majority.data,
                source=form.source.data, actor=current_user),
                _("The item has been added to the agenda."), form):
            return _back("staff_meetings.meeting", found, "porzadek")
    return _meeting_page(found, item_form=form)


@bp.post("/<int:meeting_id>/zwolanie")
@staff_required
def convene(meeting_id: int):
    """Convene the meeting: notice given today."""
    found = _meeting_or_404(meeting_id)
    form = ActionForm()
    if form.validate_on_submit():
        def convene_and_give() -> None:
            services.convene(found, current_user, rules())
            notice.give(found, g.tenant, current_user)

        commit_or_show(convene_and_give,
              lambda: _("The meeting has been convened: notice given on %(date)s.",
                        date=day(found.notice_on)), None)
    else:
        _form_errors(form)
    return _back("staff_meetings.meeting", found, "zwolanie")


def _pdf_limit() -> int:
    """The largest PDF the cooperative publishes in its library, in bytes."""
    return g.tenant.settings.documents.max_mb << 20


@bp.post("/<int:meeting_id>/dokumenty")
@staff_required
@takes_upload(_pdf_limit)
def add_document(meeting_id: int):
    """A PDF published in the members' library and laid out for the meeting."""
    found = _meeting_or_404(meeting_id)
    form = _document_form(found, forms.DocumentForm())
    if form.validate_on_submit():
        upload = form.file.data
        if not upload or not getattr(upload, "filename", ""):
            form.file.errors = [_("Choose the PDF file.")]
        else:
            role = form.role.data or ""

            def publish() -> None:
                if role not in _document_roles(found):
                    if role in AFTER_ROLES:
                        raise services.MeetingError(_l(
                            "The minutes and the adopted resolutions are laid out once the "
                            "results are published."), "role")
                    raise services.MeetingError(_l("Choose what the document is."), "role")
                library.publish_pdf(found, title=form.title.data or "", data=upload.read(),
                                    filename=upload.filename, role=role, actor=current_user,
                                    tenant_info=g.tenant, number=form.number.data or "")

            if commit_or_show(publish, _("The document has been published in the members' library "
                                "and laid out for the meeting."), form):
                return _back("staff_meetings.meeting", found, "dokumenty")
    return _meeting_page(found, document_form=form)


@bp.get("/<int:meeting_id>/zawiadomienia-papierowe.csv")
@staff_required
def paper_notices(meeting_id: int) -> Response:
    """The members whose notice the office gives on paper, as a CSV file."""
    found = _meeting_or_404(meeting_id)
    if found.status == PREPARED:
        abort(404)  # no notice given yet
    return files.download(notice.paper_csv(notice.paper_rows(found, rules())),
                          filename=f"zawiadomienia-papierowe-{found.id}.csv",
                          content_type="text/csv")


# --- members' draft resolutions -----------------------------------------------------------------


def _draft_or_404(meeting: Meeting, draft_id: int) -> MeetingDraft:
    return one_or_404(next((d for d in services.drafts_of(meeting) if d.id == draft_id), None))


def _drafts_page(meeting: Meeting, *, paper_form: Any = None, refuse_form: Any = None,
                 refuse_for: int | None = None):
    drafts = services.drafts_of(meeting)
    texts = services.draft_texts(drafts)
    refuse_forms = {d.id: (refuse_form if d.id == refuse_for and refuse_form is not None
                           else _fresh(forms.RefuseForm, prefix=f"r{d.id}")) for d in drafts}
    accepted = services.draft_items(meeting)
    items = {d.id: accepted.get(d.id) for d in drafts if not d.is_open}
    return render_template(
        "meetings/staff_drafts.html", meeting=meeting, drafts=drafts, texts=texts,
        names=services.people(d.filed_by_id for d in drafts), items=items,
        refuse_forms=refuse_forms, accept_form=_fresh(ActionForm),
        paper_form=paper_form or _fresh(forms.PaperDraftForm),
        dates=services.deadlines_of(meeting, rules()))


@bp.get("/<int:meeting_id>/projekty")
@staff_required
def drafts(meeting_id: int):
    """The members' draft resolutions filed for the meeting and the office's decisions."""
    return _drafts_page(_meeting_or_404(meeting_id))


@bp.post("/<int:meeting_id>/projekty/<int:draft_id>/przyjecie")
@staff_required
def accept_draft(meeting_id: int, draft_id: int):
    """Put a draft filed in time on the agenda."""
    found = _meeting_or_404(meeting_id)
    draft = _draft_or_404(found, draft_id)
    form = ActionForm()
    if form.validate_on_submit():
        number = draft.registry_number

        def accept() -> None:
            item = services.accept_draft(draft, current_user)
            item.document_id = library.lay_out_draft(found, draft, current_user, g.tenant).id

        commit_or_show(accept, _("Draft %(number)s has been put on the agenda and its text "
                                 "laid out for members.", number=number), None)
    else:
        _form_errors(form)
    return _back("staff_meetings.drafts", found)


@bp.post("/<int:meeting_id>/projekty/<int:draft_id>/odmowa")
@staff_required
def refuse_draft(meeting_id: int, draft_id: int):
    """Refuse a draft with its reason."""
    found = _meeting_or_404(meeting_id)
    draft = _draft_or_404(found, draft_id)
    form = forms.RefuseForm(prefix=f"r{draft_id}")
    if form.validate_on_submit():
        number = draft.registry_number
        if commit_or_show(
                lambda: services.refuse_draft(draft, current_user, form.reason.data or ""),
                _("Draft %(number)s has been refused; the member reads the reason.",
                  number=number), form):
            return _back("staff_meetings.drafts", found)
    return _drafts_page(found, refuse_form=form, refuse_for=draft_id)


@bp.post("/<int:meeting_id>/projekty/papierowy")
@staff_required
def paper_draft(meeting_id: int):
    """A draft handed in at the office on paper, with the day it came."""
    found = _meeting_or_404(meeting_id)
    form = forms.PaperDraftForm()
    if form.validate_on_submit():
        made: list[MeetingDraft] = []

        def register() -> None:
            member = services.member_by_identifier(form.member.data or "", rules())
            if member is None:
                raise services.MeetingError(
                    _l("No member of this cooperative has this identifier."), "member")
            made.append(services.register_paper_draft(
                found, member, title=form.title.data or "", text=form.text.data or "",
                supporters=form.supporters.data, received_on=form.received_on.data,
                actor=current_user, rules=rules()))

        def said() -> str:
            if made[0].in_time:
                return _("The draft has been registered as %(number)s.",
                         number=made[0].registry_number)
            return _("The draft has been registered as %(number)s and refused: it reached "
                     "the office after the deadline.", number=made[0].registry_number)

        if commit_or_show(register, said, form):
            return _back("staff_meetings.drafts", found)
    return _drafts_page(found, paper_form=form)


# --- a draft's case -----------------------------------------------------------------------------


DraftStaffForm = case_forms.staff_form(TEXT_MAX, _l(
    "For example: the draft was withdrawn by the member."))
views.add_file_view(drafts_bp, MeetingDraft, "/<int:case_id>/zalaczniki/<int:attachment_id>",
                    "attachment", staff=True)
attachments_limit = views.upload_limit(MeetingDraft, rules)


@drafts_bp.route("/<int:case_id>", methods=["GET", "POST"])
@staff_required
@takes_upload(attachments_limit)
def case(case_id: int):
    """One members' draft as a case: its text, the signed list of supporters and every other
    file, the whole thread (internal notes too); the office answers the member or notes."""
    found = views.staff_case_or_404(
        MeetingDraft, case_id,
        lambda c: _("members' draft resolution %(number)s", number=c.registry_number))
    form = views.fill_staff_form(DraftStaffForm(), found)
    done = views.staff_answer_sent(form, found, rules, "staff_meeting_drafts.case")
    if done is not None:
        return done
    meeting = services.meeting(found.meeting_id) if found.meeting_id else None
    return views.case_page(
        "meetings/staff_draft_case.html", found, form, rules(), staff=True, meeting=meeting,
        item=services.draft_item(found), accept_form=_fresh(ActionForm),
        refuse_form=_fresh(forms.RefuseForm, prefix=f"r{found.id}"))


# --- the register of proxies --------------------------------------------------------------------


def _scan_limit() -> int:
    return services.PROXY_SCAN_MAX_MB << 20


def _desk(meeting: Meeting, parts: list[MeetingPart]) -> list[tuple[MeetingPart | None, list]]:
    """Per part (and for members not placed yet), the proxies that stand."""
    standing = services.proxies_of(meeting, standing=True)
    found: list[tuple[MeetingPart | None, list]] = [
        (p, [x for x in standing if x.part_id == p.id]) for p in parts]
    loose = [x for x in standing if x.part_id is None]
    if loose:
        found.append((None, loose))
    return found


def _proxies_page(meeting: Meeting, form: Any):
    parts = list(meeting.parts)
    proxies = services.proxies_of(meeting)
    names = services.people([p.member_id for p in proxies]
                            + [p.holder_member_id for p in proxies if p.holder_member_id])
    return render_template(
        "meetings/staff_proxies.html", meeting=meeting, form=form, proxies=proxies,
        names=names, parts={p.id: p for p in parts}, desk=_desk(meeting, parts),
        elects=[i for i in meeting.items if i.elects], withdraw_form=_fresh(ActionForm),
        dates=services.deadlines_of(meeting, rules()), max_mb=services.PROXY_SCAN_MAX_MB)


@bp.route("/<int:meeting_id>/pelnomocnictwa", methods=["GET", "POST"])
@staff_required
@takes_upload(_scan_limit)
def proxies(meeting_id: int):
    """The register of proxies: a proxy entered from the paper and checked against the act,
    the register with the reasons, the desk's list per part."""
    found = _meeting_or_404(meeting_id)
    form = forms.ProxyForm() if request.method == "POST" else _fresh(forms.ProxyForm)
    if request.method == "POST" and form.validate_on_submit():
        made: list[Any] = []
        scan = form.scan.data
        upload = (Upload(scan.filename, scan.read())
                  if scan and getattr(scan, "filename", "") else None)
        given = services.ProxyInput(
            member=form.member.data or "", holder_kind=form.holder_kind.data or "",
            holder_name=form.holder_name.data or "",
            holder_identifier=form.holder_identifier.data or "",
            statement=bool(form.statement.data), received_on=form.received_on.data,
            note=form.note.data or "")

        if commit_or_show(lambda: made.append(services.register_proxy(found, given, current_user,
                                                             rules(), scan=upload)),
                 None, form):
            proxy = made[0]
            if proxy.status == ACCEPTED:
                flash(_("The proxy has been entered into the register: it stands."), "success")
            else:  # kept in the register, but it does not stand: the desk must know why
                flash(_("The proxy has been entered into the register as refused: %(reasons)s.",
                        reasons="; ".join(law.reason_text(r, services.deadlines_of(
                            found, rules()).proxies_by) for r in proxy.reasons)), "warning")
            return _back("staff_meetings.proxies", found)
    return _proxies_page(found, form)


@bp.post("/<int:meeting_id>/pelnomocnictwa/<int:proxy_id>/wycofanie")
@staff_required
def withdraw_proxy(meeting_id: int, proxy_id: int):
    """Take a proxy out of the register."""
    found = _meeting_or_404(meeting_id)
    proxy = one_or_404(services.proxy_of(found, proxy_id))
    form = ActionForm()
    if form.validate_on_submit():
        commit_or_show(lambda: services.withdraw_proxy(proxy, current_user),
              _("The proxy has been withdrawn from the register."), None)
    else:
        _form_errors(form)
    return _back("staff_meetings.proxies", found)


@bp.get("/<int:meeting_id>/pelnomocnictwa/<int:proxy_id>/skan")
@staff_required
def proxy_scan(meeting_id: int, proxy_id: int) -> Response:
    """The scan of a proxy as the office stored it (a PDF, or a photo made a JPEG): a private
    file, like a case's attachment."""
    found = _meeting_or_404(meeting_id)
    proxy = one_or_404(services.proxy_of(found, proxy_id))
    stored = one_or_404(files.find(proxy.file_id) if proxy.file_id is not None else None)
    return files.download(files.read(stored.id), filename=proxy.filename or stored.filename,
                          content_type=stored.content_type,
                          inline=stored.content_type.startswith("image/"))


PROXY_COLUMNS = ("lp", "czlonek", "identyfikator", "czesc", "pelnomocnik", "kto",
                 "identyfikator_pelnomocnika", "oswiadczenie", "wplynelo", "status", "powody",
                 "zarejestrowano", "zarejestrowal", "uwagi")


@bp.get("/<int:meeting_id>/pelnomocnictwa.csv")
@staff_required
def proxies_csv(meeting_id: int) -> Response:
    """The register of proxies as a CSV file."""
    found = _meeting_or_404(meeting_id)
    proxies = services.proxies_of(found)
    names = services.people([p.member_id for p in proxies]
                            + [p.holder_member_id for p in proxies if p.holder_member_id])
    parts = {p.id: p for p in found.parts}
    dates = services.deadlines_of(found, rules())
    rows = []
    for n, proxy in enumerate(proxies, 1):
        member, holder = names.get(proxy.member_id), names.get(proxy.holder_member_id or 0)
        part = parts.get(proxy.part_id or 0)
        rows.append({
            "lp": n, "czlonek": member.full_name if member else "",
            "identyfikator": member.identifier if member else "",
            "czesc": part.number if part else "", "pelnomocnik": proxy.holder_name,
            "kto": str(law.HOLDER_SHORT.get(proxy.holder_kind, proxy.holder_kind)),
            "identyfikator_pelnomocnika": holder.identifier if holder else "",
            "oswiadczenie": _("yes") if proxy.statement else _("no"),
            "wplynelo": day(proxy.received_on),
            "status": str(PROXY_STATUS_LABELS.get(proxy.status, proxy.status)),
            "powody": "; ".join(law.reason_text(r, dates.proxies_by if dates else None)
                                for r in proxy.reasons),
            "zarejestrowano": daytime(proxy.registered_at),
            "zarejestrowal": proxy.registered_by, "uwagi": proxy.note})
    return csv_download(PROXY_COLUMNS, rows, f"pelnomocnictwa-{found.id}.csv")


# --- attendance and results ---------------------------------------------------------------------


def _results_page(meeting: Meeting, sent: Any = None):
    """Each part's attendance and votes (the form just sent keeps what was typed), the totals
    across the parts, the publication."""
    parts = list(meeting.parts)
    items = [i for i in meeting.items if i.resolution]
    votes = services.votes_of(meeting)
    now = utcnow()
    attendance, vote_forms = {}, {}
    for part in parts:
        prefix = f"a{part.id}"
        attendance[part.id] = sent if sent is not None and sent._prefix == f"{prefix}-" else \
            _fresh(forms.AttendanceForm, prefix=prefix,
                   data={"present": part.present, "by_proxy": part.by_proxy})
        for item in items:
            prefix = f"v{part.id}-{item.id}"
            vote = votes.get((item.id, part.id))
            vote_forms[(part.id, item.id)] = sent if sent is not None and \
                sent._prefix == f"{prefix}-" else _fresh(
                    forms.VotesForm, prefix=prefix, data={
                        "votes_for": vote.votes_for if vote else None,
                        "against": vote.votes_against if vote else None,
                        "abstained": vote.abstained if vote else None})
    return render_template(
        "meetings/staff_results.html", meeting=meeting, parts=parts, items=items,
        votes=votes, totals=services.totals(meeting, rules()), attendance=attendance,
        vote_forms=vote_forms, sat={p.id: p.starts_at <= now for p in parts},
        members=services.seat_counts(meeting, rules()),
        standing=services.standing_counts(meeting),
        publish_form=_fresh(ActionForm), quorum=rules().quorum_percent)


@bp.get("/<int:meeting_id>/wyniki")
@staff_required
def results(meeting_id: int):
    """Attendance and results."""
    return _results_page(_meeting_or_404(meeting_id))


@bp.post("/<int:meeting_id>/czesc/<int:part_id>/obecnosc")
@staff_required
def attendance(meeting_id: int, part_id: int):
    """A part's attendance from the signed list."""
    found = _meeting_or_404(meeting_id)
    part = _part_or_404(found, part_id)
    form = forms.AttendanceForm(prefix=f"a{part.id}")
    if form.validate_on_submit() and commit_or_show(lambda: services.enter_attendance(
            found, part, present=form.present.data, by_proxy=form.by_proxy.data,
            actor=current_user, rules=rules()),
            _("The attendance of part %(number)d has been saved.", number=part.number),
            form):
        return _back("staff_meetings.results", found, f"czesc-{part.number}")
    return _results_page(found, form)


@bp.post("/<int:meeting_id>/czesc/<int:part_id>/glosy/<int:item_id>")
@staff_required
def enter_votes(meeting_id: int, part_id: int, item_id: int):
    """The votes a part cast on a resolution, as counted in the room."""
    found = _meeting_or_404(meeting_id)
    part = _part_or_404(found, part_id)
    item = one_or_404(services.item_of(found, item_id))
    form = forms.VotesForm(prefix=f"v{part.id}-{item.id}")
    if form.validate_on_submit() and commit_or_show(lambda: services.enter_votes(
            found, part, item, votes_for=form.votes_for.data, against=form.against.data,
            abstained=form.abstained.data, actor=current_user),
            _("The votes of part %(part)d on resolution %(number)s have been saved.",
              part=part.number, number=item.number), form):
        return _back("staff_meetings.results", found, f"czesc-{part.number}")
    return _results_page(found, form)


@bp.post("/<int:meeting_id>/publikacja")
@staff_required
def publish(meeting_id: int):
    """Publish the results to members; the meeting is closed."""
    found = _meeting_or_404(meeting_id)
    form = ActionForm()
    if form.validate_on_submit():
        commit_or_show(lambda: services.publish_results(found, current_user, rules()),
              _("The results have been published to members."), None)
    else:
        _form_errors(form)
    return _back("staff_meetings.results", found)


@bp.get("/<int:meeting_id>/wyniki.csv")
@staff_required
def results_csv(meeting_id: int) -> Response:
    """The results per resolution, per part and in total, as a CSV file."""
    found = _meeting_or_404(meeting_id)
    parts = list(found.parts)
    votes = services.votes_of(found)
    totals = services.totals(found, rules())
    part_columns = [f"czesc_{p.number}" for p in parts]
    columns = ("numer", "uchwala", "wiekszosc", *part_columns, "za", "przeciw",
               "wstrzymalo_sie", "czesci_glosowaly", "czesci", "wynik", "powod")
    rows = []
    for item in found.items:
        if not item.resolution:
            continue
        total = totals[item.id]
        row = {"numer": item.number, "uchwala": item.title,
               "wiekszosc": str(majorities().get(item.majority, item.majority)),
               "za": total.votes_for, "przeciw": total.votes_against,
               "wstrzymalo_sie": total.abstained, "czesci_glosowaly": total.parts_voted,
               "czesci": total.parts, "wynik": str(OUTCOME_LABELS[total.outcome]),
               "powod": str(total.why) if total.why else ""}
        for part, column in zip(parts, part_columns, strict=True):
            vote = votes.get((item.id, part.id))
            row[column] = (f"{vote.votes_for}/{vote.votes_against}/{vote.abstained}"
                           if vote else "")
        rows.append(row)
    return csv_download(columns, rows, f"wyniki-{found.id}.csv")


@bp.get("/<int:meeting_id>/czesc/<int:part_id>/lista-obecnosci.pdf")
@staff_required
def attendance_list(meeting_id: int, part_id: int) -> Response:
    """The part's attendance list to sign, on the cooperative's letterhead."""
    found = _meeting_or_404(meeting_id)
    part = _part_or_404(found, part_id)
    return files.download(attendance_pdf(found, part, rules(), g.tenant),
                          filename=file_name(found, part), content_type="application/pdf")


# --- the menu and the start page ----------------------------------------------------------------


def waiting() -> Any:
    """For the staff start page: members' drafts waiting for the office's decision (the count
    ``services.open_drafts_count`` gives, as the start page's one query wants it)."""
    return cases.open_count(MeetingDraft, (RECEIVED,))


def register(app: Flask) -> None:
    """The office's pages, its menu link and its start-page figure (from ``init_app``)."""
    app.register_blueprint(bp)
    app.register_blueprint(drafts_bp)
    register_link(app, NavItem("staff_meetings.index", N_("General meeting"), "staff",
                               "general_meeting", order=38))
    register_figure(app, Figure(
        "meeting_drafts", waiting,
        NP_("%(num)d members' draft resolution waits for the office's decision.",
            "%(num)d members' draft resolutions wait for the office's decision."),
        kind=WAITING, endpoint="staff_meetings.index", feature="general_meeting", order=38))
