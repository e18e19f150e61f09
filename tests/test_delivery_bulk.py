"""Documents delivered in bulk (issue 34): a ZIP of PDFs with ``manifest.csv``, through
``run_import``, the staff panel, the API and the command line. A bad row stops only itself and
is listed with its line and reason; a problem with the ZIP or the manifest as a whole delivers
nothing; a re-sent ZIP delivers nothing twice."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select

from iok_saas.audit.models import UNIT_DOCUMENTS_DELIVERED, AuditEvent
from iok_saas.auth.models import ADMIN, CLERK, User
from iok_saas.db import db
from iok_saas.delivery import bulk, services
from iok_saas.delivery.models import DocumentRecipient, UnitDocument
from iok_saas.estate.models import Building, Unit, UnitTitle
from iok_saas.files.models import StoredFile
from iok_saas.imports import KINDS, run_import
from iok_saas.imports.models import ImportRun
from iok_saas.mail.models import OutboxMessage
from iok_saas.tenancy.info import get_tenant_info
from tests.factories import make_household, pdf_bytes, scripted_pdf_bytes
from tests.helpers import ROOT, as_platform, in_tenant, run_cli

EXAMPLE = ROOT / "docs/examples/doreczenia-przyklad.zip"
EXAMPLE_DIR = ROOT / "docs/examples/doreczenia"
HEADER = "lokal;rodzaj;tytul;plik;data_obowiazywania;osoba;ksef"
TODAY = date(2026, 12, 7)  # the notices' dates are checked against this day
KSEF = "5260250274-20270115-0A1B2C3D4E5F-1A"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(bulk, "local_today", lambda: TODAY)


@dataclass(frozen=True)
class Estate:
    """Units with the demo's accounting ids; Anna (consented) and Ewa hold LOK-001-001, Jan
    (no consent) LOK-001-004, Anna LOK-002-003; LOK-001-002 and -003 have nobody."""

    units: dict[str, int]
    anna: int
    ewa: int
    jan: int


def _estate(tenant) -> Estate:
    with in_tenant(tenant):
        first = Building(street="os. Zielone Wzgórza", number="5", postal_code="62-095",
                         city="Murowana Goślina", external_id="BUD-001")
        first.units = [Unit(number=str(n), external_id=f"LOK-001-{n:03d}") for n in range(1, 5)]
        second = Building(street="os. Zielone Wzgórza", number="7", postal_code="62-095",
                          city="Murowana Goślina", external_id="BUD-002")
        second.units = [Unit(number="3", external_id="LOK-002-003")]
        people = [User(identifier=f"ZW-00000{n}", first_name=first_name, last_name=last_name,
                       email=f"{first_name.lower()}@example.org", external_id=f"OS-{n}",
                       password_hash="!")
                  for n, (first_name, last_name) in enumerate(
                      (("Anna", "Kowalska"), ("Ewa", "Kowalska"), ("Jan", "Nowak")), start=1)]
        anna, ewa, jan = people
        db.session.add_all([first, second, *people])
        db.session.flush()
        db.session.add_all([UnitTitle(unit_id=first.units[0].id, user_id=anna.id),
                            UnitTitle(unit_id=first.units[0].id, user_id=ewa.id),
                            UnitTitle(unit_id=first.units[3].id, user_id=jan.id),
                            UnitTitle(unit_id=second.units[0].id, user_id=anna.id)])
        services.set_consent(anna, True, get_tenant_info(tenant.id), actor=anna)
        units = {u.external_id: u.id for u in (*first.units, *second.units)}
        return Estate(units, anna.id, ewa.id, jan.id)


def _baltyk_unit(tenant) -> None:
    with in_tenant(tenant):
        building = Building(street="ul. Morska", number="12", postal_code="80-180",
                            city="Gdańsk", external_id="B-BUD-1")
        building.units = [Unit(number="1", external_id="LOK-B-001")]
        db.session.add(building)


def _zip(rows: list[str] | None, files: dict[str, bytes], *, encoding: str = "utf-8",
         header: str = HEADER, manifest: str = "manifest.csv") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if rows is not None:
            archive.writestr(manifest, ("\r\n".join([header, *rows]) + "\r\n").encode(encoding))
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def _run(tenant, data: bytes, tmp_path, *, dry_run: bool = False):
    path = tmp_path / "dokumenty.zip"
    path.write_bytes(data)
    with in_tenant(tenant):
        return run_import("documents", path, actor="Biuro (test)", dry_run=dry_run)


def _documents(tenant) -> list[UnitDocument]:
    with in_tenant(tenant):
        found = list(db.session.scalars(select(UnitDocument).order_by(UnitDocument.id)))
        db.session.expunge_all()
        return found


def _count(tenant, model) -> int:
    with in_tenant(tenant):
        return db.session.scalar(select(func.count()).select_from(model))


def _problems(report) -> dict[tuple[int, str], str]:
    return {(p.line, p.column): p.reason for p in report.problems}


def test_the_manifest_columns_are_the_import_kinds():
    assert KINDS["documents"].columns == bulk.COLUMNS


def test_good_rows_are_delivered_and_every_bad_row_is_listed_with_its_reason(
        zw, baltyk, tmp_path):
    estate = _estate(zw)
    _baltyk_unit(baltyk)
    settlement, invoice = pdf_bytes("Rozliczenie 1"), pdf_bytes("Faktura 1")
    files = {
        "rozliczenia/a.pdf": settlement, "faktury/f.pdf": invoice,
        "inne/osoba.pdf": pdf_bytes("Osoba"), "inne/obca.pdf": pdf_bytes("Obca"),
        "skrypt.pdf": scripted_pdf_bytes(), "pozno.pdf": pdf_bytes("Późno"),
        "formula.pdf": pdf_bytes("Formuła"), "rodzaj.pdf": pdf_bytes("Rodzaj"),
        "pusty.pdf": pdf_bytes("Pusty"), "dlugi.pdf": pdf_bytes("Długi"),
        "data.pdf": pdf_bytes("Data"), "bez-ksef.pdf": pdf_bytes("Bez KSeF"),
        "kopia.pdf": settlement, "nieznany.pdf": pdf_bytes("Nieznany"),
        "ulotka.pdf": pdf_bytes("Ulotka, nikt jej nie wymienia"),
        "../poza.pdf": pdf_bytes("Poza"), "C:\\windows\\x.pdf": pdf_bytes("Dysk"),
        "__MACOSX/._a.pdf": b"resource fork", "jan.pdf": pdf_bytes("Jan"),
    }
    rows = [
        "LOK-001-001;rozliczenie;Rozliczenie wody 2026;rozliczenia/a.pdf;;;",         # 2 ok
        "LOK-9;rozliczenie;Rozliczenie;nieznany.pdf;;;",                                 # 3
        "LOK-B-001;rozliczenie;Rozliczenie;inne/obca.pdf;;;",                            # 4
        "LOK-001-001;rozliczenie;Dla osoby;inne/osoba.pdf;;OS-X;",                       # 5
        "LOK-001-004;zaświadczenie;Zaświadczenie;jan.pdf;;OS-2;",                        # 6
        "LOK-001-001;rozliczenie;Brak pliku;brak.pdf;;;",                                # 7
        "LOK-001-002;rozliczenie;Drugi raz;Rozliczenia/A.pdf;;;",                        # 8
        "LOK-001-001;inne;Ze skryptem;skrypt.pdf;;;",                                    # 9
        "LOK-001-001;inne;Poza folderem;../poza.pdf;;;",                                 # 10
        "LOK-001-001;zmiana opłat;Zmiana opłat od stycznia;pozno.pdf;2027-01-01;;",      # 11
        'LOK-001-001;inne;"=HYPERLINK(""http://x"")";formula.pdf;;;',                    # 12
        "LOK-001-001;ulotka;Ulotka;rodzaj.pdf;;;",                                       # 13
        "LOK-001-001;inne;;pusty.pdf;;;",                                                # 14
        f"LOK-001-001;inne;{'x' * 301};dlugi.pdf;;;",                                    # 15
        "LOK-001-001;zmiana opłat;Zła data;data.pdf;31.02.2027;;",                       # 16
        "LOK-001-001;faktura;Faktura bez numeru;bez-ksef.pdf;;;12345",                   # 17
        f"LOK-001-004;faktura;Faktura za garaż;faktury/f.pdf;;;{KSEF.lower()}",          # 18 ok
        "LOK-001-001;rozliczenie;Ta sama treść;kopia.pdf;;;",                            # 19
    ]
    report = _run(zw, _zip(rows, files), tmp_path)
    assert report.ok, report.lines()
    assert (report.rows, report.added, report.changed) == (18, 2, 0)
    found = _problems(report)
    expected_columns = {
        3: "lokal", 4: "lokal", 5: "osoba", 6: "osoba", 7: "plik", 8: "plik", 9: "plik",
        10: "plik", 11: "data_obowiazywania", 12: "tytul", 13: "rodzaj", 14: "tytul",
        15: "tytul", 16: "data_obowiazywania", 17: "ksef", 19: "plik"}
    assert {line: column for line, column in found if line} == expected_columns
    assert found[(3, "lokal")] == str(bulk.NO_UNIT % {"id": "LOK-9"})
    assert found[(4, "lokal")] == str(bulk.NO_UNIT % {"id": "LOK-B-001"}), "another's unit"
    assert found[(5, "osoba")] == str(bulk.NO_PERSON % {"id": "OS-X"})
    assert found[(6, "osoba")] == str(bulk.NOT_HOLDER % {"id": "OS-2", "unit": "LOK-001-004"})
    assert found[(7, "plik")] == str(bulk.MISSING % {"name": "brak.pdf"})
    assert found[(8, "plik")] == str(bulk.NAMED_TWICE % {"line": 2})
    assert found[(9, "plik")] == str(services.pdf_checked(scripted_pdf_bytes(),
                                                          get_tenant_info(zw.id)))
    assert found[(10, "plik")] == str(bulk.UNSAFE_NAME)
    assert "01.01.2027" in found[(11, "data_obowiazywania")]
    assert "01.04.2027" in found[(11, "data_obowiazywania")], "the earliest lawful date"
    assert found[(12, "tytul")] == str(bulk.FORMULA_TITLE)
    assert found[(19, "plik")] == str(bulk.SAME_CONTENT % {"line": 2})
    # the files nobody named are listed by their names; a refused name too; a Mac's leftovers
    # are not; a file of a refused row (rows 3–17) is not listed again
    members = {column: reason for (line, column), reason in found.items() if not line}
    assert members == {"ulotka.pdf": str(bulk.NOT_NAMED), "../poza.pdf": str(bulk.UNSAFE_MEMBER),
                       "C:\\windows\\x.pdf": str(bulk.UNSAFE_MEMBER)}
    assert report.problem_count == len(found) == 19
    documents = _documents(zw)
    with in_tenant(zw):
        run_id = db.session.scalar(select(ImportRun.id))
        recipients = {(r.document_id, r.user_id): (r.consented, r.outbox_id)
                      for r in db.session.scalars(select(DocumentRecipient))}
        mails = db.session.scalars(select(OutboxMessage.recipient)).all()
        audit = db.session.execute(select(AuditEvent.detail, AuditEvent.actor_label).where(
            AuditEvent.action == UNIT_DOCUMENTS_DELIVERED)).one()
    assert [(d.unit_id, d.kind, d.title, d.ksef_number, d.run_id, d.filename)
            for d in documents] == [
        (estate.units["LOK-001-001"], "settlement", "Rozliczenie wody 2026", "", run_id, "a.pdf"),
        (estate.units["LOK-001-004"], "invoice", "Faktura za garaż", KSEF, run_id, "f.pdf")]
    assert documents[0].address == "os. Zielone Wzgórza 5 m. 1, 62-095 Murowana Goślina"
    assert set(recipients) == {(documents[0].id, estate.anna), (documents[0].id, estate.ewa),
                               (documents[1].id, estate.jan)}
    assert recipients[(documents[0].id, estate.anna)][1], "she consented: an e-mail"
    assert recipients[(documents[1].id, estate.jan)] == (False, None)
    assert mails == ["anna@example.org"]
    assert audit.detail == {"run": run_id, "delivered": 2, "already": 0, "left_out": 16,
                            "mails": 1, "paper": 2}
    assert audit.actor_label == "Biuro (test)"


def test_a_re_sent_zip_delivers_nothing_twice(zw, tmp_path):
    _estate(zw)
    first = _run(zw, EXAMPLE.read_bytes(), tmp_path)
    assert (first.ok, first.added, first.changed, first.problem_count) == (True, 4, 0, 0)
    mails = _count(zw, OutboxMessage)
    again = _run(zw, EXAMPLE.read_bytes(), tmp_path)
    assert (again.ok, again.added, again.changed, again.problem_count) == (True, 0, 4, 0)
    assert len(_documents(zw)) == 4 and _count(zw, OutboxMessage) == mails
    assert _count(zw, StoredFile) == 4, "no second copy of a PDF"


def test_the_example_zip_is_made_of_the_example_folder_and_is_delivered(zw, tmp_path):
    estate = _estate(zw)
    with zipfile.ZipFile(EXAMPLE) as archive:
        assert sorted(archive.namelist()) == sorted(
            str(path.relative_to(EXAMPLE_DIR)) for path in EXAMPLE_DIR.rglob("*")
            if path.suffix in (".pdf", ".csv"))
        for name in archive.namelist():
            assert archive.read(name) == (EXAMPLE_DIR / name).read_bytes(), name
    report = _run(zw, EXAMPLE.read_bytes(), tmp_path)
    assert report.ok and report.problems == [] and report.added == 4
    by_unit = {}
    for document in _documents(zw):
        by_unit.setdefault(document.unit_id, []).append(document.kind)
    assert by_unit == {estate.units["LOK-001-001"]: ["settlement", "fee_change"],
                       estate.units["LOK-001-004"]: ["settlement"],
                       estate.units["LOK-002-003"]: ["fee_change"]}


def test_a_dry_run_delivers_nothing_and_says_what_it_would(zw, tmp_path):
    _estate(zw)
    _run(zw, _zip(["LOK-001-001;rozliczenie;R;a.pdf;;;"], {"a.pdf": pdf_bytes("A")}), tmp_path)
    data = _zip(["LOK-001-001;rozliczenie;R;a.pdf;;;", "LOK-001-004;rozliczenie;R;b.pdf;;;",
                 "LOK-9;rozliczenie;R;c.pdf;;;"],
                {"a.pdf": pdf_bytes("A"), "b.pdf": pdf_bytes("B"), "c.pdf": pdf_bytes("C")})
    report = _run(zw, data, tmp_path, dry_run=True)
    assert (report.ok, report.added, report.changed, report.problem_count) == (True, 1, 1, 1)
    assert len(_documents(zw)) == 1 and _count(zw, StoredFile) == 1


def _bits(size: int) -> bytes:
    """``size`` bytes of two letters at random: they pack about eight times, like no PDF."""
    import os

    return os.urandom(size).translate(bytes(0x61 + (n & 1) for n in range(256)))


@pytest.mark.parametrize("case", ["not a zip", "no manifest", "a column missing",
                                  "an empty manifest", "a broken manifest", "a member bomb",
                                  "too much unpacked", "too many files",
                                  "a directory too large", "over the limit", "feature off"])
def test_a_problem_with_the_zip_as_a_whole_delivers_nothing(zw, tmp_path, monkeypatch, app,
                                                            case):
    _estate(zw)
    good = "LOK-001-001;rozliczenie;R;a.pdf;;;"
    files = {"a.pdf": pdf_bytes("A")}
    data = {
        "not a zip": lambda: b"PK\x03\x04 this is not a zip at all",
        "no manifest": lambda: _zip(None, files),
        "a column missing": lambda: _zip([good[:good.rindex(";")]], files,
                                         header=HEADER.replace(";plik", "")),
        "an empty manifest": lambda: _zip([], files),
        "a broken manifest": lambda: _zip([good, 'LOK-001-004;rozliczenie;"R;b.pdf;;;'],
                                          files),
        "a member bomb": lambda: _zip([good], {**files, "b.pdf": bytes(20 << 20)}),
        "too much unpacked": lambda: _zip([good], {**files, "b.pdf": _bits(3 << 20),
                                                   "c.pdf": _bits(3 << 20)}),
        "too many files": lambda: _zip([good], {**files, "b.pdf": b"b", "c.pdf": b"c"}),
        "a directory too large": lambda: _zip([good], {**files, "b" * 200 + ".pdf": b"b"}),
        "over the limit": lambda: _zip([good], files),
        "feature off": lambda: _zip([good], files),
    }[case]()
    if case == "too much unpacked":
        monkeypatch.setitem(app.config, "IMPORT_MAX_MB", 1)  # 4 MB may be unpacked
    if case == "too many files":
        monkeypatch.setattr(bulk, "MAX_MEMBERS", 3)
    if case == "a directory too large":  # read from the end record, before zipfile parses it
        monkeypatch.setattr(bulk, "MAX_DIRECTORY", 300)
    if case == "over the limit":
        monkeypatch.setitem(app.config, "IMPORT_MAX_MB", 0)
    if case == "feature off":
        from iok_saas.tenancy import services as tenant_services

        with as_platform():
            tenant_services.update_tenant("zielone-wzgorza", ["features.delivery=false"])
    try:
        report = _run(zw, data, tmp_path)
    finally:
        if case == "feature off":
            with as_platform():
                tenant_services.update_tenant("zielone-wzgorza", ["features.delivery=true"])
    assert not report.ok and report.added == 0
    assert [p.line for p in report.problems] == [0], report.lines()
    reason = report.problems[0].reason
    expected = {"not a zip": str(bulk.NOT_ZIP), "too many files": "3",
                "a directory too large": str(bulk.TOO_MANY % {"limit": "50 000"})}.get(case)
    if expected:
        assert expected in reason
    if case in ("a column missing", "a broken manifest", "an empty manifest"):
        assert reason.startswith("manifest.csv"), reason
    if case == "a member bomb":
        assert "b.pdf" in reason and "20" in reason
    assert _documents(zw) == [] and _count(zw, StoredFile) == 0
    with in_tenant(zw):
        run = db.session.scalar(select(ImportRun))
        assert (run.ok, run.problem_count, run.problems[0]["place"]) == (False, 1, report.place(
            report.problems[0]))


class _Cp852Name(zipfile.ZipInfo):
    """An entry named as Windows' compressed folders name it in Poland."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("cp852"), self.flag_bits


def test_names_in_a_windows_zip_and_a_windows_1250_manifest_in_a_packed_folder(zw, tmp_path):
    """Windows' own compressed folder writes names in CP852 without the UTF-8 flag, Excel a
    Windows-1250 CSV, and packing a folder puts everything in it."""
    estate = _estate(zw)
    out = io.BytesIO()
    manifest = f"{HEADER}\r\nLOK-001-001;zaświadczenie;Zaświadczenie o zadłużeniu;" \
               "Zaświadczenia/Łąka.pdf;;;\r\n"
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("paczka/manifest.csv", manifest.encode("cp1250"))
        archive.writestr(_Cp852Name("paczka/Zaświadczenia/Łąka.pdf"), pdf_bytes("Zaświadczenie"))
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as check:
        assert not check.infolist()[1].flag_bits & 0x800, "no UTF-8 flag"
    report = _run(zw, out.getvalue(), tmp_path)
    assert report.ok and report.problems == [] and report.added == 1, report.lines()
    [document] = _documents(zw)
    assert (document.unit_id, document.filename, document.title) == (
        estate.units["LOK-001-001"], "Łąka.pdf", "Zaświadczenie o zadłużeniu")


def test_a_document_for_one_person_reaches_only_them(zw, tmp_path):
    estate = _estate(zw)
    data = _zip(["LOK-001-001;zaświadczenie;Zaświadczenie dla Ewy;e.pdf;;OS-2;"],
                {"e.pdf": pdf_bytes("Ewa")})
    report = _run(zw, data, tmp_path)
    assert report.ok and report.added == 1, report.lines()
    [document] = _documents(zw)
    with in_tenant(zw):
        people = db.session.scalars(select(DocumentRecipient.user_id)).all()
    assert document.person_id == estate.ewa and people == [estate.ewa]


# --- the staff panel, the API, the command line ---------------------------------------------


def _process(tenant, run_id: int) -> None:
    from iok_saas.imports import queue

    with in_tenant(tenant):
        queue.process(run_id)


def _upload(client, kind: str, name: str, content: bytes, dry_run: bool = False):
    data = {"csrf_token": client.csrf_token("/panel/import/"), "kind": kind,
            "file": (io.BytesIO(content), name)}
    if dry_run:
        data["dry_run"] = "y"
    return client.post("/panel/import/", data=data, content_type="multipart/form-data")


def test_an_admin_sends_the_zip_from_the_panel_and_the_run_page_lists_the_rows_left_out(
        zw, zw_client, tmp_path):
    _estate(zw)
    admin = make_household(zw, units=0, role=ADMIN)
    zw_client.login(admin.identifier, admin.password)
    form = zw_client.get("/panel/import/").get_data(as_text=True)
    assert 'value="documents"' in form and "manifest.csv" in form
    with zipfile.ZipFile(EXAMPLE) as example:
        files = {name: example.read(name) for name in example.namelist() if name.endswith("pdf")}
        rows = example.read("manifest.csv").decode("utf-8-sig").splitlines()[1:]
    data = _zip([*rows, "LOK-001-001;rozliczenie;Brakujący;brak.pdf;;;"], files)
    response = _upload(zw_client, "documents", "Doręczenia grudzień.zip", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    run_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    with in_tenant(zw):
        stored = db.session.scalar(select(StoredFile))
        assert stored.content_type == "application/zip"
    _process(zw, run_id)
    page = zw_client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r"<td>5</td>.*<td>4</td>.*<td>0</td>.*<td>1</td>", page, re.S), page
    assert "brak.pdf" in page and str(bulk.MISSING % {"name": "brak.pdf"}) in page
    assert all(d.run_id == run_id for d in _documents(zw)) and len(_documents(zw)) == 4
    if "staff_delivery.run_page" in zw_client.application.view_functions:  # the office's page
        assert f'href="/panel/doreczenia/wysylka/{run_id}"' in page
    history = zw_client.get("/panel/import/").get_data(as_text=True)
    assert "Doręczenia grudzień.zip" in history


def test_a_clerk_sends_the_zip_from_deliveries_and_sees_only_deliveries_among_imports(
        zw, zw_client, tmp_path):
    _estate(zw)
    clerk = make_household(zw, units=0, role=CLERK)
    zw_client.login(clerk.identifier, clerk.password)
    assert zw_client.get("/panel/import/").status_code == 404  # the accounting data: admins
    assert 'href="/panel/import/doreczenia"' in zw_client.get("/panel/doreczenia/").get_data(
        as_text=True)
    page = "/panel/import/doreczenia"
    wrong = zw_client.post(page, data={"csrf_token": zw_client.csrf_token(page),
                                       "file": (io.BytesIO(b"a;b"), "manifest.csv")},
                           content_type="multipart/form-data")
    assert wrong.status_code == 200 and _count(zw, ImportRun) == 0
    response = zw_client.post(page, data={"csrf_token": zw_client.csrf_token(page),
                                          "file": (io.BytesIO(EXAMPLE.read_bytes()),
                                                   "przyklad.zip")},
                              content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    run_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    _process(zw, run_id)
    result = zw_client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'href="/panel/doreczenia/wysylka/{run_id}"' in result
    assert len(_documents(zw)) == 4 and all(d.run_id == run_id for d in _documents(zw))
    with in_tenant(zw):
        other = ImportRun(kind="buildings", filename="b.csv", status="done")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    assert zw_client.get(f"/panel/import/{other_id}").status_code == 404


@pytest.mark.parametrize(("kind", "name"), [("documents", "manifest.csv"),
                                            ("buildings", "dokumenty.zip")])
def test_the_panel_takes_a_zip_for_documents_only(zw, zw_client, kind, name):
    admin = make_household(zw, units=0, role=ADMIN)
    zw_client.login(admin.identifier, admin.password)
    response = _upload(zw_client, kind, name, b"PK\x03\x04")
    assert response.status_code == 200
    assert _count(zw, ImportRun) == 0


def _token(app, slug: str) -> str:
    result = run_cli(app, "tenants", "api-token", slug)
    assert result.exit_code == 0, result.output
    return re.search(r"^iok_\S+$", result.output, re.M).group(0)


def test_the_api_takes_the_zip_as_application_zip(app, zw, zw_client):
    _estate(zw)
    token = _token(app, "zielone-wzgorza")
    headers = {"Authorization": f"Bearer {token}"}
    refused = zw_client.post("/api/v1/import/documents", data=EXAMPLE.read_bytes(),
                             headers=headers, content_type="text/csv")
    assert refused.status_code == 415
    not_for_csv = zw_client.post("/api/v1/import/ledger", data=EXAMPLE.read_bytes(),
                                 headers=headers, content_type="application/zip")
    assert not_for_csv.status_code == 415
    response = zw_client.post("/api/v1/import/documents?plik=grudzien.zip",
                              data=EXAMPLE.read_bytes(), headers=headers,
                              content_type="application/zip")
    assert response.status_code == 202, response.get_data(as_text=True)
    _process(zw, response.json["id"])
    run = zw_client.get(response.headers["Location"], headers=headers).json
    assert (run["status"], run["ok"], run["file"], run["delivered"], run["already_delivered"],
            run["left_out"], run["problems"]) == ("done", True, "grudzien.zip", 4, 0, 0, [])


def test_the_command_line_delivers_checks_and_refuses(app, zw, tmp_path):
    _estate(zw)
    checked = run_cli(app, "documents", "deliver", "zielone-wzgorza", str(EXAMPLE), "--dry-run")
    assert checked.exit_code == 0, checked.output
    assert "would deliver 4" in checked.output and _documents(zw) == []
    done = run_cli(app, "documents", "deliver", "zielone-wzgorza", str(EXAMPLE), "--quiet")
    assert done.exit_code == 0 and "delivered 4" in done.output, done.output
    again = run_cli(app, "import", "documents", "--tenant", "zielone-wzgorza", "--quiet",
                    str(EXAMPLE))
    assert again.exit_code == 0 and "already delivered before 4" in again.output, again.output
    broken = tmp_path / "zle.zip"
    broken.write_bytes(b"not a zip")
    refused = run_cli(app, "documents", "deliver", "zielone-wzgorza", str(broken))
    assert refused.exit_code == 1 and str(bulk.NOT_ZIP) in refused.output
    unknown = run_cli(app, "documents", "deliver", "nie-ma-takiej", str(EXAMPLE))
    assert unknown.exit_code != 0
    assert len(_documents(zw)) == 4


def test_without_the_feature_the_panel_offers_no_documents(zw, zw_client):
    from iok_saas.tenancy import services as tenant_services

    admin = make_household(zw, units=0, role=ADMIN)
    zw_client.login(admin.identifier, admin.password)
    with as_platform():
        tenant_services.update_tenant("zielone-wzgorza", ["features.delivery=false"])
    try:
        assert 'value="documents"' not in zw_client.get("/panel/import/").get_data(as_text=True)
        assert _upload(zw_client, "documents", "d.zip", EXAMPLE.read_bytes()).status_code == 200
    finally:
        with as_platform():
            tenant_services.update_tenant("zielone-wzgorza", ["features.delivery=true"])
    assert _count(zw, ImportRun) == 0
