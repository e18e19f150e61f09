"""The credentials document (identifier + initial password on paper), as HTML and PDF.

Staff print it when they open an account at the office and when an online applicant comes in
with an identity document; both show it once, straight after the password was issued.
"""

from __future__ import annotations

from typing import Any

from flask import g, render_template, url_for

from iok_saas.auth.forms import DocumentForm
from iok_saas.auth.policy import describe
from iok_saas.db import utcnow
from iok_saas.estate.services import titles_of
from iok_saas.web.pdf import render_pdf


def sheet_context(user: Any, password: str) -> dict[str, Any]:
    """What the document shows: letterhead, person, units, identifier, password, dates."""
    return {
        "person": user,
        "titles": titles_of(user.id),
        "password": password,
        "issued": utcnow(),
        "expires": user.initial_password_expires_at,
        "portal": g.tenant.url("/"),
        "rule_text": describe(g.tenant.settings.password),
        "logo_src": url_for("web.logo") if g.tenant.settings.logo_svg else None,
    }


def show_document(user: Any, password: str) -> str:
    """The document page, shown once after the password was issued (the caller commits first:
    the page must never show a password that was not saved)."""
    return render_template("auth/credentials.html", doc_form=DocumentForm(),
                           **sheet_context(user, password))


def credentials_pdf(user: Any, password: str) -> bytes:
    """The same document as a PDF (WeasyPrint), for printing or the resident's records."""
    return render_pdf("auth/credentials_document.html", **sheet_context(user, password))
