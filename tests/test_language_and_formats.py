"""Polish by default, English on request; Polish money, dates and account numbers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.messages.pofile import read_po

from iok_saas.web.formatting import day, money, money_by_babel, nrb
from tests.helpers import ROOT


def test_money_matches_babels_polish_currency_format():
    import random

    rng = random.Random(7)
    amounts = [Decimal(rng.randint(-10 ** 12, 10 ** 12)) / 100 for _ in range(5000)]
    amounts += [Decimal(v) for v in ("0", "0.005", "0.015", "999.99", "1000", "-1000.5")]
    assert [money(a) for a in amounts] == [money_by_babel(a) for a in amounts]
    assert money(Decimal("-0.00")) == "0,00\xa0zł"  # no "minus nothing" (Babel writes -0,00)


def test_money_is_polish():
    assert money(Decimal("1234.56")) == "1\xa0234,56\xa0zł"
    assert money(Decimal("-20")) == "-20,00\xa0zł"
    assert money(None) == ""


def test_dates_are_day_month_year():
    assert day(date(2026, 11, 21)) == "21.11.2026"


def test_account_numbers_are_grouped():
    assert nrb("12345678901234567890123456") == "12 3456 7890 1234 5678 9012 3456"
    assert nrb("PL 12 3456") == "PL 12 3456"  # not an NRB: shown as given


def test_every_message_has_a_polish_translation():
    path = ROOT / "iok_saas/translations/pl/LC_MESSAGES/messages.po"
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    missing = [m.id for m in catalogue if m.id and not all(
        m.string if isinstance(m.string, tuple) else [m.string])]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert missing == [] and fuzzy == []


def test_the_catalogue_uses_the_words_people_know():
    """People know a "kod QR"; nobody calls it a "kod kwadratowy"."""
    text = (ROOT / "iok_saas/translations/pl/LC_MESSAGES/messages.po").read_text()
    for unknown in ("kod kwadratowy", "kodu kwadratowego", "kodem kwadratowym"):
        assert unknown not in text


def test_language_switch_to_english_and_back(zw_client):
    assert '<html lang="pl">' in zw_client.get("/").get_data(as_text=True)
    # No form token: the switch is in every page's footer, anonymous pages carry no session.
    answer = zw_client.post("/jezyk", data={"lang": "en", "next": "/logowanie"})
    assert answer.location == "/logowanie"
    page = zw_client.get("/logowanie").get_data(as_text=True)
    assert '<html lang="en">' in page and "User identifier" in page
    zw_client.post("/jezyk", data={"lang": "pl", "next": "https://x.pl"})
    assert "Identyfikator użytkownika" in zw_client.get("/logowanie").get_data(as_text=True)


def test_a_language_switch_sent_from_another_site_is_refused(zw_client):
    """No form token in the footer, so the browser's own headers decide: a form posted from
    another site, or from another cooperative's subdomain (the same site), changes nothing."""
    forged = (
        {"Origin": "http://evil.example"},
        {"Origin": "http://baltyk.localhost"},
        {"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://baltyk.localhost"},
        {"Referer": "http://evil.example/form.html"},
    )
    for headers in forged:
        answer = zw_client.post("/jezyk", data={"lang": "en"}, headers=headers)
        assert answer.status_code == 403, headers
        assert "Set-Cookie" not in answer.headers
        assert '<html lang="pl">' in zw_client.get("/").get_data(as_text=True)
    own = {"Sec-Fetch-Site": "same-origin", "Origin": "http://zielone-wzgorza.localhost"}
    assert zw_client.post("/jezyk", data={"lang": "en"}, headers=own).status_code == 302
    assert '<html lang="en">' in zw_client.get("/").get_data(as_text=True)


def test_unknown_language_is_ignored(zw_client):
    zw_client.post("/jezyk", data={"lang": "xx"})
    assert '<html lang="pl">' in zw_client.get("/").get_data(as_text=True)


def test_catalogue_contains_every_message_in_the_code():
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "N_": None, "NP_": (1, 2)}
    in_code = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(str(ROOT), method_map, options_map, keywords)
    }
    with (ROOT / "iok_saas/translations/pl/LC_MESSAGES/messages.po").open("rb") as handle:
        in_catalogue = {m.id[0] if isinstance(m.id, tuple) else m.id for m in read_po(handle)}
    assert sorted(in_code - in_catalogue) == []


def test_language_switch_never_sends_to_another_site(zw_client):
    for target in ("//evil.example", "/\t/evil.example", "/\\evil.example"):
        answer = zw_client.post("/jezyk", data={"lang": "pl", "next": target})
        assert answer.location == "/"


def test_the_cooperatives_own_polish_texts_say_so_when_the_page_is_in_english(zw_client):
    """WCAG 3.1.2: a screen reader reading the English page reads the regulamin and the
    account instructions (the cooperative's own Polish) with Polish pronunciation."""
    zw_client.post("/jezyk", data={"lang": "en"})
    terms = zw_client.get("/regulamin").get_data(as_text=True)
    assert '<html lang="en">' in terms and '<section class="card terms-text" lang="pl">' in terms
    assert '<p lang="pl">Prosimy wypełnić wniosek' in zw_client.get("/").get_data(as_text=True)
