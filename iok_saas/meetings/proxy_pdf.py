"""The proxy form to print (pełnomocnictwo do udziału w walnym zgromadzeniu), as a PDF on the
cooperative's letterhead: the member (filled in for the member who downloads it), the meeting
and their part, the holder and who the holder is — only those art. 8³ ust. 12 of the housing
cooperatives act allows —, the close person's statement with the clause the act requires
(ust. 13–14), the delivery deadline (ust. 15: at least 3 days before the meeting or its first
part), the matters a holder does not vote on (ust. 16), and the lines to sign."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import g

from iok_saas.db import utcnow
from iok_saas.meetings import rules as law
from iok_saas.meetings.models import (
    ADVOCATE,
    CLOSE_PERSON,
    LEGAL_ADVISER,
    OTHER_MEMBER,
    Meeting,
    MeetingPart,
)
from iok_saas.web.pdf import letterhead_pdf

# The holders the form offers, in the act's order.
HOLDERS = (CLOSE_PERSON, ADVOCATE, LEGAL_ADVISER, OTHER_MEMBER)


def proxy_form_pdf(meeting: Meeting, *, member: Any, part: MeetingPart | None,
                   dates: law.Deadlines | None, when: Callable[[datetime], str]) -> bytes:
    """The form as a Polish PDF (a blank one where ``member`` is None: the office's copy);
    ``when`` writes a part's date and time in words."""
    return letterhead_pdf("meetings/proxy_form_pdf.html", g.tenant, meeting=meeting,
                          member=member, part=part, parts=list(meeting.parts), dates=dates,
                          holders=[(k, law.HOLDER_LABELS[k]) for k in HOLDERS],
                          clause=law.STATEMENT_CLAUSE, proxy_days=law.PROXY_DAYS,
                          when_words=when, produced=utcnow())
