"""The cooperative's IOK on a phone's home screen (manifest, icons, offline page, service
worker) and its accessibility statement."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from iok_saas.tenancy.settings import TenantFileError, parse_settings
from iok_saas.web.install import draw_icon
from tests.factories import make_household


def test_each_cooperative_has_its_own_manifest_with_its_name_colour_and_icons(zw_client,
                                                                              baltyk_client):
    manifests = {}
    for client in (zw_client, baltyk_client):
        answer = client.get("/manifest.webmanifest")
        assert answer.status_code == 200
        assert answer.mimetype == "application/manifest+json"
        manifests[client] = json.loads(answer.get_data(as_text=True))
    zw, baltyk = manifests[zw_client], manifests[baltyk_client]
    assert (zw["short_name"], baltyk["short_name"]) == ("Zielone Wzgórza", "Bałtyk")
    assert baltyk["name"] == "SM „Bałtyk” – IOK"
    assert (zw["theme_color"], baltyk["theme_color"]) == ("#2e6b34", "#0b4f8a")
    assert baltyk["start_url"] == "/" and baltyk["display"] == "standalone"
    assert {(i["sizes"], i["purpose"]) for i in baltyk["icons"]} == {
        ("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for entry in baltyk["icons"]:
        image = Image.open(io.BytesIO(baltyk_client.get(entry["src"]).data))
        assert (image.format, image.size) == ("PNG", (int(entry["sizes"][:3]),) * 2)
    page = baltyk_client.get("/").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert '<meta name="theme-color" content="#0b4f8a">' in page


def test_icons_come_in_the_sizes_phones_ask_for_only(baltyk_client):
    assert baltyk_client.get("/ikona-180.png").status_code == 200
    for size in ("64", "1000000", "abc"):
        assert baltyk_client.get(f"/ikona-{size}.png").status_code == 404


def test_the_icon_is_the_logo_and_without_a_logo_iok_on_the_brand_colour():
    logo = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
            '<rect width="10" height="10" fill="#ff0000"/></svg>')
    with_logo = Image.open(io.BytesIO(draw_icon(logo, "#0b4f8a", 192, False))).convert("RGB")
    assert with_logo.getpixel((96, 96)) == (255, 0, 0)  # the logo in the middle
    assert with_logo.getpixel((2, 2)) == (255, 255, 255)  # on white
    maskable = Image.open(io.BytesIO(draw_icon(logo, "#0b4f8a", 192, True))).convert("RGB")
    assert maskable.getpixel((20, 96)) == (255, 255, 255)  # kept inside the safe zone
    plain = Image.open(io.BytesIO(draw_icon("", "#0b4f8a", 192, False))).convert("RGB")
    assert plain.getpixel((2, 2)) == (11, 79, 138)
    assert (255, 255, 255) in {colour for _, colour in plain.getcolors(4096)}  # the letters


def test_the_service_worker_keeps_the_offline_page_and_its_files_and_nothing_else(
        zw_client, baltyk_client):
    scripts = {}
    for client in (zw_client, baltyk_client):
        answer = client.get("/sw.js")
        assert answer.status_code == 200 and answer.mimetype == "text/javascript"
        assert answer.headers["Cache-Control"] == "no-cache"
        scripts[client] = answer.get_data(as_text=True)
    script = scripts[baltyk_client]
    keep = json.loads(script.split("const KEEP = ")[1].split(";")[0])
    assert keep == ["/offline", "/static/css/app.css", "/branding.css", "/logo.svg"]
    assert "cache.put" not in script  # nothing is stored while pages are visited
    assert scripts[zw_client] != script  # each cooperative's own cache version


def test_the_offline_page_is_the_same_for_everyone_and_says_what_to_do(baltyk, baltyk_client):
    signed_out = baltyk_client.get("/offline")
    home = make_household(baltyk)
    baltyk_client.login(home.identifier, home.password)
    signed_in = baltyk_client.get("/offline")
    assert signed_out.data == signed_in.data
    assert "Set-Cookie" not in signed_out.headers
    page = signed_in.get_data(as_text=True)
    assert "<h1>Brak połączenia</h1>" in page and "SM „Bałtyk”" in page
    assert home.identifier not in page and "csrf" not in page


@pytest.mark.parametrize("host", ["zw", "baltyk"])
def test_each_cooperative_has_an_accessibility_statement_with_its_own_contact(
        host, zw_client, baltyk_client):
    client = {"zw": zw_client, "baltyk": baltyk_client}[host]
    page = client.get("/deklaracja-dostepnosci").get_data(as_text=True)
    assert "<h1>Deklaracja dostępności</h1>" in page
    assert "częściowo zgodny" in page and "7 dni" in page
    email = {"zw": "iok@zielone-wzgorza.pl", "baltyk": "iok@smbaltyk.pl"}[host]
    if email:
        assert f'href="mailto:{email}"' in page
    assert 'href="/deklaracja-dostepnosci"' in client.get("/").get_data(as_text=True)


def test_the_files_accessibility_and_app_name_are_checked():
    base = {"slug": "x", "name": "Spółdzielnia X", "short_name": "SM X"}
    settings = parse_settings({**base, "accessibility": {"published": "2026-01-15",
                                                         "contact_person": "Anna Nowak"}}, "x")
    assert str(settings.accessibility.published) == "2026-01-15"
    assert any("accessibility.email" in note for note in settings.warnings())
    for wrong in ({"accessibility": {"published": "wczoraj"}},
                  {"accessibility": {"phone_number": "1"}},
                  {"branding": {"app_name": "x" * 31}}):
        with pytest.raises(TenantFileError):
            parse_settings({**base, **wrong}, "x")


def test_someone_holding_an_initial_password_still_gets_the_icons_and_the_statement(
        baltyk, baltyk_client):
    home = make_household(baltyk, must_change=True)
    baltyk_client.login(home.identifier, home.password)
    assert baltyk_client.get("/").status_code == 302  # held on the password change
    for path in ("/manifest.webmanifest", "/ikona-192.png", "/sw.js", "/offline",
                 "/deklaracja-dostepnosci", "/regulamin"):
        assert baltyk_client.get(path).status_code == 200, path
