"""Letters to the office: residents write and follow up, staff answer, note, assign and close.

Every function works in the current cooperative's context (the tenant filter and row-level
security apply) and leaves the commit to its caller, so a case, its number, its thread, its
attachments and its e-mails are saved together or not at all.
"""

from __future__ import annotations

import itertools
import statistics
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from iok_saas import files, registers
from iok_saas.audit import services as audit
from iok_saas.audit.models import CASE_ANSWERED, CASE_ASSIGNED, CASE_CLOSED
from iok_saas.auth.models import User
from iok_saas.cases import queue as queues
from iok_saas.cases.queue import Filters
from iok_saas.correspondence.models import (
    ANSWER,
    ASSIGNED,
    CLOSE,
    CLOSED,
    FOLLOW_UP,
    IN_PROGRESS,
    INTERNAL,
    LETTER,
    NOTE,
    OPEN,
    PREFIX,
    RECEIVED,
    STATUS,
    WAITING,
    AnswerTemplate,
    Case,
    CaseAttachment,
    CaseEntry,
)
from iok_saas.db import db, utcnow
from iok_saas.estate.models import Unit
from iok_saas.estate.services import places_of
from iok_saas.mail.outbox import queue_message
from iok_saas.tenancy.context import require_tenant_id
from iok_saas.tenancy.info import get_tenant_info
from iok_saas.tenancy.settings import Correspondence as Rules
from iok_saas.web.formatting import WARSAW
from iok_saas.web.problems import DomainError

SUBJECT_MAX = 200
BODY_MAX = 10_000
REASON_MAX = 300
ATTACHMENTS_PER_MESSAGE = 5
ATTACHMENTS_PER_CASE = 30
PURPOSE = "correspondence_attachment"
# Where staff may move a case (closing is its own action, with a reason).
MOVES = {RECEIVED: (IN_PROGRESS, WAITING), IN_PROGRESS: (RECEIVED, WAITING),
         WAITING: (IN_PROGRESS,), CLOSED: (IN_PROGRESS,)}
AGES = (7, 14, 30)  # the start page's age groups of open cases, in days


class CaseError(DomainError):
    """A letter or step refused (message for the person, form field if any)."""


@dataclass(frozen=True)
class Upload:
    """An attachment as sent: its name and bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class NewCase:
    """What a resident's form gives."""

    topic: str
    unit_id: int | None
    subject: str
    body: str
    submission: str
    attachments: tuple[Upload, ...] = ()


def new_submission() -> str:
    """A fresh key for one filled-in form (a second send of the same form makes no second
    case)."""
    return str(uuid.uuid4())


# --- residents ----------------------------------------------------------------------------------


def _check_text(text: str, field_name: str, empty: Any, limit: int = BODY_MAX) -> str:
    text = text.strip()
    if not text:
        raise CaseError(empty, field_name)
    if len(text) > limit:
        raise CaseError(_l("The text is too long: at most %(max)d characters.", max=limit),
                        field_name)
    return text


def _checked(uploads: Iterable[Upload], rules: Rules, already: int = 0) -> list[files.Checked]:
    """The attachments as they will be kept; CaseError when one is not fit or too many."""
    uploads = list(uploads)
    if len(uploads) > ATTACHMENTS_PER_MESSAGE:
        raise CaseError(_l("At most %(count)d attachments at a time.",
                           count=ATTACHMENTS_PER_MESSAGE), "attachments")
    if already + len(uploads) > ATTACHMENTS_PER_CASE:
        raise CaseError(_l("A case holds at most %(count)d attachments.",
                           count=ATTACHMENTS_PER_CASE), "attachments")
    try:
        return [files.check_attachment(u.filename, u.data, rules.attachment_max_mb)
                for u in uploads]
    except files.FileProblem as problem:
        raise CaseError(problem.message, "attachments") from None


def create(user: User, data: NewCase, rules: Rules) -> Case:
    """Save a resident's letter with its number, attachments and confirmation e-mail (no
    commit). The same form sent again returns the case it made the first time."""
    earlier = db.session.scalar(select(Case).where(
        Case.author_id == user.id, Case.submission == data.submission))
    if earlier is not None:
        return earlier
    if data.topic not in rules.topics:
        raise CaseError(_l("Choose a topic from the list."), "topic")
    # Checked among the resident's units, not in SQL: any number the form sends is refused.
    if data.unit_id is not None and places_of(user.id).unit(data.unit_id) is None:
        raise CaseError(_l("Choose one of your units, or “not about one unit”."), "unit")
    subject = _check_text(data.subject, "subject", _l("Give the letter a subject."),
                          SUBJECT_MAX)
    body = _check_text(data.body, "body", _l("Write what the letter is about."))
    checked = _checked(data.attachments, rules)
    now = utcnow()
    year = now.astimezone(WARSAW).year
    case = Case(year=year, number=registers.next_number(PREFIX, year),
                submission=data.submission, author_id=user.id, topic=data.topic,
                unit_id=data.unit_id, subject=subject, status=RECEIVED, status_at=now)
    db.session.add(case)
    db.session.flush()
    letter = entry(case, LETTER, author=user, body=body, status=RECEIVED)
    _attach(case, letter, checked)
    _tell(case, "case_received", author=user)
    return case


def cases_of(user_id: int) -> list[Case]:
    """The resident's own cases, open first, newest first within each group."""
    return list(db.session.scalars(
        select(Case).where(Case.author_id == user_id)
        .options(joinedload(Case.unit).joinedload(Unit.building))
        .order_by(Case.status.in_(OPEN).desc(), Case.created_at.desc(), Case.id.desc())))


def resident_case(user_id: int, case_id: int) -> Case | None:
    """The resident's own case; None for any other (a 404)."""
    return db.session.scalar(
        select(Case).where(Case.id == case_id, Case.author_id == user_id)
        .options(joinedload(Case.unit).joinedload(Unit.building)))


def thread(case: Case, *, staff: bool = False) -> list[CaseEntry]:
    """The case's entries, oldest first: all of them for staff; for the resident never an
    internal note or an assignment."""
    stmt = select(CaseEntry).where(CaseEntry.case_id == case.id)
    if not staff:
        stmt = stmt.where(CaseEntry.kind.not_in(INTERNAL))
    return list(db.session.scalars(stmt.order_by(CaseEntry.at, CaseEntry.id)))


def attachments_by_entry(case: Case) -> dict[int, list[CaseAttachment]]:
    """The case's attachments per entry (one query)."""
    found: dict[int, list[CaseAttachment]] = {}
    for attachment in db.session.scalars(select(CaseAttachment).where(
            CaseAttachment.case_id == case.id).order_by(CaseAttachment.id)):
        found.setdefault(attachment.entry_id, []).append(attachment)
    return found


def attachment_of(case: Case, attachment_id: int) -> CaseAttachment | None:
    """One of the case's attachments (None: a 404)."""
    return db.session.scalar(select(CaseAttachment).where(
        CaseAttachment.id == attachment_id, CaseAttachment.case_id == case.id))


def _attachment_count(case: Case) -> int:
    return db.session.scalar(select(func.count()).select_from(CaseAttachment).where(
        CaseAttachment.case_id == case.id)) or 0


def follow_up(case: Case, user: User, text: str, uploads: list[Upload],
              rules: Rules) -> CaseEntry:
    """The resident writes again in their open case (no commit); a case waiting for the
    resident goes back to the office."""
    if case.author_id != user.id:
        raise CaseError(_l("Only the resident who wrote the letter can add to this case."))
    if not case.is_open:
        raise CaseError(_l("This case is closed. If the matter is not settled, please write a "
                           "new letter and give this case's number in it."), "text")
    text = text.strip()
    if not text and not uploads:
        raise CaseError(_l("Write your answer or attach a file."), "text")
    if len(text) > BODY_MAX:
        raise CaseError(_l("The text is too long: at most %(max)d characters.", max=BODY_MAX),
                        "text")
    checked = _checked(uploads, rules, _attachment_count(case))
    written = entry(case, FOLLOW_UP, author=user, body=text)
    _attach(case, written, checked)
    if case.status == WAITING:
        set_status(case, IN_PROGRESS)
        written.status = IN_PROGRESS
    case.updated_at = utcnow()
    return written


# --- staff --------------------------------------------------------------------------------------


def queue(filters: Filters, me: User) -> Select:
    """The cases staff look at, oldest first."""
    stmt = select(Case).options(joinedload(Case.unit).joinedload(Unit.building))
    return queues.filtered(
        stmt, filters, me, status=Case.status, open_statuses=OPEN, kind=Case.topic,
        created=Case.created_at, assigned=Case.assigned_to_id,
        building=lambda building_id: Case.unit_id.in_(select(Unit.id).where(
            Unit.building_id == building_id)),
    ).order_by(Case.created_at, Case.id)


def staff_case(case_id: int) -> Case | None:
    """Any case of the cooperative (None: a 404)."""
    return db.session.scalar(select(Case).where(Case.id == case_id).options(
        joinedload(Case.unit).joinedload(Unit.building)))


def signature(user: User) -> str:
    """What a resident sees of who answered: the first name and the department, never the
    personal e-mail or the surname."""
    name = user.first_name or user.identifier
    return f"{name}, {user.department}" if user.department else name


@dataclass(frozen=True)
class Action:
    """One staff action on a case: any of an answer (with attachments), an internal note, a
    status, an assignment, or closing with a reason."""

    answer: str = ""
    attachments: tuple[Upload, ...] = ()
    note: str = ""
    status: str | None = None
    assign_to: int | None = None
    unassign: bool = False
    close_reason: str = ""
    close: bool = False


def act(case: Case, actor: User, action: Action, rules: Rules) -> list[str]:
    """Carry out a staff action (no commit). What changed, for the message."""
    answer, note = action.answer.strip(), action.note.strip()
    reason = action.close_reason.strip()
    for text, name, limit in ((answer, "answer", BODY_MAX), (note, "note", BODY_MAX),
                              (reason, "close_reason", REASON_MAX)):
        if len(text) > limit:
            raise CaseError(_l("The text is too long: at most %(max)d characters.", max=limit),
                            name)
    status = None if action.status == case.status else action.status
    if status is not None and status not in MOVES.get(case.status, ()):
        raise CaseError(_l("This status cannot be set now."), "status")
    if action.close and not case.is_open:
        raise CaseError(_l("This case is already closed."), "close_reason")
    if action.close and not reason:
        raise CaseError(_l("Give the reason for closing the case (the resident sees it)."),
                        "close_reason")
    if not case.is_open and answer and status is None:
        raise CaseError(_l("This case is closed: open it again (status “being dealt with”) "
                           "to answer."), "status")
    if action.attachments and not answer:
        raise CaseError(_l("Attachments are sent with an answer: write the answer too."),
                        "attachments")
    checked = _checked(action.attachments, rules, _attachment_count(case))
    changed = []
    if action.assign_to is not None or action.unassign:
        changed += _assign(case, actor, None if action.unassign else action.assign_to)
    if note:
        entry(case, NOTE, author=actor, body=note, staff=True, label=actor.full_name)
        changed.append("note")
    if status is not None:
        set_status(case, status)
        entry(case, STATUS, author=actor, status=status, staff=True, label=signature(actor))
        changed.append("status")
    if answer:
        if status is None and not action.close and case.status == RECEIVED:
            set_status(case, IN_PROGRESS)  # an answer shows the office is on it
        _attach(case, entry(case, ANSWER, author=actor, body=answer, staff=True,
                            label=signature(actor)), checked)
        case.first_answer_at = case.first_answer_at or utcnow()
        audit.record(CASE_ANSWERED, actor=actor, identifier=case.registry_number)
        if not action.close:
            _tell(case, "case_answer", answer=answer if rules.answer_in_email else "",
                  attachments=len(checked))
        changed.append("answer")
    if action.close:
        close(case, actor, reason, answer=answer if rules.answer_in_email else "")
        changed.append("closed")
    if not changed:
        raise CaseError(_l("Nothing to save: write an answer or a note, change the status, "
                           "assign the case or close it."))
    case.updated_at = utcnow()
    return changed


def close(case: Case, actor: User, reason: str, *, answer: str = "", kind: str = CLOSE,
          body: str | None = None, action: str = CASE_CLOSED, **detail: Any) -> None:
    """Close the case with a reason the resident sees, and tell them (no commit)."""
    set_status(case, CLOSED)
    entry(case, kind, author=actor, body=reason if body is None else body, status=CLOSED,
          staff=True, label=signature(actor))
    case.close_reason = reason
    audit.record(action, actor=actor, identifier=case.registry_number, **(detail or {
        "reason": reason}))
    _tell(case, "case_closed", reason=reason, answer=answer)


def _assign(case: Case, actor: User, user_id: int | None) -> list[str]:
    if user_id == case.assigned_to_id:
        return []
    name = ""
    if user_id is not None:
        member = queues.staff_member(user_id)
        if member is None:
            raise CaseError(_l("Choose a member of staff."), "assign_to")
        name = member.full_name
    case.assigned_to_id = user_id
    entry(case, ASSIGNED, author=actor, body=name, staff=True, label=actor.full_name)
    audit.record(CASE_ASSIGNED, actor=actor, identifier=case.registry_number, assigned_to=name)
    return ["assigned"]


def open_count() -> Any:
    """For the staff start page: cases waiting for the office (not for the resident)."""
    return select(func.count()).select_from(Case).where(Case.status.in_((RECEIVED,
                                                                          IN_PROGRESS)))


@dataclass(frozen=True)
class Registry:
    """The correspondence register at a glance (staff start page)."""

    open_by_age: list[tuple[str, int]]  # (label, count) from the newest group to the oldest
    answered: int  # cases of the last 90 days with a first answer
    median_hours: float | None  # median time to the first answer, in hours
    unanswered: int  # open cases without any answer yet


def registry() -> Registry:
    """Open cases by age and the time to the first answer over the last 90 days (two
    queries)."""
    now = utcnow()
    ages = [func.count().filter(Case.created_at > now - timedelta(days=AGES[0]))]
    for lower, upper in itertools.pairwise(AGES):
        ages.append(func.count().filter(Case.created_at <= now - timedelta(days=lower),
                                        Case.created_at > now - timedelta(days=upper)))
    ages.append(func.count().filter(Case.created_at <= now - timedelta(days=AGES[-1])))
    ages.append(func.count().filter(Case.first_answer_at.is_(None)))
    counts = db.session.execute(select(*ages).where(Case.status.in_(OPEN))).one()
    bounds = [f"0–{AGES[0]}", *(f"{a + 1}–{b}" for a, b in itertools.pairwise(AGES)),
              f"> {AGES[-1]}"]
    answered = db.session.execute(select(Case.created_at, Case.first_answer_at).where(
        Case.first_answer_at.is_not(None), Case.created_at > now - timedelta(days=90))).all()
    hours = [(a - c).total_seconds() / 3600 for c, a in answered]
    return Registry(open_by_age=list(zip(bounds, counts[:-1], strict=True)),
                    answered=len(hours),
                    median_hours=statistics.median(hours) if hours else None,
                    unanswered=counts[-1])


def export_rows(filters: Filters, me: User) -> list[dict[str, Any]]:
    """Cases for the management board's report (CSV): when they came, when they were first
    answered and how long that took, and where they stand."""
    cases = list(db.session.scalars(queue(filters, me)).unique())
    names = queues.people([c.author_id for c in cases] + [c.assigned_to_id for c in cases])
    rows = []
    for c in cases:
        author, assignee = names.get(c.author_id), names.get(c.assigned_to_id)
        hours = ((c.first_answer_at - c.created_at).total_seconds() / 3600
                 if c.first_answer_at else None)
        rows.append({
            "numer": c.registry_number, "wplynelo": c.created_at, "temat": c.topic,
            "przedmiot": c.subject, "lokal": c.unit.address if c.unit else "",
            "status": c.status, "mieszkaniec": author.full_name if author else "",
            "przydzielona": assignee.full_name if assignee else "",
            "pierwsza_odpowiedz": c.first_answer_at,
            "godzin_do_odpowiedzi": f"{hours:.1f}".replace(".", ",") if hours is not None
            else "",
            "zamknieta": c.closed_at, "powod_zamkniecia": c.close_reason,
            "zgloszenie_awarii": c.fault_number,
        })
    return rows


# --- answer templates ---------------------------------------------------------------------------


def answer_templates(topic: str | None = None) -> list[AnswerTemplate]:
    """The office's ready answers: for ``topic`` those of the topic and those for any topic;
    without a topic all of them."""
    stmt = select(AnswerTemplate)
    if topic is not None:
        stmt = stmt.where(AnswerTemplate.topic.in_((topic, "")))
    return list(db.session.scalars(stmt.order_by(AnswerTemplate.topic, AnswerTemplate.title)))


def save_template(rules: Rules, topic: str, title: str, body: str,
                  template: AnswerTemplate | None = None) -> AnswerTemplate:
    """Add or change a ready answer (no commit)."""
    if topic and topic not in rules.topics:
        raise CaseError(_l("Choose a topic from the list."), "topic")
    title = _check_text(title, "title", _l("Give the template a name."), 120)
    body = _check_text(body, "body", _l("Write the text of the answer."))
    clash = db.session.scalar(select(AnswerTemplate.id).where(
        AnswerTemplate.title == title,
        AnswerTemplate.id != (template.id if template is not None else 0)))
    if clash is not None:
        raise CaseError(_l("A template with this name already exists."), "title")
    if template is None:
        template = AnswerTemplate(topic=topic, title=title, body=body)
        db.session.add(template)
    else:
        template.topic, template.title, template.body = topic, title, body
    db.session.flush()
    return template


def template_of(template_id: int) -> AnswerTemplate | None:
    return db.session.get(AnswerTemplate, template_id)


# --- shared -------------------------------------------------------------------------------------


def set_status(case: Case, status: str) -> None:
    case.status, case.status_at = status, utcnow()
    case.closed_at = case.status_at if status == CLOSED else None


def entry(case: Case, kind: str, *, author: User | None, body: str = "",
           status: str | None = None, staff: bool = False, label: str | None = None
           ) -> CaseEntry:
    made = CaseEntry(case_id=case.id, kind=kind, status=status, body=body,
                     author_id=getattr(author, "id", None),
                     author_label=label if label is not None else (
                         author.full_name if author is not None else ""),
                     by_staff=staff, at=utcnow())
    db.session.add(made)
    db.session.flush()
    return made


def _attach(case: Case, to: CaseEntry, checked: list[files.Checked]) -> None:
    for item in checked:
        stored = files.store(item.data, filename=item.filename, content_type=item.content_type,
                             purpose=PURPOSE)
        db.session.add(CaseAttachment(case_id=case.id, entry_id=to.id, file_id=stored.id,
                                      filename=item.filename, content_type=item.content_type,
                                      size=len(item.data)))


def _tell(case: Case, template: str, author: User | None = None, **context: Any) -> None:
    """An e-mail to the letter's author, if they have an address (through the outbox). It says
    what happened and links to the case; an answer's text only where the cooperative chose
    so (``answer_in_email``)."""
    author = author or db.session.get(User, case.author_id)
    if author is None or not author.email:
        return
    tenant = get_tenant_info(require_tenant_id())
    queue_message(template, author.email, {
        "name": author.full_name, "number": case.registry_number, "subject": case.subject,
        "topic": case.topic, "link": tenant.url(f"/sprawy/{case.id}"), **context},
                  user_id=author.id)


def download(attachment: CaseAttachment, *, inline: bool = False):
    """An attachment as a private response (a PDF or a picture)."""
    return files.download(files.read(attachment.file_id), filename=attachment.filename,
                          content_type=attachment.content_type, inline=inline)

