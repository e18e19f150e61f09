"""The members' pages of the general meeting (Walne zgromadzenie): the meeting convened now —
the member's own part, all parts, the agenda, the documents, how and until when to file a
draft resolution and to give a proxy under the 2026 rules, and after the meeting its results
and minutes —; the draft resolution's form and its case page; the proxy form to print.

Only members see meeting data: a resident who is not a member (a lessee) reads that the
meeting is for the cooperative's members; staff may look too. A draft is found only among
the cases the person follows, so another person's or another cooperative's id is not found.
"""

from __future__ import annotations

from types import SimpleNamespace
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
from flask_login import current_user, login_required

from iok_saas import files
from iok_saas.cases import services as cases
from iok_saas.cases import views
from iok_saas.cases.models import COMMENT, CREATED, REPLY
from iok_saas.cases.personal import own_files
from iok_saas.files.uploads import takes_upload
from iok_saas.meetings import library, proxy_pdf, services
from iok_saas.meetings import rules as law
from iok_saas.meetings.kind import ATTACHMENT_MAX_MB, ATTACHMENTS_PER_MESSAGE, DRAFT_STATUS_LABELS
from iok_saas.meetings.models import (
    ADOPTED,
    AFTER_ROLES,
    BEFORE_ROLES,
    DRAFT,
    MEMBERS,
    MINUTES,
    OTHER,
    REPORT,
    RESOLUTION,
    Meeting,
    MeetingDraft,
)
from iok_saas.meetings.resident_forms import DraftForm, FollowUpForm
from iok_saas.tenancy.features import require_feature
from iok_saas.web.formatting import long_daytime
from iok_saas.web.problems import commit_or_show

bp = Blueprint("meetings", __name__, template_folder="templates")
require_feature(bp, "general_meeting")

# What a document of the meeting is, as members read it.
DOCUMENT_LABELS = {REPORT: _l("Report"), DRAFT: _l("Draft resolution"), OTHER: _l("Document"),
                   MINUTES: _l("Minutes of the meeting"), RESOLUTION: _l("Adopted resolution")}


def register(app: Flask) -> None:
    """The members' pages (feature ``general_meeting``), their menu link and their drafts in
    the download of their data."""
    from iok_saas.web.navigation import N_, NavItem
    from iok_saas.web.navigation import register as register_link
    from iok_saas.web.personal import PersonalSection, register_section

    app.register_blueprint(bp)
    register_link(app, NavItem("meetings.index", N_("General meeting"), "resident",
                               "general_meeting", order=52))
    register_section(app, PersonalSection(
        "projekty_uchwal", _l("My draft resolutions for the general meeting"), draft_rows,
        feature="general_meeting", files=draft_files, order=58))


def rules() -> Any:
    """The cooperative's statute on the general meeting."""
    return g.tenant.settings.general_meeting


when_words = long_daytime  # ``czwartek, 20 maja 2027 r., godz. 17:00``: when a part sits


@bp.context_processor
def _words() -> dict[str, Any]:
    """The words of the meeting's pages: a draft's statuses, a part's date, the documents."""
    return {"draft_statuses": DRAFT_STATUS_LABELS, "when_words": when_words,
            "document_labels": DOCUMENT_LABELS, "law": law, "ADOPTED": ADOPTED}


def _reader() -> str | None:
    """Who reads: ``member``, ``staff``, or None (a resident who is not a member)."""
    if current_user.is_staff:
        return "staff"
    return "member" if services.is_member(current_user.id, rules()) else None


attachments_limit = views.upload_limit(MeetingDraft, rules)


@bp.get("/walne-zgromadzenie")
@login_required
def index():
    """The meeting convened now, as a member prepares for it (or its results after it)."""
    reader = _reader()
    if reader is None:
        return render_template("meetings/index.html", members_only=True)
    found = services.current_for_members()
    if found is None:
        return render_template("meetings/index.html", meeting=None, reader=reader,
                               earlier=services.earlier_for_members())
    return render_template("meetings/index.html", reader=reader, **_meeting_page(found, reader))


@bp.get("/walne-zgromadzenie/<int:meeting_id>")
@login_required
def held(meeting_id: int):
    """An earlier meeting: its agenda, results and minutes (members only)."""
    reader = _reader()
    if reader is None:
        return render_template("meetings/index.html", members_only=True)
    found = services.held_for_members(meeting_id)
    if found is None:
        abort(404)
    return render_template("meetings/index.html", reader=reader, **_meeting_page(found, reader))


def _meeting_page(meeting: Meeting, reader: str) -> dict[str, Any]:
    """What the meeting's page shows the reader."""
    statute = rules()
    seat = services.seat_of(meeting, current_user.id, statute) if reader == "member" else None
    parts = list(meeting.parts)
    items = list(meeting.items)
    laid_out = services.documents_of(meeting)
    published = meeting.results_at is not None
    mine = [d for d in cases.filed_by(MeetingDraft, current_user.id)
            if d.meeting_id == meeting.id] if reader == "member" else []
    return {
        "meeting": meeting, "seat": seat, "parts": parts,
        "my_part": next((p for p in parts if seat and p.id == seat.part_id), None),
        "buildings": services.part_buildings(meeting), "items": items,
        "documents": _documents([d for d in laid_out if d.role in BEFORE_ROLES], items),
        "after_documents": _documents([d for d in laid_out if d.role in AFTER_ROLES], items)
        if published else [],
        "new": library.new_to(current_user.id, (d.document_id for d in laid_out))
        if reader == "member" else set(),
        "dates": services.deadlines_of(meeting, statute),
        "drafts_open": services.drafts_open(meeting, statute),
        "totals": services.totals(meeting, statute) if published else {},
        "my_drafts": mine, "draft_items": {i.draft_case_id: i for i in items if i.draft_case_id},
        "members_source": MEMBERS, "earlier": services.earlier_for_members(but=meeting.id),
    }


def _documents(laid_out: list[Any], items: list[Any]) -> list[SimpleNamespace]:
    """The meeting's documents as links to the members' library: what each is, and the agenda
    item it belongs to where there is one."""
    by_document = {i.document_id: i for i in items if i.document_id}
    titles = library.titles(d.document_id for d in laid_out)
    return [SimpleNamespace(id=d.document_id, role=d.role, added_at=d.added_at,
                            title=titles.get(d.document_id, ""),
                            item=by_document.get(d.document_id)) for d in laid_out]


@bp.route("/walne-zgromadzenie/projekt", methods=["GET", "POST"])
@login_required
@takes_upload(attachments_limit)
def draft_new():
    """A members' draft resolution (projekt uchwały): the form until the deadline, a case with
    its ``KO`` number at once — the proof of filing."""
    if _reader() != "member":
        return redirect(url_for("meetings.index"))
    found = services.current_for_members()
    if found is None:
        return redirect(url_for("meetings.index"))
    form = DraftForm()
    if request.method == "GET":
        form.submission.data = cases.new_submission()
    elif form.validate_on_submit():
        made: list[MeetingDraft] = []
        submission = (form.submission.data or cases.new_submission())[:36]
        if commit_or_show(lambda: made.append(services.submit_draft(
                found, current_user, title=form.title.data or "", text=form.text.data or "",
                supporters=form.supporters_count(), uploads=views.uploads(form.attachments),
                submission=submission, rules=rules())), None, form):
            flash(_("The draft resolution has been filed as %(number)s: this number is the "
                    "proof of filing. The office answers on the case's page.",
                    number=made[0].registry_number), "success")
            return redirect(url_for("meetings.draft", case_id=made[0].id), 303)
    return render_template("meetings/draft_new.html", form=form, meeting=found,
                           dates=services.deadlines_of(found, rules()),
                           drafts_open=services.drafts_open(found, rules()),
                           max_mb=ATTACHMENT_MAX_MB, per_message=ATTACHMENTS_PER_MESSAGE)


@bp.route("/walne-zgromadzenie/projekty/<int:case_id>", methods=["GET", "POST"])
@login_required
@takes_upload(attachments_limit)
def draft(case_id: int):
    """The draft's case: what was filed, the office's answers and decision, the member's
    replies while it is open."""
    found = views.followed_or_404(MeetingDraft, case_id)
    form = FollowUpForm()
    sent = views.comment_sent(form, found, rules, "meetings.draft", 303)
    if sent is not None:
        return sent
    return views.case_page("meetings/draft.html", found, form, rules(),
                           meeting=services.meeting(found.meeting_id)
                           if found.meeting_id else None,
                           item=services.draft_item(found))


views.add_file_view(bp, MeetingDraft,
                    "/walne-zgromadzenie/projekty/<int:case_id>/zalaczniki/<int:attachment_id>",
                    "attachment", staff=False)


@bp.get("/walne-zgromadzenie/pelnomocnictwo.pdf")
@login_required
def proxy_form() -> Response:
    """The proxy form to print (pełnomocnictwo): the member and their part filled in, the
    holders the act allows, the close person's statement, the delivery deadline."""
    reader = _reader()
    found = services.current_for_members()
    if reader is None or found is None:
        abort(404)
    member = current_user if reader == "member" else None
    part = None
    if member is not None:
        seat = services.seat_of(found, member.id, rules())
        part = next((p for p in found.parts if seat and p.id == seat.part_id), None)
    pdf = proxy_pdf.proxy_form_pdf(found, member=member, part=part,
                                   dates=services.deadlines_of(found, rules()), when=when_words)
    return files.download(pdf, filename="pelnomocnictwo-walne-zgromadzenie.pdf",
                          content_type="application/pdf")


# --- the member's drafts in the download of their data --------------------------------------------

EXPORTED = {CREATED: "draft", REPLY: "answer", COMMENT: "follow_up"}


def draft_rows(user_id: int) -> list[dict[str, Any]]:
    """Everything in the person's drafts that they may read, a row per entry, oldest draft
    first (never staff's internal notes)."""
    rows = []
    for case in sorted(cases.filed_by(MeetingDraft, user_id), key=lambda c: (c.year, c.number)):
        for entry in cases.history(case, viewer_id=user_id):
            rows.append({"numer": case.registry_number, "tytul": case.subject,
                         "termin": case.deadline_on, "status_sprawy": case.status,
                         "kiedy": entry.at, "kto": entry.author_label,
                         "wpis": EXPORTED.get(entry.kind, entry.kind), "tresc": entry.body})
    return rows


def draft_files(user_id: int) -> list[tuple[str, int]]:
    """The files the person attached to their drafts: (name in the ZIP, file id)."""
    return [(f"{stem}-{attachment_id}-{filename}", file_id)
            for stem, attachment_id, filename, file_id in own_files(MeetingDraft, user_id)]
