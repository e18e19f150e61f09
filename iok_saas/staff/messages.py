"""Staff admins preview every e-mail the portal sends, in the cooperative's branding."""

from __future__ import annotations

from flask import Response, g, render_template

from iok_saas.mail.messages import KINDS, render
from iok_saas.staff.routes import bp
from iok_saas.web.access import admin_required, one_or_404

PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:"


def _rendered(name: str):
    kind = one_or_404(KINDS.get(name))
    return kind, render(g.tenant, name, kind.sample)


@bp.get("/wiadomosci")
@admin_required
def messages():
    """The list of e-mails residents can receive."""
    kinds = sorted(KINDS.values(), key=lambda kind: kind.name)
    return render_template("staff/messages.html", kinds=kinds)


@bp.get("/wiadomosci/<name>")
@admin_required
def message_preview(name: str):
    """One e-mail with sample data: subject and text version, link to the HTML version."""
    kind, rendered = _rendered(name)
    return render_template("staff/message_preview.html", kind=kind, rendered=rendered)


@bp.get("/wiadomosci/<name>/podglad.html")
@admin_required
def message_html(name: str) -> Response:
    """The HTML version exactly as the e-mail carries it (inline styles allowed here only)."""
    _, rendered = _rendered(name)
    return Response(rendered.html, mimetype="text/html",
                    headers={"Content-Security-Policy": PREVIEW_CSP})
