"""What the law and the statute require of a general meeting, as plain functions.

Art. 8³ of the housing cooperatives act (ustawa o spółdzielniach mieszkaniowych), in force
with the amendment of 4 December 2025 (Dz.U. 2026 poz. 39) since 28 January 2026:

* notice of the time, place and agenda to every member in writing **at least 21 days** before
  the meeting or its first part, saying where the reports and draft resolutions are laid out
  and that members may read them (the statute may give more days: ``notice_days``);
* the draft resolutions and reports laid out **at least 14 days** before (``documents_days``);
* members may file draft resolutions and ask for matters on the agenda **at least 15 days**
  before the meeting or its first part; a members' draft needs the support of **at least 10
  members**;
* a member takes part in person or through a proxy; the proxy is given in writing (or void)
  and attached to the minutes; one holder represents one member;
* ust. 12 — the holder of a natural person's proxy may only be a close person of the member
  (not a person living with them without marriage), an advocate or a legal adviser, or
  another member of the same cooperative;
* ust. 13–14 — a close person's proxy needs their statement, under penalty for a false
  statement, that they are a close person, with the clause "Jestem świadomy
  odpowiedzialności karnej za złożenie fałszywego oświadczenia."; without it the proxy is void;
* ust. 15 — the proxy (and the statement) is delivered to the cooperative **not later than 3
  days** before the meeting or its first part;
* ust. 16 — a proxy holder does not vote on the election and recall of members of the
  supervisory board or the board;
* a meeting in parts: a resolution is adopted when it was put to the vote in every part and
  the votes of all parts together give the majority; only votes for and against count
  (art. 35 § 2 of the cooperative law), abstentions do not.

Days are counted back from the day of the first part. Whether "at least 21 days before" counts
the day of notice is disputed, and courts annul resolutions for a notice one day short, so the
cooperative's duties are read cautiously — whole days between, neither the day of notice nor the
day of the meeting counted: for a first part on Friday 21 May, notice by 29 April and the
documents laid out by 6 May — and the members' rights in their favour: a draft filed on 6 May
(15 days before) and a proxy delivered on 18 May (3 days before) count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l

from iok_saas.meetings.models import (
    ADOPTED,
    ADVOCATE,
    ALLOWED_HOLDERS,
    CLOSE_PERSON,
    COHABITANT,
    LEGAL_ADVISER,
    NOT_ADOPTED,
    OTHER_MEMBER,
    SIMPLE,
    SOMEONE_ELSE,
    TWO_THIRDS,
)
from iok_saas.web.formatting import day

DRAFT_DAYS = 15  # members' drafts, before the meeting or its first part
DRAFT_SUPPORTERS = 10  # members supporting a members' draft, at least
PROXY_DAYS = 3  # a proxy delivered, before the meeting or its first part
MEMBERS_PER_HOLDER = 1  # one proxy holder represents one member
STATEMENT_CLAUSE = "Jestem świadomy odpowiedzialności karnej za złożenie fałszywego oświadczenia."

HOLDER_LABELS = {
    CLOSE_PERSON: _l("a close person of the member (spouse, child, grandchild, parent, "
                     "grandparent, sibling, sibling's child, adopter or adoptee)"),
    ADVOCATE: _l("an advocate"),
    LEGAL_ADVISER: _l("a legal adviser"),
    OTHER_MEMBER: _l("another member of the cooperative"),
    COHABITANT: _l("a person living with the member without marriage"),
    SOMEONE_ELSE: _l("someone else (a neighbour, a friend who is not a member)"),
}
# The office's choice in the register's form: short enough for a select on a phone.
HOLDER_CHOICES = {
    CLOSE_PERSON: _l("close person (spouse, child, parent, sibling…)"),
    ADVOCATE: _l("advocate"), LEGAL_ADVISER: _l("legal adviser"),
    OTHER_MEMBER: _l("another member of the cooperative"),
    COHABITANT: _l("partner living with the member (not allowed)"),
    SOMEONE_ELSE: _l("someone else (not allowed)"),
}
HOLDER_SHORT = {
    CLOSE_PERSON: _l("close person"), ADVOCATE: _l("advocate"), LEGAL_ADVISER: _l("legal adviser"),
    OTHER_MEMBER: _l("member"), COHABITANT: _l("partner (not married)"),
    SOMEONE_ELSE: _l("someone else"),
}

# Why a proxy does not stand, as the register shows it.
LATE, NOT_ALLOWED, NO_STATEMENT, HOLDER_NOT_MEMBER, HOLDER_TAKEN, HAS_PROXY, SELF = (
    "late", "not_allowed", "no_statement", "holder_not_member", "holder_taken", "has_proxy",
    "self")
REASONS = {
    LATE: _l("delivered after the deadline (at least 3 days before the meeting or its first "
             "part: by %(deadline)s)"),
    NOT_ALLOWED: _l("the act does not allow this holder: only a close person of the member "
                    "(not a partner living with them without marriage), an advocate or a "
                    "legal adviser, or another member"),
    NO_STATEMENT: _l("a close person's proxy without their statement under penalty for a "
                     "false statement is void"),
    HOLDER_NOT_MEMBER: _l("the holder is not a member of the cooperative"),
    HOLDER_TAKEN: _l("the holder already represents another member (one holder, one member)"),
    HAS_PROXY: _l("the member has already given a proxy that stands"),
    SELF: _l("the holder is the member"),
}


@dataclass(frozen=True)
class Deadlines:
    """The days a meeting's first part sets, by the act and the statute."""

    first_day: date
    notice_by: date  # notice given at the latest
    documents_by: date  # reports and drafts laid out at the latest
    drafts_by: date  # members' drafts filed at the latest
    proxies_by: date  # proxies delivered at the latest


def deadlines(first_day: date, rules: Any) -> Deadlines:
    """The deadlines of a meeting whose first part sits on ``first_day``."""
    return Deadlines(
        first_day=first_day,
        notice_by=first_day - timedelta(days=rules.notice_days + 1),
        documents_by=first_day - timedelta(days=rules.documents_days + 1),
        drafts_by=first_day - timedelta(days=DRAFT_DAYS),
        proxies_by=first_day - timedelta(days=PROXY_DAYS))


def earliest_first_day(today: date, rules: Any) -> date:
    """The first day a meeting convened today may sit."""
    return today + timedelta(days=rules.notice_days + 1)


def proxy_reasons(*, holder_kind: str, statement: bool, received_on: date, proxies_by: date,
                  holder_is_member: bool, holder_taken: bool, member_has_proxy: bool,
                  holder_is_self: bool) -> list[str]:
    """Why a proxy does not stand (empty: it stands), in the order the register shows them."""
    found: list[str] = []
    if received_on > proxies_by:
        found.append(LATE)
    if holder_kind not in ALLOWED_HOLDERS:
        found.append(NOT_ALLOWED)
    if holder_kind == CLOSE_PERSON and not statement:
        found.append(NO_STATEMENT)
    if holder_kind == OTHER_MEMBER and not holder_is_member:
        found.append(HOLDER_NOT_MEMBER)
    if holder_is_self:
        found.append(SELF)
    if holder_taken:
        found.append(HOLDER_TAKEN)
    if member_has_proxy:
        found.append(HAS_PROXY)
    return found


TITLES = re.compile(r"\b(adw|adwokat|adwokatka|r\.?\s*pr|radca\s+prawny|radczyni\s+prawna|mec|"
                    r"mecenas|dr|hab|prof)\b\.?", re.IGNORECASE)


def holder_key(name: str) -> str:
    """A holder's name as compared in the register (one holder, one member): without titles
    ("adw.", "r.pr.", "mec."), dots, case and extra spaces — "adw. Jan  Kowalski" and
    "Jan Kowalski" are the same holder."""
    return " ".join(TITLES.sub(" ", name).replace(".", " ").casefold().split())


def reason_text(code: str, proxies_by: date | None = None) -> str:
    """A reason as people read it."""
    message = REASONS.get(code)
    if message is None:
        return code
    return str(message) % {"deadline": day(proxies_by)} if code == LATE else str(message)


@dataclass(frozen=True)
class Total:
    """A resolution's votes across all parts and what they decide."""

    votes_for: int
    votes_against: int
    abstained: int
    parts_voted: int
    parts: int
    outcome: str | None  # ADOPTED, NOT_ADOPTED; None: not every part has voted yet
    why: Any  # why not adopted (or None)


def total(votes: list[tuple[int, int, int]], parts: int, majority: str, *, attended: int,
          members: int, quorum_percent: int) -> Total:
    """Sum the parts' votes (for, against, abstained) on one resolution and decide: put to the
    vote in every part, the quorum of the statute reached (``attended`` of ``members``), and
    the majority of the votes for and against."""
    votes_for = sum(v[0] for v in votes)
    against = sum(v[1] for v in votes)
    abstained = sum(v[2] for v in votes)
    if len(votes) < parts:
        return Total(votes_for, against, abstained, len(votes), parts, None,
                     _l("not every part has voted yet"))
    why = None
    if quorum_percent and attended * 100 < quorum_percent * members:
        why = _l("the quorum of the statute was not reached (%(percent)d%% of members)",
                 percent=quorum_percent)
    elif majority == TWO_THIRDS and votes_for * 3 < (votes_for + against) * 2:
        why = _l("less than two thirds of the votes cast were for")
    elif majority == SIMPLE and votes_for <= against:
        why = _l("there were not more votes for than against")
    elif votes_for == 0:
        why = _l("no votes for")
    return Total(votes_for, against, abstained, len(votes), parts,
                 NOT_ADOPTED if why else ADOPTED, why)
