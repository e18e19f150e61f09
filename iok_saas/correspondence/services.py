"""Letters to the office: what is a letter's own on top of the cases room
(``iok_saas.cases``) — writing one about a unit or none, the office's ready answers, and the
register at a glance on the staff start page.

Every function works in the current cooperative's context and leaves the commit to its caller.
"""

from __future__ import annotations

import itertools
import statistics
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from iok_saas.auth.models import User
from iok_saas.cases import services as cases
from iok_saas.cases.files import check_uploads
from iok_saas.cases.kinds import Upload, signature
from iok_saas.correspondence.kind import BODY_MAX, LETTERS, SUBJECT_MAX, CaseError
from iok_saas.correspondence.models import OPEN, RECEIVED, AnswerTemplate, Letter
from iok_saas.db import db, utcnow
from iok_saas.estate.services import places_of
from iok_saas.tenancy.settings import Correspondence as Rules

__all__ = ["CaseError", "NewCase", "Upload", "answer_templates", "create", "registry",
           "save_template", "signature", "template_of"]
AGES = (7, 14, 30)  # the start page's age groups of open cases, in days


@dataclass(frozen=True)
class NewCase:
    """What a resident's form gives."""

    topic: str
    unit_id: int | None
    subject: str
    body: str
    submission: str
    attachments: tuple[Upload, ...] = ()


def _check_text(text: str, field_name: str, empty: Any, limit: int = BODY_MAX) -> str:
    text = text.strip()
    if not text:
        raise CaseError(empty, field_name)
    if len(text) > limit:
        raise CaseError(_l("The text is too long: at most %(max)d characters.", max=limit),
                        field_name)
    return text


def create(user: User, data: NewCase, rules: Rules) -> Letter:
    """Save a resident's letter with its number, attachments and confirmation e-mail (no
    commit). The same form sent again returns the case it made the first time."""
    earlier = cases.earlier(Letter, user.id, data.submission)
    if earlier is not None:
        return earlier
    if data.topic not in rules.topics:
        raise CaseError(_l("Choose a topic from the list."), "topic")
    # Checked among the resident's units, not in SQL: any number the form sends is refused.
    unit = places_of(user.id).unit(data.unit_id) if data.unit_id is not None else None
    if data.unit_id is not None and unit is None:
        raise CaseError(_l("Choose one of your units, or “not about one unit”."), "unit")
    subject = _check_text(data.subject, "subject", _l("Give the letter a subject."),
                          SUBJECT_MAX)
    body = _check_text(data.body, "body", _l("Write what the letter is about."))
    checked = check_uploads(LETTERS, data.attachments, rules)
    return cases.file_case(Letter(
        submission=data.submission, category=data.topic, unit_id=data.unit_id,
        building_id=unit.building_id if unit is not None else None, subject=subject,
        status=RECEIVED), user, body=body, checked=checked)


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
    ages = [func.count().filter(Letter.created_at > now - timedelta(days=AGES[0]))]
    for lower, upper in itertools.pairwise(AGES):
        ages.append(func.count().filter(Letter.created_at <= now - timedelta(days=lower),
                                        Letter.created_at > now - timedelta(days=upper)))
    ages.append(func.count().filter(Letter.created_at <= now - timedelta(days=AGES[-1])))
    ages.append(func.count().filter(Letter.first_answer_at.is_(None)))
    counts = db.session.execute(select(*ages).where(Letter.status.in_(OPEN))).one()
    bounds = [f"0–{AGES[0]}", *(f"{a + 1}–{b}" for a, b in itertools.pairwise(AGES)),
              f"> {AGES[-1]}"]
    answered = db.session.execute(select(Letter.created_at, Letter.first_answer_at).where(
        Letter.first_answer_at.is_not(None), Letter.created_at > now - timedelta(days=90))).all()
    hours = [(a - c).total_seconds() / 3600 for c, a in answered]
    return Registry(open_by_age=list(zip(bounds, counts[:-1], strict=True)),
                    answered=len(hours),
                    median_hours=statistics.median(hours) if hours else None,
                    unanswered=counts[-1])


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
