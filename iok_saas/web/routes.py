"""Shell routes: the cooperative's stylesheet and logo, the language switch."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from iok_saas.extensions import csrf
from iok_saas.web.redirects import local_path
from iok_saas.web.security import from_this_site

bp = Blueprint("web", __name__, template_folder="templates")


@bp.get("/branding.css")
def branding_css() -> Response:
    """The cooperative's colours as CSS variables (no inline styles: CSP forbids them)."""
    css = render_template("branding.css", branding=g.tenant.settings.branding)
    return Response(css, mimetype="text/css", headers={"Cache-Control": "public, max-age=300"})


@bp.get("/logo.svg")
def logo() -> Response:
    """The cooperative's logo, shown through <img> where SVG scripts never run."""
    svg = g.tenant.settings.logo_svg
    if not svg:
        abort(404)
    return Response(svg, mimetype="image/svg+xml", headers={
        "Cache-Control": "public, max-age=300",
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    })


@bp.post("/jezyk")
@csrf.exempt
def set_language():
    """Remember the chosen language and go back to the page the person was on.

    Without a form token: the form is in every page's footer, and a token there would give
    every anonymous page a session cookie (no proxy could keep it). The browser's own headers
    say instead whether the form came from this host: a forged one from elsewhere is refused
    before the session is touched."""
    if not from_this_site(request):
        abort(403)
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(local_path(request.form.get("next")) or url_for("public.home"))
