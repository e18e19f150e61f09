"""The members' library: only real PDFs without scripts, versions that keep the old one readable
and marked replaced, members only (signed out, non-members and other cooperatives: 404), the
download headers, search, "new since your last visit", staff actions in the audit log."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from pypdf import PdfWriter
from sqlalchemy import func, select

from iok_saas.audit.models import AuditEvent
from iok_saas.auth.models import CLERK, User
from iok_saas.db import db, utcnow
from iok_saas.documents import services
from iok_saas.documents.models import Document, DocumentVisit
from iok_saas.files import pdf
from iok_saas.files.models import StoredFile
from iok_saas.tenancy.info import get_tenant_info
from tests.factories import make_document, make_household, pdf_bytes, scripted_pdf_bytes
from tests.helpers import client_for, in_tenant

ZW = "zielone-wzgorza.localhost"


def _locked_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("tajne")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _signed_in(app, household, host=ZW):
    client = client_for(app, host)
    assert client.login(household.identifier, household.password).status_code == 302
    return client


def _token(client, path):
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def _publish(client, data: bytes, filename="statut.pdf", **fields):
    form = {"csrf_token": _token(client, "/panel/dokumenty/nowy"), "category": "Statut",
            "title": "Statut Spółdzielni", "number": "", "dated": "2024-06-20",
            "status": "current", "note": "", **fields,
            "file": (io.BytesIO(data), filename)}
    return client.post("/panel/dokumenty/nowy", data=form, content_type="multipart/form-data")


# --- the PDF ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "words"), [
    (b"MZ\x90\x00 not a pdf at all", "not a PDF"),
    (b"%PDF-1.4 but nothing after it", "cannot be read"),
    (scripted_pdf_bytes(), "script"),
    (_locked_pdf(), "password"),
])
def test_only_real_pdfs_without_scripts_or_passwords_are_accepted(data, words):
    assert words in pdf.pdf_problem(data)._args[0]


def test_a_script_inside_the_objects_is_found_without_the_byte_search():
    from pypdf import PdfReader

    assert pdf.has_script(PdfReader(io.BytesIO(scripted_pdf_bytes())))
    assert not pdf.has_script(PdfReader(io.BytesIO(pdf_bytes())))
    assert pdf.pdf_problem(pdf_bytes()) is None


# --- staff and members through the cooperative's host ------------------------------------------


def test_staff_publish_a_new_version_and_members_read_both_the_old_one_marked_replaced(app, zw):
    clerk = make_household(zw, units=0, role=CLERK)
    member = make_household(zw, units=1)
    staff = _signed_in(app, clerk)
    answer = _publish(staff, pdf_bytes("v1"), note="Tekst jednolity 2019")
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    document_id = int(answer.location.rstrip("/").rsplit("/", 1)[1])
    path = f"/panel/dokumenty/{document_id}/wersje"
    answer = staff.post(path, data={"csrf_token": _token(staff, f"/panel/dokumenty/{document_id}"),
                                    "note": "Zmiany z 2024 r.",
                                    "file": (io.BytesIO(pdf_bytes("v2")), "statut-2024.pdf")},
                        content_type="multipart/form-data")
    assert answer.status_code == 302
    with in_tenant(zw):
        versions = [(v.number, v.id) for v in services.versions(document_id)]
        assert [number for number, _ in versions] == [2, 1]
        actions = [e.action for e in db.session.scalars(select(AuditEvent).where(
            AuditEvent.action.like("document_%")))]
        assert actions.count("document_published") == 1 and "document_changed" in actions
    reader = _signed_in(app, member)
    page = reader.get(f"/dokumenty/{document_id}").get_data(as_text=True)
    assert "wersja obowiązująca" in page and "zastąpiona" in page
    for _, version_id in versions:
        got = reader.get(f"/dokumenty/{document_id}/wersje/{version_id}")
        assert got.status_code == 200 and got.data.startswith(b"%PDF-")
        assert got.headers["Content-Type"] == "application/pdf"
        assert got.headers["Content-Disposition"].startswith("attachment")
        assert "no-store" in got.headers["Cache-Control"]


@pytest.mark.parametrize(("data", "filename", "message"), [
    (b"GIF89a not a pdf", "statut.pdf", "nie jest plikiem PDF"),
    (pdf_bytes(), "statut.docx", "nazwa musi kończyć się na .pdf"),
    (scripted_pdf_bytes(), "statut.pdf", "zawiera skrypt"),
    (_locked_pdf(), "statut.pdf", "zabezpieczony hasłem"),
])
def test_a_file_that_is_not_a_clean_pdf_is_refused_and_nothing_is_saved(
        app, zw, data, filename, message):
    staff = _signed_in(app, make_household(zw, units=0, role=CLERK))
    answer = _publish(staff, data, filename=filename)
    assert answer.status_code == 422 and message in answer.get_data(as_text=True)
    with in_tenant(zw):
        assert db.session.scalars(select(Document)).all() == []


@pytest.mark.parametrize(("fields", "message"), [
    ({"title": ""}, "Prosimy wpisać tytuł"), ({"title": "x" * 301}, "Najwyżej 300"),
    ({"category": "Przepisy kulinarne"}, "Not a valid choice"),
    ({"dated": "2099-01-01"}, "nie może być późniejsza niż dzisiejsza"),
])
def test_bad_document_data_is_refused(app, zw, fields, message):
    staff = _signed_in(app, make_household(zw, units=0, role=CLERK))
    answer = _publish(staff, pdf_bytes(), **fields)
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert message in page or "Nieprawidłowy wybór" in page, page[:3000]
    with in_tenant(zw):
        assert db.session.scalars(select(Document)).all() == []


def test_a_file_over_the_limit_is_refused(app, zw):
    staff = _signed_in(app, make_household(zw, units=0, role=CLERK))
    big = pdf_bytes() + b"%" + b"0" * (21 << 20)
    answer = _publish(staff, big)
    assert answer.status_code in (413, 422)
    with in_tenant(zw):
        assert db.session.scalars(select(Document)).all() == []


def test_a_refused_pdf_is_checked_before_anything_is_stored(app, zw):
    clerk = make_household(zw, units=0, role=CLERK)
    draft = services.Draft(category="Statut", title="Statut", number="", dated=date(2024, 6, 20))
    with in_tenant(zw):
        with pytest.raises(services.DocumentError, match="zawiera skrypt"):
            services.publish(draft, services.Upload("statut.pdf", io.BytesIO(scripted_pdf_bytes())),
                             db.session.get(User, clerk.user_id), get_tenant_info(zw.id))
        # Not rolled back yet: the refused file never reached the store.
        assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 0
        db.session.rollback()


def test_search_takes_percent_and_underscore_as_they_are(app, zw):
    home = make_household(zw, units=1)
    document_id, _ = make_document(zw, home)
    make_document(zw, make_household(zw, street="ul. Inna", units=0))
    with in_tenant(zw):
        db.session.get(Document, document_id).title = "Obniżka opłat o 5% od 1_07"
    with in_tenant(zw):
        for query in ("5%", "1_07", "%", "_", "OBNIŻKA"):
            assert [d.id for d in services.for_members(query)] == [document_id], query
        assert services.for_members("5_") == services.for_members("o%o") == []


def test_outsiders_get_404_by_id(app, zw, baltyk):
    home = make_household(zw, units=1)
    document_id, version_id = make_document(zw, home)
    paths = [f"/dokumenty/{document_id}", f"/dokumenty/{document_id}/wersje/{version_id}"]
    signed_out = client_for(app, ZW)
    no_unit = _signed_in(app, make_household(zw, units=0))
    other = _signed_in(app, make_household(baltyk, units=1), "baltyk.localhost")
    other_staff = _signed_in(app, make_household(baltyk, units=0, role=CLERK),
                             "baltyk.localhost")
    for client in (signed_out, no_unit, other):
        for path in paths:
            assert client.get(path).status_code == 404, path
    assert other_staff.get(f"/panel/dokumenty/{document_id}").status_code == 404
    assert _signed_in(app, home).get(paths[1]).status_code == 200


def test_withdrawn_documents_are_gone_for_members_but_kept_for_staff(app, zw):
    home = make_household(zw, units=1)
    document_id, _ = make_document(zw, home)
    staff = _signed_in(app, make_household(zw, units=0, role=CLERK))
    token = _token(staff, f"/panel/dokumenty/{document_id}")
    assert staff.post(f"/panel/dokumenty/{document_id}/wycofaj",
                      data={"csrf_token": token}).status_code == 302
    assert _signed_in(app, home).get(f"/dokumenty/{document_id}").status_code == 404
    assert staff.get(f"/panel/dokumenty/{document_id}").status_code == 200


def test_search_and_new_since_the_last_visit(app, zw):
    home = make_household(zw, units=1)
    old_id, _ = make_document(zw, home)
    new_id, _ = make_document(zw, make_household(zw, street="ul. Uchwalna", units=0))
    with in_tenant(zw):
        db.session.get(Document, new_id).title = "Uchwała w sprawie opłat"
        db.session.get(Document, new_id).number = "12/2026"
        db.session.get(Document, old_id).changed_at = utcnow() - timedelta(days=30)
        visit = db.session.scalar(select(DocumentVisit).where(
            DocumentVisit.user_id == home.user_id))
        visit.seen_at = utcnow() - timedelta(days=7)
    client = _signed_in(app, home)
    page = client.get("/dokumenty").get_data(as_text=True)
    assert page.count("Nowy dokument") == 1  # only the one that came after the last visit
    found = client.get("/dokumenty?q=12/2026").get_data(as_text=True)
    assert "Uchwała w sprawie opłat" in found and home.street not in found
    assert "Nowy dokument" not in client.get("/dokumenty").get_data(as_text=True)  # seen now


def test_documents_are_a_feature_of_the_cooperative(app, zw):
    from iok_saas.tenancy import services as tenant_services
    from tests.helpers import ROOT, as_platform, run_cli

    home = make_household(zw, units=1)
    run_cli(app, "tenants", "update", "zielone-wzgorza", "features.documents=false")
    try:
        assert _signed_in(app, home).get("/dokumenty").status_code == 404
    finally:
        with as_platform():
            tenant_services.sync_dir(ROOT / "tenants")


def _raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF written by hand: ``objects`` in order (each ``N G obj … endobj``), a correct
    cross-reference table with the generation each object declares."""
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for body in objects:
        offsets.append((len(out), int(body.split()[1])))
        out += body + b"\n"
    start = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} {generation:05d} n \n".encode()
                    for offset, generation in offsets)
    out += (f"trailer <</Size {len(objects) + 1}/Root 1 0 R>>\nstartxref\n{start}\n%%EOF\n"
            .encode())
    return bytes(out)


def test_a_script_in_an_object_of_another_generation_is_found():
    from pypdf import PdfReader

    data = _raw_pdf([
        b"1 0 obj <</Type/Catalog/Pages 2 0 R/OpenAction 4 1 R>> endobj",
        b"2 0 obj <</Type/Pages/Kids[3 0 R]/Count 1>> endobj",
        b"3 0 obj <</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>> endobj",
        b"4 1 obj <</S/JavaScript/JS<6170702e616c657274283129>>> endobj",
    ])
    assert pdf.has_script(PdfReader(io.BytesIO(data), strict=False))
    assert "script" in pdf.pdf_problem(data)._args[0]


def _object_stream(number: int, stream_number: int, body: bytes) -> bytes:
    """An object stream (compressed) ``stream_number`` carrying one object ``number``."""
    import zlib

    header = f"{number} 0 ".encode()
    packed = zlib.compress(header + body)
    return (f"{stream_number} 0 obj <</Type/ObjStm/N 1/First {len(header)}/Filter/FlateDecode"
            f"/Length {len(packed)}>>\nstream\n".encode() + packed + b"\nendstream\nendobj")


@pytest.mark.parametrize("hidden", [
    # An object stream the index does not point to, holding a JavaScript action.
    _object_stream(5, 4, b"<</S/JavaScript/JS(app.alert(1))>>"),
    # The same with the names spelt with #-escapes (/J#61vaScript is /JavaScript).
    _object_stream(5, 4, b"<</S/J#61vaScript/J#53(app.alert(1))>>"),
    # An object the index leaves out, uncompressed, with #-escaped names a byte search misses.
    b"4 0 obj <</S/L#61unch/F(calc.exe)>> endobj",
])
def test_a_script_in_an_object_the_index_does_not_point_to_is_found(hidden):
    """A viewer that repairs a file finds objects its index leaves out; so does the check."""
    objects = [
        b"1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj",
        b"2 0 obj <</Type/Pages/Kids[3 0 R]/Count 1>> endobj",
        b"3 0 obj <</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>> endobj",
    ]
    clean = _raw_pdf(objects)
    assert pdf.pdf_problem(clean) is None
    # Left out of the index: written after the cross-reference table.
    data = clean + hidden + b"\n"
    assert "script" in pdf.pdf_problem(data)._args[0]


def test_a_damaged_pdf_gets_a_message_whatever_the_reader_raises():
    data = _raw_pdf([
        b"1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj",
        b"2 0 obj <</Type/Pages/Kids[2 0 R]/Count 1>> endobj",  # a page tree that loops
    ])
    assert pdf.pdf_problem(data) is not None


def test_the_home_tile_lists_what_came_since_the_last_visit_in_one_query(app, zw, baltyk):
    from iok_saas.db.rowsets import together
    from iok_saas.estate.services import unit_ids_of
    from tests.test_request_cost import Statements

    home = make_household(zw, units=1)
    older, _ = make_document(zw, home)
    newer, _ = make_document(zw, make_household(zw, street="ul. Nowa", units=0))
    withdrawn, _ = make_document(zw, make_household(zw, street="ul. Dawna", units=0))
    make_document(baltyk, make_household(baltyk, units=1))  # another cooperative's
    with in_tenant(zw):
        db.session.get(Document, older).changed_at = utcnow() - timedelta(days=30)
        db.session.get(Document, withdrawn).withdrawn_at = utcnow()
        db.session.execute(DocumentVisit.__table__.delete().where(
            DocumentVisit.user_id == home.user_id))
    def new(user_id: int, limit: int) -> list[int]:
        return [row.id for row in together({"": services.new_rows(
            user_id, unit_ids_of(user_id), limit)})[""]]

    with in_tenant(zw):
        never, one = new(home.user_id, 5), new(home.user_id, 1)
        db.session.add(DocumentVisit(user_id=home.user_id, seen_at=utcnow() - timedelta(days=7)))
        db.session.flush()
        with Statements() as sql:
            since = new(home.user_id, 5)
        nothing = new(make_household(zw, units=0).user_id, 5)  # no unit, no tile
    assert sorted(never) == sorted([older, newer]) and len(one) == 1 and nothing == []
    assert since == [newer] and len([s for s in sql.sent if "set_config" not in s]) == 1


def test_the_library_takes_the_same_statements_for_two_documents_or_twelve(app, zw):
    """The visit is recorded before the list is read: the list is not read again row by row
    after the commit (68 statements for 60 documents before)."""
    from tests.helpers import queries_for

    home = make_household(zw, units=1)
    make_document(zw, home)
    make_document(zw, make_household(zw, street="ul. Druga", units=0))
    client = _signed_in(app, home)
    two = queries_for(client, "/dokumenty")
    for n in range(10):
        make_document(zw, make_household(zw, street=f"ul. Kolejna {n}", units=0))
    twelve = queries_for(client, "/dokumenty")
    assert twelve == two, (two, twelve)
    assert "ul. Kolejna 9" in client.get("/dokumenty").get_data(as_text=True)
