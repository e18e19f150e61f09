"""Printed documents on the cooperative's letterhead, as A4 PDFs (WeasyPrint)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from flask import g, render_template
from flask_babel import force_locale

CSS_FILE = Path(__file__).resolve().parents[1] / "static" / "css" / "document.css"


def render_pdf(template: str, **context: Any) -> bytes:
    """Render ``template`` to a PDF with ``document.css``.

    The PDF is made without a server to fetch from, so the logo goes in as a ``data:`` URI
    (``logo_src``), and nothing else is fetched: no files, no network. WeasyPrint is loaded at
    the first PDF (26 MB a web worker that never makes one does not carry).
    """
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    svg = g.tenant.settings.logo_svg
    context["logo_src"] = (f"data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}"
                           if svg else None)
    fetcher = URLFetcher(allowed_protocols={"data"})
    html = HTML(string=render_template(template, **context), url_fetcher=fetcher)
    return html.write_pdf(stylesheets=[CSS(filename=str(CSS_FILE), url_fetcher=fetcher)])


def letterhead_pdf(template: str, tenant: Any, **context: Any) -> bytes:
    """``template`` as a Polish PDF on ``tenant``'s letterhead, in a request or in a job (where
    the letterhead finds the cooperative on ``g`` all the same); the template gets ``tenant``
    and ``pdf``."""
    had = getattr(g, "tenant", None)
    g.tenant = tenant
    try:
        with force_locale("pl"):
            return render_pdf(template, tenant=tenant, pdf=True, **context)
    finally:
        g.tenant = had
