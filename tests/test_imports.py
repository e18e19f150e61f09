"""Imports of buildings, units, accounts and titles; JSON; limits of what a file may be."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from iok_saas.auth.models import User
from iok_saas.db import db
from iok_saas.estate.models import Building, Unit, UnitTitle
from iok_saas.finance.models import LOAN, Account, LedgerEntry
from iok_saas.meters.models import Meter, Reading
from iok_saas.tenancy import tenant_context
from tests.factories import make_household
from tests.helpers import ROOT, in_tenant, run_cli

EXAMPLES = ROOT / "docs/examples"
ORDER = ("buildings", "units", "accounts", "titles", "ledger", "meters", "readings")


def _import(app, kind: str, path, slug: str = "baltyk", *extra: str):
    return run_cli(app, "import", kind, "--tenant", slug, *extra, str(path))


def _write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _count(tenant, model) -> int:
    with tenant_context(tenant.id):
        result = db.session.scalar(select(func.count()).select_from(model))
    db.session.remove()
    return result


def _import_examples(app, slug: str = "baltyk") -> None:
    for kind in ORDER:
        result = _import(app, kind, EXAMPLES / f"{kind}.csv", slug)
        assert result.exit_code == 0, result.output


def test_every_example_file_imports_in_order_and_again_changes_nothing(app, baltyk):
    _import_examples(app)
    json_result = _import(app, "ledger", EXAMPLES / "ledger.json")
    assert "added 2, changed 0, unchanged 0" in json_result.output
    for kind in ORDER:
        again = _import(app, kind, EXAMPLES / f"{kind}.csv")
        assert "added 0, changed 0" in again.output, (kind, again.output)
    with in_tenant(baltyk):
        unit = db.session.scalar(select(Unit).where(Unit.external_id == "G-M3-1"))
        assert (unit.number, unit.kind, unit.building.street) == ("G1", "garage", "ul. Morska")
        loan = db.session.scalar(select(Account).where(Account.external_id == "KR-1"))
        assert loan.kind == LOAN and loan.nrb == "09124012551111000012345678"
        anna = db.session.scalar(select(User).where(User.external_id == "K-1001"))
        assert (anna.last_name, anna.email, anna.role) == ("Kowalska", "anna.kowalska@example.pl",
                                                          "resident")
        assert len(anna.titles) == 2
        assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 5


def test_people_opened_by_the_titles_import_cannot_sign_in_until_the_office_prints_a_password(
        app, baltyk, baltyk_client):
    _import_examples(app)
    with in_tenant(baltyk):
        identifier = db.session.scalar(select(User.identifier).where(User.external_id == "K-1002"))
    for password in ("!", ""):
        response = baltyk_client.login(identifier, password)
        assert "Wyloguj" not in response.get_data(as_text=True)


def test_a_rename_in_the_titles_file_changes_the_person_not_their_account(app, baltyk, tmp_path):
    _import_examples(app)
    text = (EXAMPLES / "titles.csv").read_text().replace("Anna;Kowalska", "Anna;Nowak")
    result = _import(app, "titles", _write(tmp_path, "titles.csv", text))
    assert "added 0, changed 2, unchanged 1" in result.output
    with in_tenant(baltyk):
        anna = db.session.scalar(select(User).where(User.external_id == "K-1001"))
        assert anna.last_name == "Nowak"
    assert _count(baltyk, User) == 2


def test_the_titles_import_never_changes_contact_details_kept_in_iok(app, baltyk, tmp_path):
    from iok_saas.contacts import services as contacts

    _import_examples(app)
    with in_tenant(baltyk):  # Anna confirmed a new address online
        anna = db.session.scalar(select(User).where(User.external_id == "K-1001"))
        anna.pending_email = "anna.nowa@example.org"
        contacts.confirm_email(anna)
    text = (EXAMPLES / "titles.csv").read_text().replace("anna.kowalska@example.pl",
                                                         "z.ksiegowosci@example.pl")
    assert "z.ksiegowosci" in text
    result = _import(app, "titles", _write(tmp_path, "titles.csv", text))
    assert result.exit_code == 0, result.output
    with in_tenant(baltyk):
        anna = db.session.scalar(select(User).where(User.external_id == "K-1001"))
        assert anna.email == "anna.nowa@example.org"


def test_new_ledger_entries_e_mail_the_residents_who_asked_once_per_import(app, baltyk, tmp_path):
    from iok_saas.contacts import consents
    from iok_saas.jobs import get_queue
    from iok_saas.mail.models import OutboxMessage
    from tests.fixtures.mail import run_burst_worker

    _import_examples(app)  # Bałtyk offers these e-mails (finance.emails); nobody asked yet
    get_queue(bulk=True).empty()  # (that import's job would find nobody who asked)
    with in_tenant(baltyk):
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.template == "finance_posted")) == 0
        anna = db.session.scalar(select(User).where(User.external_id == "K-1001"))
        consents.choose(anna, "finance", True)
    rows = ("id_zewnetrzne;konto;data;termin;okres;dokument;skladnik;opis;naliczenie;wplata\n"
            "N-2026-11-101;FK-1;2026-11-20;2026-12-15;2026-11;NAL/2026-11/9;eksploatacja;"
            "Eksploatacja;236,06;\n"
            "W-2026-11-101;FK-1;2026-11-25;;2026-11;WB/2026-11/9;wpłata;Wpłata;;100,00\n")
    path = _write(tmp_path, "ledger.csv", rows)
    first = _import(app, "ledger", path)
    assert first.exit_code == 0, first.output
    assert "added 0" in _import(app, "ledger", path).output  # again: nothing new, no e-mail
    worked = run_burst_worker(app.config)  # the job the import queued
    assert worked.returncode == 0, worked.stderr[-3000:]
    with in_tenant(baltyk):
        [message] = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.template == "finance_posted"))
        assert message.recipient == "anna.kowalska@example.pl"
        [unit] = message.context["units"]
        assert (unit["charges"], unit["payments"]) == ("236,06\xa0zł", "100,00\xa0zł")
        assert unit["link"].startswith("http://baltyk.localhost/lokale/")
        assert "/wypisz/" in message.context["unsubscribe"]


def test_buildings_entered_by_hand_are_taken_over_not_doubled(app, baltyk, tmp_path):
    home = make_household(baltyk, street="ul. Zgoda", units=1)
    with in_tenant(baltyk):
        building = db.session.get(Building, home.building_id)
        number, city = building.number, building.city
    path = _write(tmp_path, "b.csv", "id_zewnetrzne;ulica;numer;kod_pocztowy;miejscowosc\n"
                  f"B-1;ul. Zgoda;{number};00-001;{city}\n")
    result = _import(app, "buildings", path)
    assert "added 0, changed 0, unchanged 1" in result.output, result.output
    with in_tenant(baltyk):
        assert db.session.get(Building, home.building_id).external_id == "B-1"
    again = _write(tmp_path, "c.csv", "id_zewnetrzne;ulica;numer;kod_pocztowy;miejscowosc\n"
                   f"B-2;ul. Zgoda;{number};00-001;{city}\n")
    refused = _import(app, "buildings", again)
    assert refused.exit_code == 1
    assert "ma już w systemie inny identyfikator: „B-1”" in refused.output


@pytest.mark.parametrize(("kind", "body", "expected"), [
    ("buildings", "id_zewnetrzne;ulica;numer;kod_pocztowy;miejscowosc\nB1;ul. A;1;80001;Gdańsk\n",
     "wiersz 2, kolumna kod_pocztowy: kod pocztowy zapisuje się jako NN-NNN"),
    ("buildings", "id_zewnetrzne;ulica;numer;kod_pocztowy;miejscowosc\nB1;ul. A;1;80-001;X\n"
                  "B2;ul. A;1;80-001;X\n", "wiersz 3: ten sam adres lub numer jest już wyżej"),
    ("units", "id_zewnetrzne;budynek;numer\nL1;B-NIE-MA;1\n",
     "wiersz 2, kolumna budynek: nie ma budynku o identyfikatorze „B-NIE-MA”"),
    ("units", "id_zewnetrzne;budynek;numer;rodzaj\nL1;B-ZGODA-10;9;pałac\n",
     "wiersz 2, kolumna rodzaj: nieznana wartość"),
    ("accounts", "id_zewnetrzne;lokal;nrb\nK1;L-Z10-1;61 1020 1026 0000 0422 7020 1111\n",
     "wiersz 2, kolumna nrb: numer rachunku jest błędny"),
    ("accounts", "id_zewnetrzne;lokal;nrb\nK1;L-NIE-MA;\n",
     "wiersz 2, kolumna lokal: nie ma lokalu"),
    ("titles", "lokal;osoba;nazwisko;email;telefon\nL-Z10-1;K-9;Nowak;nie-email;\n",
     "wiersz 2, kolumna email: to nie jest poprawny adres e-mail"),
    ("titles", "lokal;osoba;nazwisko;telefon\nL-Z10-1;K-9;Nowak;dzwonić wieczorem\n",
     "wiersz 2, kolumna telefon"),
    ("titles", "lokal;osoba;nazwisko\nL-Z10-1;K-9;Nowak\nL-Z10-1;K-9;Nowak\n",
     "wiersz 3: ta osoba i ten lokal są już wyżej w pliku (wiersz 2)"),
    ("titles", "lokal;osoba;nazwisko\nL-Z10-1;K-9;Nowak\nL-Z10-2;K-9;Nowakowska\n",
     "wiersz 3, kolumna nazwisko: ta sama osoba (K-9) ma wyżej w pliku inne imię lub nazwisko"),
    ("titles", "lokal;osoba;nazwisko;od\nL-Z10-1;K-9;Nowak;2999-01-01\n",
     "wiersz 2, kolumna od: data jest późniejsza niż dzisiejsza"),
    ("ledger", "id_zewnetrzne;konto;data;naliczenie\nN1;FK-1;2026-01-01;12;5\n",
     "wiersz 2: wiersz ma 5 kolumn, a nagłówek 4"),
    ("ledger", "id_zewnetrzne;konto;data;naliczenie\nN1;FK-1;2026-01-01;12;5;6;7\nN2\n",
     "wiersz 3: wiersz ma 1 kolumnę, a nagłówek 4"),
    ("ledger", "id_zewnetrzne;konto;data;naliczenie\nN1;FK-1\n",
     "wiersz 2: wiersz ma 2 kolumny, a nagłówek 4"),
    ("ledger", "id_zewnetrzne;konto;data;naliczenie;kwota\nN1;FK-1;2026-01-01;12;5\n",
     "Nieznane kolumny: kwota"),
    ("ledger", "id_zewnetrzne;konto;data;naliczenie\n" + "X" * 65 + ";FK-1;2026-01-01;1\n",
     "za długie: najwyżej 64 znaków"),
    ("ledger", "id_zewnetrzne;konto;data;naliczenie\nN1;FK-1;2026-01-01;NaN\n",
     "kolumna naliczenie: to nie jest kwota"),
    ("meters", "id_zewnetrzne;lokal;rodzaj;numer_seryjny\nM1;L-Z10-1;woda sodowa;X1\n",
     "wiersz 2, kolumna rodzaj: nieznana wartość; dozwolone: zimna woda, ciepła woda"),
    ("meters", "id_zewnetrzne;lokal;rodzaj;numer_seryjny;stan_poczatkowy\n"
               "M1;L-Z10-1;gaz;X1;-4\n", "kolumna stan_poczatkowy: stan licznika nie może"),
    ("readings", "id_zewnetrzne;licznik;data;wartosc\nR1;LIC-NIE;2026-01-01;5\n",
     "wiersz 2, kolumna licznik: nie ma licznika o identyfikatorze „LIC-NIE”"),
    ("readings", "id_zewnetrzne;licznik;data;wartosc\nR1;LIC-Z10-1-ZW;2999-01-01;1,5\n",
     "wiersz 2, kolumna data: data jest późniejsza niż dzisiejsza"),
    ("readings", "id_zewnetrzne;licznik;data;wartosc\nR1;LIC-Z10-1-ZW;2026-01-01;1,23456\n",
     "kolumna wartosc: stan licznika może mieć najwyżej 3 cyfry po przecinku"),
])
def test_bad_rows_are_reported_and_nothing_is_saved(app, baltyk, tmp_path, kind, body, expected):
    _import_examples(app)
    models = {"buildings": Building, "units": Unit, "accounts": Account, "titles": UnitTitle,
              "ledger": LedgerEntry, "meters": Meter, "readings": Reading}
    before = _count(baltyk, models[kind])
    result = _import(app, kind, _write(tmp_path, f"{kind}.csv", body))
    assert result.exit_code == 1
    assert expected in result.output, result.output
    assert re.search(r"\d+ (błąd|błędy|błędów); nic nie zapisano", result.output)  # plural
    assert _count(baltyk, models[kind]) == before


def test_the_count_of_errors_takes_the_polish_plural(app, baltyk, tmp_path):
    _import_examples(app)
    rows = "id_zewnetrzne;konto;data\n" + "".join(
        f"X{n};FK-1;2999-01-01\n" for n in range(5))
    result = _import(app, "ledger", _write(tmp_path, "ledger.csv", rows))
    assert "5 błędów; nic nie zapisano" in result.output, result.output
    result = _import(app, "ledger", _write(tmp_path, "ledger2.csv", rows.rsplit("X3", 1)[0]))
    assert "3 błędy; nic nie zapisano" in result.output, result.output


def test_polish_header_spellings_and_column_order_do_not_matter(app, baltyk, tmp_path):
    _import_examples(app)
    path = _write(tmp_path, "l.csv", "Wpłata;Naliczenie;Składnik;Data;Konto;ID_zewnetrzne\n"
                  ";12,50;woda;01.02.2026;FK-1;N-X\n", encoding="cp1250")
    result = _import(app, "ledger", path)
    assert "added 1" in result.output, result.output


@pytest.mark.parametrize(("content", "expected"), [
    ('{"rows": []}', 'Plik JSON nie zawiera wierszy: oczekiwano {"wiersze"'),
    ('"tekst"', 'Plik JSON musi zawierać listę wierszy'),
    ("[]", "Plik nie zawiera żadnych wierszy"),
    ('[{"id_zewnetrzne": "N1", "konto": "FK-1", "data": "2026-01-01"', "Plik JSON jest uszkodzony"),
    ('[{"id_zewnetrzne": "N1", "konto": "FK-1", "data": "2026-01-01", "opis": {"a": 1}}]',
     "element 1, pole opis: wartość musi być tekstem albo liczbą"),
    ('[{"id_zewnetrzne": "N1", "konto": "FK-1", "data": "2026-01-01", "kwota": 1}]',
     "element 1, pole kwota: nieznane pole"),
    ('[{"id_zewnetrzne": "N1", "konto": "FK-1"}]',
     "element 1, pole data: puste pole, a jest wymagane"),
    ('[{"id_zewnetrzne": "N1", "konto": "FK-1", "data": "2026-01-01", "naliczenie": 1.005}]',
     "element 1, pole naliczenie: kwota może mieć najwyżej 2 miejsca"),
    ('[{"id_zewnetrzne": "N1", "konto": "FK-1", "data": "2026-01-01"}, '
     '{"id_zewnetrzne": "N1", "konto": "FK-1", "data": "2026-01-02"}]',
     "element 2, pole id_zewnetrzne: ten identyfikator jest już wyżej w pliku (element 1)"),
    ("[1, 2]", "element 1: element listy musi być obiektem"),
])
def test_bad_json_is_reported_by_element_and_field(app, baltyk, tmp_path, content, expected):
    _import_examples(app)
    before = _count(baltyk, LedgerEntry)
    result = _import(app, "ledger", _write(tmp_path, "l.json", content))
    assert result.exit_code == 1 and expected in result.output, result.output
    assert _count(baltyk, LedgerEntry) == before


def test_json_numbers_are_exact_decimals(app, baltyk, tmp_path):
    _import_examples(app)
    rows = [{"id_zewnetrzne": "J1", "konto": "FK-1", "data": "2026-01-01", "naliczenie": 0.1},
            {"id_zewnetrzne": "J2", "konto": "FK-1", "data": "2026-01-01", "naliczenie": 1e3}]
    result = _import(app, "ledger", _write(tmp_path, "l.json", json.dumps(rows)))
    assert "added 2" in result.output, result.output
    with in_tenant(baltyk):
        charges = db.session.scalars(select(LedgerEntry.charge).where(
            LedgerEntry.external_id.in_(["J1", "J2"])).order_by(LedgerEntry.external_id)).all()
    assert [str(c) for c in charges] == ["0.10", "1000.00"]


def test_json_in_windows_1250_is_refused(app, baltyk, tmp_path):
    path = _write(tmp_path, "l.json", '[{"opis": "wywóz śmieci"}]', encoding="cp1250")
    result = _import(app, "ledger", path)
    assert "Plik JSON musi być zapisany w UTF-8" in result.output


def test_a_2_gb_file_is_refused_at_once_without_reading_it(app, baltyk, tmp_path):
    path = tmp_path / "ogromny.csv"
    with path.open("wb") as handle:
        handle.truncate(2 * 1024 ** 3)  # sparse: takes no disk space
    result = _import(app, "ledger", path)
    assert result.exit_code == 1
    assert "Plik jest za duży (2 048 MB); największy przyjmowany plik ma 512 MB" in result.output


def test_a_binary_file_is_not_text(app, baltyk, tmp_path):
    path = tmp_path / "obraz.csv"
    path.write_bytes(b"id_zewnetrzne;konto;data\n\x00\x00\x00")
    result = _import(app, "ledger", path)
    assert "Plik zawiera znaki NUL" in result.output


def test_units_of_another_cooperative_are_unknown(app, zw, baltyk, tmp_path):
    _import_examples(app, "baltyk")
    result = _import(app, "accounts", EXAMPLES / "accounts.csv", "zielone-wzgorza")
    assert result.exit_code == 1 and "nie ma lokalu o identyfikatorze „L-Z10-1”" in result.output
    assert _count(zw, Account) == 0


def test_address_clashes_with_hand_entered_buildings_are_reported_not_crashed(app, baltyk,
                                                                              tmp_path):
    home = make_household(baltyk, street="ul. Ręczna", units=1)
    with in_tenant(baltyk):
        building = db.session.get(Building, home.building_id)
        address = f"ul. Ręczna;{building.number};00-001;{building.city}"
    header = "id_zewnetrzne;ulica;numer;kod_pocztowy;miejscowosc\n"
    twice = _import(app, "buildings", _write(tmp_path, "a.csv",
                                             f"{header}B-1;{address}\nB-2;{address}\n"))
    assert twice.exit_code == 1 and "wiersz 3: ten sam adres lub numer jest już wyżej" in \
        twice.output, twice.output
    assert _import(app, "buildings", _write(
        tmp_path, "b.csv", f"{header}B-9;ul. Inna;1;00-001;Testowo\n")).exit_code == 0
    moved = _import(app, "buildings", _write(tmp_path, "c.csv", f"{header}B-9;{address}\n"))
    assert moved.exit_code == 1, moved.output
    assert "pod tym adresem lub numerem jest już w systemie inny budynek" in moved.output
    with in_tenant(baltyk):
        assert db.session.get(Building, home.building_id).external_id is None


@pytest.mark.parametrize(("content", "expected"), [
    (b"[" + b"1" * 5000 + b"]", "zawiera liczbę lub ciąg cyfr dłuższy niż 100 cyfr"),
    (b"[" * 100_000 + b"]" * 100_000, "zbyt głęboko zagnieżdżony"),
    (b'[{"id_zewnetrzne": "N1", "konto": "FK-1", "data": "2026-01-01", "opis": "a\\u0000b"}]'
, "element 1, pole opis: wartość zawiera znaki sterujące"),
    (b'[{"id_zewnetrzne": "N1", "konto": "FK-1", "data": "2026-01-01", "Data": "2026-01-02"}]',
     "element 1, pole Data: to pole jest już wyżej w tym elemencie"),
    (b'[{"id_zewnetrzne": "N1", "konto": "FK-1", "data": "2026-01-01", "opis": [[[1]]]}]',
     "element 1, pole opis: wartość musi być tekstem albo liczbą"),
])
def test_hostile_json_gets_a_message_not_a_crash(app, baltyk, tmp_path, content, expected):
    _import_examples(app)
    path = tmp_path / "l.json"
    path.write_bytes(content)
    result = _import(app, "ledger", path)
    assert result.exit_code == 1 and expected in result.output, result.output[-500:]


def test_json_with_a_byte_order_mark_is_read(app, baltyk, tmp_path):
    _import_examples(app)
    path = tmp_path / "l.json"
    path.write_bytes(b"\xef\xbb\xbf" + (EXAMPLES / "ledger.json").read_bytes())
    assert "added 2" in _import(app, "ledger", path).output


@pytest.mark.parametrize(("content", "expected"), [
    ('id_zewnetrzne;konto;data;opis\nN1;FK-1;2026-01-01;"bez końca\nN2;FK-1;2026-01-01;b\n',
     "wiersz 2: cudzysłów otwarty i niezamknięty do końca pliku"),
    ('id_zewnetrzne;konto;data;opis\nN1;FK-1;2026-01-01;"a"b\n',
     "wiersz 2: po zamykającym cudzysłowie musi być średnik"),
    ("id_zewnetrzne;konto;data;opis\nN1;FK-1;2026-01-01;\"" + "x" * 200_000 + "\"\n",
     "wiersz 2: pole dłuższe niż 128 KB"),
    ("id_zewnetrzne;konto;data;opis\n" + "ab;" * 600_000 + "\n",
     "Wiersz 2 jest dłuższy niż 1024 KB"),
])
def test_broken_csv_structure_is_reported_with_its_line(app, baltyk, tmp_path, content, expected):
    _import_examples(app)
    result = _import(app, "ledger", _write(tmp_path, "l.csv", content))
    assert result.exit_code == 1 and expected in result.output, result.output[-500:]


def test_one_broken_byte_in_a_utf8_file_is_reported_not_read_as_windows_1250(app, baltyk,
                                                                             tmp_path):
    _import_examples(app)
    body = ("id_zewnetrzne;konto;data;opis\nN1;FK-1;2026-01-01;Gdańsk\n".encode()
            + b"N2;FK-1;2026-01-01;\xff\n")
    path = tmp_path / "l.csv"
    path.write_bytes(body)
    result = _import(app, "ledger", path)
    assert "w wierszu 3 jest bajt, który nie jest poprawnym znakiem UTF-8" in result.output


def test_blank_lines_before_the_header_and_a_trailing_semicolon_are_fine(app, baltyk, tmp_path):
    _import_examples(app)
    path = _write(tmp_path, "l.csv", "\n\nid_zewnetrzne;konto;data;naliczenie;\n"
                                     "N-T;FK-1;2026-01-01;5,00;\n")
    assert "added 1" in _import(app, "ledger", path).output
