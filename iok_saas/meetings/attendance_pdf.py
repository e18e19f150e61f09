"""A part's attendance list (lista obecności) as a PDF on the cooperative's letterhead: the
members who sit in the part by surname with their units, a column for the signature, and the
proxies that stand for the part, signed by their holders (the list the office later counts the
attendance from; art. 8³ of the housing cooperatives act: the proxies are attached to the
minutes)."""

from __future__ import annotations

from typing import Any

from iok_saas.db import utcnow
from iok_saas.estate.services import places_of_each
from iok_saas.meetings import services
from iok_saas.meetings.models import Meeting, MeetingPart
from iok_saas.web.pdf import letterhead_pdf


def attendance_pdf(meeting: Meeting, part: MeetingPart, rules: Any, tenant: Any) -> bytes:
    """The part's list to sign, in Polish."""
    members = services.part_members(meeting, part, rules)
    places = places_of_each(m.id for m in members)
    addresses = {m.id: [t.unit.address for t in places[m.id].titles
                        if t.kind in rules.member_titles] if m.id in places else []
                 for m in members}
    proxies = services.proxies_of(meeting, part_id=part.id, standing=True)
    names = services.people(p.member_id for p in proxies)
    elects = [i for i in meeting.items if i.elects]
    return letterhead_pdf("meetings/staff_attendance_pdf.html", tenant, meeting=meeting,
                          part=part, members=members, addresses=addresses, proxies=proxies,
                          names=names, elects=elects, produced=utcnow(),
                          buildings=services.part_buildings(meeting).get(part.id, []))


def file_name(meeting: Meeting, part: MeetingPart) -> str:
    """``lista-obecnosci-12-czesc-2.pdf``."""
    return f"lista-obecnosci-{meeting.id}-czesc-{part.number}.pdf"
