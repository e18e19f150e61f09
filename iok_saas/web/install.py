"""The cooperative's IOK on a phone's home screen: a web app manifest, icons drawn from the
cooperative's logo, and a service worker whose only job is the offline page.

The service worker caches the offline page and the three files it needs when it is installed,
and nothing else, ever: every other request goes to the network as if it were not there, so
no personal page is stored on the phone.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from functools import lru_cache

from flask import Blueprint, Response, abort, current_app, g, render_template, request, url_for
from flask_babel import gettext as _
from PIL import Image, ImageDraw, ImageFont

bp = Blueprint("install", __name__, template_folder="templates")
ICON_SIZES = (180, 192, 512)  # Apple's home-screen icon; the manifest's two
NO_STORE = {"Cache-Control": "no-cache"}


def app_name(settings) -> str:
    """The short name under the icon: the cooperative's own, else the quoted part of its short
    name ("SM „Bałtyk”" → "Bałtyk"), else the short name itself."""
    if settings.branding.app_name:
        return settings.branding.app_name
    quoted = re.search(r"[„\"“]([^”\"“]+)[”\"“]", settings.short_name)
    return quoted.group(1) if quoted else settings.short_name


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    """What the phone needs to put the cooperative's IOK on its home screen."""
    settings = g.tenant.settings
    icons = [{"src": url_for("install.icon", size=size), "sizes": f"{size}x{size}",
              "type": "image/png", "purpose": "any"} for size in ICON_SIZES[1:]]
    icons.append({"src": url_for("install.icon", size=512, maskable=1), "sizes": "512x512",
                  "type": "image/png", "purpose": "maskable"})
    body = {
        "name": f"{settings.short_name} – IOK",
        "short_name": app_name(settings),
        "description": _("Online customer service (IOK)"),
        "lang": "pl",
        "start_url": url_for("public.home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": settings.branding.primary_color,
        "icons": icons,
    }
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json",
                    headers={"Cache-Control": "public, max-age=300"})


@bp.get("/ikona-<int:size>.png")
def icon(size: int) -> Response:
    """The logo on white as a square PNG; ``?maskable=1`` keeps it inside the safe circle a
    phone may cut the icon to. Without a logo: "IOK" in white on the brand colour."""
    if size not in ICON_SIZES:
        abort(404)
    branding = g.tenant.settings.branding
    png = draw_icon(g.tenant.settings.logo_svg, branding.primary_color, size,
                    request.args.get("maskable") == "1")
    return Response(png, mimetype="image/png", headers={"Cache-Control": "public, max-age=3600"})


@lru_cache(maxsize=256)
def draw_icon(logo_svg: str, colour: str, size: int, maskable: bool) -> bytes:
    """A square icon of ``size`` pixels (cached: the same logo gives the same bytes)."""
    if logo_svg:
        import cairosvg  # at the first icon, not in every worker

        canvas = Image.new("RGB", (size, size), "#ffffff")
        inner = round(size * (0.7 if maskable else 0.9))
        drawn = cairosvg.svg2png(bytestring=logo_svg.encode(), output_width=inner,
                                 output_height=inner)
        logo = Image.open(io.BytesIO(drawn)).convert("RGBA")
        canvas.paste(logo, ((size - logo.width) // 2, (size - logo.height) // 2), logo)
    else:
        canvas = Image.new("RGB", (size, size), colour)
        font = ImageFont.load_default(size=round(size * (0.24 if maskable else 0.32)))
        ImageDraw.Draw(canvas).multiline_text((size / 2, size / 2), "IOK", fill="#ffffff",
                                              font=font, anchor="mm", align="center")
    out = io.BytesIO()
    canvas.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _offline_page() -> str:
    return render_template("offline.html")


# What the offline page needs, cached when the service worker is installed (and nothing else).
def _precached() -> list[str]:
    return [url_for("install.offline"), url_for("static", filename="css/app.css"),
            url_for("web.branding_css")] + ([url_for("web.logo")] if g.tenant.settings.logo_svg
                                            else [])


@bp.get("/offline")
def offline() -> Response:
    """"Brak połączenia": the same for everyone (no session, no personal data), so the service
    worker may keep it."""
    return Response(_offline_page(), headers=NO_STORE)


@bp.get("/sw.js")
def service_worker() -> Response:
    """The service worker; its cache name changes with the offline page and the stylesheet, so
    a new version replaces the old one."""
    urls = _precached()
    version = hashlib.sha256(
        (_offline_page() + json.dumps(g.tenant.settings.branding.model_dump())).encode()
        + _static_bytes("css/app.css")).hexdigest()[:16]
    script = render_template("sw.js", urls=urls, version=version, offline=urls[0])
    return Response(script, mimetype="text/javascript", headers=NO_STORE)


@lru_cache(maxsize=4)
def _static_bytes(name: str) -> bytes:
    with current_app.open_resource(f"static/{name}") as handle:
        return handle.read()
