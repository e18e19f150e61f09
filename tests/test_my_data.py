"""Moje dane: everything held about me as one ZIP (at once when small, by a job with a link that
works once, for 24 hours, for me only, when large), who of the staff viewed my data, how long
what is kept, a request to delete the account."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date, timedelta

from sqlalchemy import select

from iok_saas.audit.models import DataView
from iok_saas.auth.models import ADMIN, CLERK
from iok_saas.db import db, utcnow
from iok_saas.my_data.models import READY, DataExport
from tests.factories import make_data_export, make_household, make_ledger, make_meter
from tests.fixtures.mail import run_burst_worker
from tests.helpers import client_for, in_tenant

ZW = "zielone-wzgorza.localhost"


def _signed_in(app, household, host=ZW):
    client = client_for(app, host)
    assert client.login(household.identifier, household.password).status_code == 302
    return client


def _post(client, path, page="/moje-dane/"):
    return client.post(path, data={"csrf_token": client.csrf_token(page)})


def test_a_resident_downloads_everything_at_once_with_ledger_and_readings(app, zw):
    home = make_household(zw, units=1)
    make_ledger(zw, home.unit_ids[0], 1)
    make_meter(zw, home.unit_ids[0], readings=((date(2026, 1, 1), "100"),
                                               (date(2026, 7, 1), "130")))
    client = _signed_in(app, home)
    page = client.get("/moje-dane/").get_data(as_text=True)
    assert "Kartoteka finansowa moich lokali" in page and "Jak długo przechowujemy" in page
    answer = _post(client, "/moje-dane/pobierz")
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/zip"
    assert "no-store" in answer.headers["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(answer.data))
    data = json.loads(archive.read("dane.json"))
    assert data["profil"][0]["identyfikator"] == home.identifier
    assert len(data["kartoteka"]) > 12 and len(data["odczyty"]) == 2
    assert data["odczyty"][1]["stan"] == "130.000"
    assert data["logowania"][0]["zdarzenie"] == "sign_in"
    ledger = archive.read("kartoteka.csv").decode("utf-8")
    assert ledger.startswith("\ufefflokal;konto;data") and ";112,00;0,00" in ledger
    assert "CZYTAJ.txt" in archive.namelist() and "awarie.csv" in archive.namelist()
    assert ";130,000;" in archive.read("odczyty.csv").decode("utf-8")  # all three places


def test_the_emails_part_lists_the_accounts_own_mail_even_where_a_mailbox_is_shared(app, zw):
    """Two members of one family share a mailbox: each sees the subjects of the e-mails about
    their own account only, never the other's, nor mail to an address typed but unconfirmed."""
    from iok_saas.mail.outbox import queue_message

    home, spouse = make_household(zw, units=1), make_household(zw, units=1)
    with in_tenant(zw):
        from iok_saas.auth.models import User

        user, other = db.session.get(User, home.user_id), db.session.get(User, spouse.user_id)
        other.email = user.email  # one mailbox for both
        user.pending_email = "sasiad@example.org"  # typed, never confirmed: anybody's
        queue_message("test_message", "sasiad@example.org", {"note": "Nie dla mnie"},
                      user_id=None)
        queue_message("test_message", user.email, {"note": "Dla mnie"}, user_id=user.id)
        queue_message("password_reset", user.email, {"name": "", "identifier": other.identifier,
                      "hours": 1, "link": "x"}, user_id=other.id)
    answer = _post(_signed_in(app, home), "/moje-dane/pobierz")
    mails = json.loads(zipfile.ZipFile(io.BytesIO(answer.data)).read("dane.json"))["wiadomosci"]
    assert [m["temat"] for m in mails] == ["Wiadomość próbna z Internetowej Obsługi Kontrahenta"]


def test_asking_again_while_a_download_is_prepared_queues_nothing_new(make_app, zw):
    app = make_app(EXPORT_INLINE_ROWS=0)
    client = _signed_in(app, make_household(zw, units=1))
    for _ in range(3):
        assert _post(client, "/moje-dane/pobierz").status_code == 302
    with in_tenant(zw):
        assert len(db.session.scalars(select(DataExport)).all()) == 1


def test_a_large_download_is_prepared_by_a_job_and_works_once_for_me_only(make_app, zw):
    app = make_app(EXPORT_INLINE_ROWS=0)
    home, other = make_household(zw, units=1), make_household(zw, units=1)
    client = _signed_in(app, home)
    answer = _post(client, "/moje-dane/pobierz")
    assert answer.status_code == 302
    assert "Przygotowujemy plik" in client.get("/moje-dane/").get_data(as_text=True)
    assert run_burst_worker(app.config).returncode == 0
    with in_tenant(zw):
        export = db.session.scalar(select(DataExport).where(DataExport.user_id == home.user_id))
        assert export.status == READY
        path = f"/moje-dane/pobierz/{export.id}"
    assert "Pobierz przygotowany plik" in client.get("/moje-dane/").get_data(as_text=True)
    assert _post(_signed_in(app, other), path).status_code == 404  # another resident
    assert client.get(path).status_code == 405  # a button, not a link scanners could use up
    got = _post(client, path)
    assert got.status_code == 200 and zipfile.ZipFile(io.BytesIO(got.data)).read("dane.json")
    assert _post(client, path).status_code == 404  # once


def test_a_prepared_download_expires_after_24_hours(app, zw):
    home = make_household(zw, units=1)
    export_id = make_data_export(zw, home)
    with in_tenant(zw):
        db.session.get(DataExport, export_id).expires_at = utcnow() - timedelta(minutes=1)
    assert _post(_signed_in(app, home), f"/moje-dane/pobierz/{export_id}").status_code == 404


def test_the_resident_sees_which_staff_viewed_their_data_and_admins_see_it_too(app, zw):
    home = make_household(zw, units=1)
    meter_id = make_meter(zw, home.unit_ids[0])
    clerk = make_household(zw, units=0, role=CLERK)
    staff = _signed_in(app, clerk)
    assert staff.get(f"/panel/konta/{home.user_id}").status_code == 200
    assert staff.get(f"/panel/odczyty/licznik/{meter_id}").status_code == 200
    page = _signed_in(app, home).get("/moje-dane/").get_data(as_text=True)
    assert "konto, dane kontaktowe i lokale" in page and "licznik SN" in page
    assert f"Testowa {clerk.last_name}" in page
    with in_tenant(zw):
        assert db.session.scalars(select(DataView)).all()[0].viewer_role == CLERK
    admin = _signed_in(app, make_household(zw, units=0, role=ADMIN))
    account = admin.get(f"/panel/konta/{home.user_id}").get_data(as_text=True)
    assert "Kto z pracowników przeglądał dane mieszkańca" in account
    # Each table's scrolling region has a name of its own (a screen reader lists them).
    names = re.findall(r'role="region" aria-label(?:ledby)?="([^"]+)"', account)
    assert len(names) >= 2 and len(set(names)) == len(names)
    assert "Kto z pracowników przeglądał dane mieszkańca" not in staff.get(
        f"/panel/konta/{home.user_id}").get_data(as_text=True)


def test_one_visit_of_the_staff_is_listed_once(app, zw):
    """The clerk opens the account, changes something and sees the page again, twice: one
    visit. The same clerk on another day (past the half hour), or another clerk: listed."""
    home = make_household(zw, units=1)
    clerk = make_household(zw, units=0, role=CLERK)
    staff = _signed_in(app, clerk)
    for _ in range(3):
        assert staff.get(f"/panel/konta/{home.user_id}").status_code == 200
    with in_tenant(zw):
        [view] = db.session.scalars(select(DataView)).all()
        view.at = utcnow() - timedelta(minutes=31)
    staff.get(f"/panel/konta/{home.user_id}")
    _signed_in(app, make_household(zw, units=0, role=CLERK)).get(f"/panel/konta/{home.user_id}")
    with in_tenant(zw):
        assert len(db.session.scalars(select(DataView)).all()) == 3
    page = _signed_in(app, home).get("/moje-dane/").get_data(as_text=True)
    assert page.count("konto, dane kontaktowe i lokale") == 3


def test_a_deletion_request_is_recorded_once_for_the_office(app, zw):
    home = make_household(zw, units=1)
    client = _signed_in(app, home)
    for _ in range(2):
        assert _post(client, "/moje-dane/usuniecie").status_code == 302
    assert "Wniosek o usunięcie konta złożyli Państwo" in client.get(
        "/moje-dane/").get_data(as_text=True)
    staff = _signed_in(app, make_household(zw, units=0, role=CLERK))
    assert "złożył wniosek o usunięcie konta" in staff.get(
        f"/panel/konta/{home.user_id}").get_data(as_text=True)
    with in_tenant(zw):
        from iok_saas.audit.models import AuditEvent

        assert len(db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "deletion_requested")).all()) == 1


def test_another_cooperatives_download_and_a_signed_out_person_find_nothing(app, zw, baltyk):
    home = make_household(zw, units=1)
    export_id = make_data_export(zw, home)
    other = _signed_in(app, make_household(baltyk, units=1), "baltyk.localhost")
    assert _post(other, f"/moje-dane/pobierz/{export_id}").status_code == 404
    assert client_for(app, ZW).post(f"/moje-dane/pobierz/{export_id}").status_code in (
        302, 400, 401)
    assert client_for(app, ZW).post("/moje-dane/pobierz").status_code in (302, 400, 401)


def test_taken_and_expired_downloads_lose_their_files(app, zw):
    from iok_saas.files.models import StoredFile
    from iok_saas.my_data.export import purge

    home = make_household(zw, units=1)
    taken, expired, waiting = (make_data_export(zw, home) for _ in range(3))
    with in_tenant(zw):
        db.session.get(DataExport, taken).downloaded_at = utcnow()
        db.session.get(DataExport, expired).expires_at = utcnow() - timedelta(minutes=1)
    with in_tenant(zw):
        assert purge() == 2
        kept = {e.id: e.file_id for e in db.session.scalars(select(DataExport))}
        assert kept[taken] is None and kept[expired] is None and kept[waiting] is not None
        assert len(db.session.scalars(select(StoredFile).where(
            StoredFile.purpose == "data_export")).all()) == 1


def test_migration_gives_old_messages_the_account_whose_address_only_it_has(
        app_on_empty_database):
    """Messages queued before the outbox knew the account (0024) get it where exactly one
    account of the cooperative has the address; a shared mailbox's stay without one."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect, text

    now = {"now": utcnow()}
    with app_on_empty_database.app_context():
        engine = db.engine
        try:
            upgrade(revision="0024")
            with engine.begin() as conn:
                tenant = conn.execute(text(
                    "INSERT INTO tenant (slug, name, short_name, status, settings, created_at, "
                    "updated_at) VALUES ('s', 's', 's', 'active', '{}', :now, :now) "
                    "RETURNING id"), now).scalar()
                people = {}
                for identifier, email in (("A1", "anna@example.org"), ("A2", "dom@example.org"),
                                          ("A3", "dom@example.org")):
                    people[identifier] = conn.execute(text(
                        "INSERT INTO user_account (tenant_id, identifier, role, first_name, "
                        "last_name, email, password_hash, must_change_password, active, "
                        "session_version, created_at, updated_at) VALUES (:t, :i, 'resident', "
                        "'', '', :e, 'x', false, true, 1, :now, :now) RETURNING id"),
                        {"t": tenant, "i": identifier, "e": email, **now}).scalar()
                for n, recipient in enumerate(("Anna@Example.org", "dom@example.org",
                                               "obcy@example.org")):
                    conn.execute(text(
                        "INSERT INTO outbox_message (id, tenant_id, template, recipient, "
                        "context, idempotency_key, status, attempts, bulk, created_at, "
                        "updated_at) VALUES (:id, :t, 'test_message', :r, '{}', :id, 'sent', "
                        "1, false, :now, :now)"), {"id": f"m{n}", "t": tenant, "r": recipient,
                                                   **now})
            upgrade(revision="0025")
            with engine.connect() as conn:
                owners = dict(conn.execute(text("SELECT id, user_id FROM outbox_message")).all())
            assert owners == {"m0": people["A1"], "m1": None, "m2": None}
            downgrade(revision="0024")
            assert "user_id" not in {c["name"] for c in inspect(engine).get_columns(
                "outbox_message")}
        finally:
            engine.dispose()


def test_a_demo_residents_download_holds_every_registered_part_and_nothing_of_another(app, ctx):
    """ZW-000001 of the demo, with a photo on their report and ZW-000002's report (with its
    own photo) merged into it: the ZIP has a part for everything every room registered, their
    own photo, and not a word or a photo of the neighbour."""
    import io as _io

    from PIL import Image

    from iok_saas.auth.models import User
    from iok_saas.cases import operations
    from iok_saas.cases import services as cases
    from iok_saas.cases.kinds import Upload
    from iok_saas.cases.models import CaseAttachment
    from iok_saas.cli.demo import reset_demo_data
    from iok_saas.faults.models import FaultReport
    from iok_saas.tenancy.info import get_tenant_info
    from iok_saas.web.personal import sections
    from tests.helpers import as_platform, tenant_ref

    def jpeg(colour) -> bytes:
        out = _io.BytesIO()
        Image.new("RGB", (40, 30), colour).save(out, "JPEG")
        return out.getvalue()

    with as_platform():
        reset_demo_data()
    zw = tenant_ref("zielone-wzgorza")
    with in_tenant(zw):
        people = {u.identifier: u for u in db.session.scalars(select(User))}
        anna, jan = people["ZW-000001"], people["ZW-000002"]
        rules = get_tenant_info(zw.id).settings.faults
        mine = min(cases.filed_by(FaultReport, anna.id), key=lambda r: r.id)
        [theirs] = cases.filed_by(FaultReport, jan.id)
        cases.comment(mine, anna, "Zdjęcie plamy.", [Upload("a.jpg", jpeg((200, 0, 0)))], rules)
        cases.comment(theirs, jan, "Zdjęcie windy.", [Upload("b.jpg", jpeg((0, 0, 200)))], rules)
        operations.merge(mine, [theirs], people["zw.obsluga"])
        db.session.flush()
        own_photos = set(db.session.scalars(select(CaseAttachment.id).where(
            CaseAttachment.case_id == mine.id)))
        other_photos = set(db.session.scalars(select(CaseAttachment.id).where(
            CaseAttachment.case_id == theirs.id)))
        neighbour = [jan.identifier, jan.last_name, jan.email, theirs.description,
                     theirs.registry_number.replace("/", "-")]
        info = get_tenant_info(zw.id)
        expected = {part.name for part in sections(app, info.has_feature)}
        assert db.session.get(FaultReport, theirs.id).merged_into_id == mine.id
    client = client_for(app, ZW)
    assert client.login("ZW-000001", "Mieszkanie2026").status_code == 302
    answer = _post(client, "/moje-dane/pobierz")
    assert answer.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(answer.data))
    names = set(archive.namelist())
    whole = json.loads(archive.read("dane.json"))
    assert {"profil", "lokale", "zgody", "logowania", "urzadzenia", "wiadomosci", "przegladanie",
            "awarie", "sprawy", "ogloszenia", "dokumenty", "wnioski"} <= expected
    assert expected == set(whole) and {f"{name}.csv" for name in expected} <= names
    photos = {name for name in names if name.startswith("AW-")}
    assert {int(name.rsplit("-", 1)[1].split(".")[0]) for name in photos} == own_photos
    assert own_photos and not other_photos & {int(n.rsplit("-", 1)[1].split(".")[0])
                                              for n in photos}
    text = "".join(archive.read(name).decode("utf-8", "replace") for name in names
                   if name.endswith((".csv", ".json", ".txt")))
    for word in neighbour:
        assert word not in text, word
