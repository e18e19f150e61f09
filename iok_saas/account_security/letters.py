"""Activation codes on paper: a CSV for the accounting system to print on the next fee notice,
and letters (PDF, one page a person) the office can post. Both are made once, when the codes
are issued: the plain codes are kept nowhere else."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

import segno
from flask import g

from iok_saas.account_security.activation import Issued, shown
from iok_saas.auth.policy import describe
from iok_saas.db import utcnow
from iok_saas.estate.services import places_of_each
from iok_saas.web.formatting import csv_cell, day, excel_csv
from iok_saas.web.pdf import render_pdf

CSV_COLUMNS = ("identyfikator", "id_kontrahenta", "imie", "nazwisko", "lokale", "kod",
               "wazny_do")
ACTIVATION_PATH = "/aktywacja"


def units_of(user_ids: Iterable[int]) -> dict[int, list[str]]:
    """The addresses of each person's units (one query for a batch)."""
    return {user_id: [unit.address for unit in places.units]
            for user_id, places in places_of_each(user_ids).items()}


def codes_csv(issued: list[Issued]) -> str:
    """One row a person, for the accounting system's fee notice (``;``, UTF-8 with BOM)."""
    units = units_of(i.user.id for i in issued)
    return excel_csv(CSV_COLUMNS, (
        [csv_cell(value) for value in (
            i.user.identifier, i.user.external_id or "", i.user.first_name, i.user.last_name,
            " | ".join(units.get(i.user.id, ())), shown(i.code),
            i.expires_at.date().isoformat())]
        for i in issued))


def _qr(url: str) -> str:
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=3, border=2)


def letters_pdf(issued: list[Issued]) -> bytes:
    """One A4 page a person: what the portal is, its address, the identifier, the code, until
    when it works, what to do, and what to do if the letter was not meant for them."""
    tenant = g.tenant
    units = units_of(i.user.id for i in issued)
    address = tenant.url(ACTIVATION_PATH)
    return render_pdf("account_security/activation_letters.html", letters=[
        {"person": i.user, "units": units.get(i.user.id, []), "code": shown(i.code),
         "expires": i.expires_at, "qr": _qr(f"{address}?identyfikator={i.user.identifier}")}
        for i in issued], address=address, issued=utcnow(), tenant=tenant,
        rule_text=describe(tenant.settings.password))


def bundle(issued: list[Issued]) -> bytes:
    """The CSV and the letters in one ZIP, named with today's date."""
    today = day(utcnow()).replace(".", "-")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"kody-aktywacyjne-{today}.csv", codes_csv(issued))
        archive.writestr(f"listy-aktywacyjne-{today}.pdf", letters_pdf(issued))
    return out.getvalue()
