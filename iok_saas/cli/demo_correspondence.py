"""The demo's letters to the office: answer templates, one letter the office answered and waits
for the resident's reply on, one closed, and (where fault reports are on) one that is really a
fault, for the clerk to move."""

from __future__ import annotations

import uuid
from datetime import timedelta

from iok_saas import files
from iok_saas.auth.models import User
from iok_saas.cases.kinds import signature
from iok_saas.cases.models import CLOSE, CREATED, REPLY, CaseAttachment, CaseEvent, CaseFollower
from iok_saas.correspondence.kind import PURPOSE
from iok_saas.correspondence.models import (
    CLOSED,
    PREFIX,
    RECEIVED,
    WAITING,
    AnswerTemplate,
    Letter,
)
from iok_saas.db import db, utcnow
from iok_saas.estate.models import Unit
from iok_saas.files.attachments import PDF
from iok_saas.registers import RegistryCounter
from iok_saas.web.formatting import WARSAW

TEMPLATES = (
    ("pytanie o rozliczenie", "Prośba o zdjęcie licznika",
     "Szanowna Pani / Szanowny Panie,\n\nuprzejmie prosimy o przesłanie zdjęcia licznika wraz "
     "z jego numerem. Po jego otrzymaniu sprawdzimy rozliczenie i niezwłocznie odpowiemy.\n\n"
     "Z poważaniem"),
    ("reklamacja naliczenia", "Reklamacja przyjęta do rozpatrzenia",
     "Szanowna Pani / Szanowny Panie,\n\nreklamacja została przyjęta. Dział czynszów sprawdzi "
     "naliczenie w ciągu 14 dni i poinformuje Panią/Pana o wyniku w tej sprawie.\n\n"
     "Z poważaniem"),
    ("wniosek o kopię dokumentów (art. 8¹)", "Kopie dokumentów do odbioru",
     "Szanowna Pani / Szanowny Panie,\n\nkopie wskazanych dokumentów są przygotowane do "
     "odbioru w biurze Spółdzielni w godzinach jego pracy. Zgodnie z art. 8¹ ustawy "
     "o spółdzielniach mieszkaniowych koszt sporządzenia kopii pokrywa członek.\n\n"
     "Z poważaniem"),
)


def populate(units: list[Unit], resident: User, neighbour: User, clerk: User,
             with_fault: bool) -> None:
    """The templates and the letters (the first resident's two, the neighbour's fault)."""
    for topic, title, body in TEMPLATES:
        db.session.add(AnswerTemplate(topic=topic, title=title, body=body))
    now = utcnow()
    own = [u for u in units if any(t.user_id == resident.id for t in u.titles)] or units[:1]
    plans = [
        (resident, own[0], "pytanie o rozliczenie", "Rozliczenie wody za III kwartał",
         "Dzień dobry,\n\nw rozliczeniu wody za III kwartał naliczono 14 m³ zimnej wody, choć "
         "zwykle zużywamy około 8 m³. Proszę o sprawdzenie, czy odczyt był prawidłowy.\n\n"
         "Z poważaniem", 9,
         [(REPLY, WAITING, TEMPLATES[0][2], 2)]),
        (resident, None, "wniosek o kopię dokumentów (art. 8¹)",
         "Kopia protokołu z ostatniego walnego zgromadzenia",
         "Uprzejmie proszę o kopię protokołu z ostatniego Walnego Zgromadzenia Członków.", 40,
         [(REPLY, None, TEMPLATES[2][2], 3),
          (CLOSE, CLOSED, "Kopie wydano w biurze Spółdzielni.", 10)]),
    ]
    if with_fault:
        flat = next((u for u in units if any(t.user_id == neighbour.id for t in u.titles)),
                    units[0])
        plans.append((neighbour, flat, "inna sprawa", "Cieknie kaloryfer w pokoju",
                      "Od wczoraj spod zaworu kaloryfera w dużym pokoju kapie woda. "
                      "Podstawiłem miskę. Proszę o przysłanie hydraulika.", 1, []))
    year = now.astimezone(WARSAW).year
    for number, (author, unit, topic, subject, body, days_ago, steps) in enumerate(plans, 1):
        sent = now - timedelta(days=days_ago)
        status = next((s for _k, s, _b, _d in reversed(steps) if s), RECEIVED)
        if steps and status == RECEIVED:
            status = "in_progress"
        case = Letter(register=PREFIX, year=year, number=number, submission=str(uuid.uuid4()),
                      filed_by_id=author.id, category=topic, unit_id=unit.id if unit else None,
                      building_id=unit.building_id if unit else None, subject=subject,
                      status=status, status_at=sent, created_at=sent)
        db.session.add(case)
        db.session.flush()
        db.session.add(CaseFollower(case_id=case.id, user_id=author.id, since=sent))
        letter = CaseEvent(case_id=case.id, kind=CREATED, status=RECEIVED, body=body,
                           author_id=author.id, author_label=author.full_name, at=sent)
        db.session.add(letter)
        if number == 1:  # the resident attached the settlement they ask about
            db.session.flush()
            _attach_pdf(case, letter, "rozliczenie-wody-III-kwartal.pdf")
        for kind, new_status, text, after in steps:
            at = sent + timedelta(days=after)
            db.session.add(CaseEvent(case_id=case.id, kind=kind, status=new_status, body=text,
                                     author_id=clerk.id, author_label=signature(clerk),
                                     by_staff=True, at=at))
            if kind == REPLY:
                case.first_answer_at = case.first_answer_at or at
            if new_status:
                case.status_at = at
            if kind == CLOSE:
                case.closed_at, case.close_reason = at, text
    db.session.add(RegistryCounter(register=PREFIX, year=year, last=len(plans)))


def _attach_pdf(case: Letter, letter: CaseEvent, filename: str) -> None:
    """A one-page PDF as the resident's attachment."""
    import io

    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(out)
    data = out.getvalue()
    stored = files.store(data, filename=filename, content_type=PDF, purpose=PURPOSE)
    db.session.add(CaseAttachment(case_id=case.id, event_id=letter.id, file_id=stored.id,
                                  filename=filename, content_type=PDF, size=len(data)))
