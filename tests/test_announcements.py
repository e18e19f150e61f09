"""Announcements: sanitising, audience, read state, attachments, e-mail fan-out once per person,
another cooperative's ids, staff pages."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from PIL import ExifTags, Image
from sqlalchemy import func, select

from iok_saas.announcements import render, services
from iok_saas.announcements.fanout import fan_out
from iok_saas.announcements.models import (
    BUILDINGS,
    ESTATES,
    EVERYONE,
    GENERAL,
    OUTAGE,
    Announcement,
    AnnouncementRead,
)
from iok_saas.auth.models import CLERK, User
from iok_saas.db import db, utcnow
from iok_saas.estate.models import Building
from iok_saas.files.models import StoredFile
from iok_saas.mail.models import OutboxMessage
from iok_saas.web.formatting import WARSAW
from iok_saas.web.problems import DomainError
from tests.factories import make_household, pdf_bytes, scripted_pdf_bytes
from tests.helpers import in_tenant


def _draft(**fields) -> services.Draft:
    return services.Draft(**({"title": "Wyłączenie wody", "body": "Wymiana zaworów.",
                              "kind": GENERAL} | fields))


def _publish(tenant, author, **fields) -> int:
    with in_tenant(tenant):
        return services.save(_draft(**fields), db.session.get(User, author.user_id)).id


@pytest.fixture
def people(baltyk):
    """Two buildings of Bałtyk with a resident each, and a clerk."""
    return {"here": make_household(baltyk, units=1), "there": make_household(baltyk, units=1),
            "clerk": make_household(baltyk, units=0, role=CLERK)}


# --- sanitising ---------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [
    "<script>alert(1)</script>", "Zobacz <iframe src='https://zlo.pl'></iframe>",
    "<img src=x onerror=alert(1)>", "[kliknij](javascript:alert(1))",
    "[kliknij](jav&#x61;script:alert(1))", "<style>body{display:none}</style>",
    "<a href='x' onclick='steal()'>a</a>",
])
def test_unsafe_markdown_is_refused_with_a_message(body):
    with pytest.raises(render.UnsafeText, match="not allowed"):
        render.to_html(body)


def test_markdown_is_rendered_and_only_safe_tags_remain():
    html = render.to_html("**Uwaga**\n\n- woda\n- prąd\n\n[strona](https://sm.pl) <b>x</b>")
    assert "<strong>Uwaga</strong>" in html and "<li>woda</li>" in html
    assert 'href="https://sm.pl"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert "<b>" not in html and "&lt;b&gt;" in html  # raw HTML is shown as text


# --- audience and reading -----------------------------------------------------------------------


def test_only_residents_of_the_chosen_building_see_it(baltyk, people):
    here, there = people["here"], people["there"]
    announcement_id = _publish(baltyk, people["clerk"], audience=BUILDINGS,
                               building_ids=[here.building_id])
    with in_tenant(baltyk):
        assert [a.id for a in services.current_for(here.user_id)] == [announcement_id]
        assert services.current_for(there.user_id) == []
        assert services.for_resident(there.user_id, announcement_id) is None


def test_estate_audience(baltyk, people):
    here, there = people["here"], people["there"]
    with in_tenant(baltyk):
        db.session.get(Building, here.building_id).estate = "Osiedle Morskie"
    announcement_id = _publish(baltyk, people["clerk"], audience=ESTATES,
                               estates=["Osiedle Morskie"])
    with in_tenant(baltyk):
        assert [a.id for a in services.current_for(here.user_id)] == [announcement_id]
        assert services.current_for(there.user_id) == []


def test_pinned_and_current_outages_come_first_then_newest(baltyk, people):
    now = utcnow()
    older = _publish(baltyk, people["clerk"], title="Starsze",
                     publish_from=now - timedelta(days=3))
    outage = _publish(baltyk, people["clerk"], title="Woda", kind=OUTAGE, service="water",
                      starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=2),
                      publish_from=now - timedelta(days=2))
    # Published later, but starts next week: below tomorrow's.
    next_week = _publish(baltyk, people["clerk"], title="Gaz", kind=OUTAGE, service="gas",
                         starts_at=now + timedelta(days=7), ends_at=now + timedelta(days=8),
                         publish_from=now - timedelta(hours=1))
    newest = _publish(baltyk, people["clerk"], title="Najnowsze")
    pinned = _publish(baltyk, people["clerk"], title="Przypięte", pinned=True,
                      publish_from=now - timedelta(days=5))
    with in_tenant(baltyk):
        order = [a.id for a in services.current_for(people["here"].user_id)]
    assert order == [pinned, outage, next_week, newest, older]


def test_unread_until_opened_and_past_ones_in_the_archive(baltyk, people, baltyk_client):
    now = utcnow()
    shown = _publish(baltyk, people["clerk"], title="Zebranie wspólnoty")
    _publish(baltyk, people["clerk"], title="Dawne ogłoszenie",
             publish_from=now - timedelta(days=30), publish_until=now - timedelta(days=1))
    here = people["here"]
    baltyk_client.login(here.identifier, here.password)
    page = baltyk_client.get("/ogloszenia").get_data(as_text=True)
    assert "Zebranie wspólnoty" in page and "Nowe" in page and "Dawne ogłoszenie" not in page
    assert "Zebranie wspólnoty" in baltyk_client.get("/").get_data(as_text=True)  # home block
    assert baltyk_client.get(f"/ogloszenia/{shown}").status_code == 200
    assert "Nowe" not in baltyk_client.get("/ogloszenia").get_data(as_text=True)
    baltyk_client.get(f"/ogloszenia/{shown}")  # a second opening adds nothing
    with in_tenant(baltyk):
        assert db.session.scalar(select(func.count()).select_from(AnnouncementRead)) == 1
    assert "Dawne ogłoszenie" in baltyk_client.get("/ogloszenia/archiwum").get_data(as_text=True)


def test_an_edit_after_publishing_says_changed_and_withdrawn_ones_disappear(baltyk, people,
                                                                              baltyk_client):
    announcement_id = _publish(baltyk, people["clerk"])
    with in_tenant(baltyk):
        found = db.session.get(Announcement, announcement_id)
        services.save(_draft(body="Wymiana zaworów — przesunięta."),
                      db.session.get(User, people["clerk"].user_id), found)
    client = baltyk_client
    client.login(people["here"].identifier, people["here"].password)
    page = client.get(f"/ogloszenia/{announcement_id}").get_data(as_text=True)
    assert "zmieniono" in page and "przesunięta" in page
    # The announcement's title is the page's one main heading (screen readers jump to it).
    assert page.count("<h1") == 1 and re.search(r"<h1>[^<]+</h1>", page)
    with in_tenant(baltyk):
        services.withdraw(db.session.get(Announcement, announcement_id))
    assert client.get(f"/ogloszenia/{announcement_id}").status_code == 404


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("fields", "field"), [
    ({"title": "x" * 1000}, "title"),
    ({"title": " "}, "title"),
    ({"body": ""}, "body"),
    ({"body": "<script>x</script>"}, "body"),
    ({"kind": OUTAGE, "service": "water"}, "starts_at"),
    ({"kind": OUTAGE}, "service"),
    ({"kind": "tajne"}, "kind"),
    ({"audience": BUILDINGS, "building_ids": []}, "building_ids"),
    ({"audience": ESTATES, "estates": ["Nie ma takiego"]}, "estates"),
])
def test_bad_drafts_are_refused_and_nothing_is_saved(baltyk, people, fields, field):
    with pytest.raises(DomainError) as error:
        _publish(baltyk, people["clerk"], **fields)
    assert error.value.field == field
    with in_tenant(baltyk):
        assert db.session.scalars(select(Announcement)).all() == []


def test_until_before_from_and_another_cooperatives_building_are_refused(zw, baltyk, people):
    now = utcnow()
    with pytest.raises(DomainError) as error:
        _publish(baltyk, people["clerk"], publish_from=now, publish_until=now - timedelta(1))
    assert error.value.field == "publish_until"
    foreign = make_household(zw)
    with pytest.raises(DomainError) as error:
        _publish(baltyk, people["clerk"], audience=BUILDINGS, building_ids=[foreign.building_id])
    assert error.value.field == "building_ids"


# --- attachments --------------------------------------------------------------------------------


def _upload(name: str, data: bytes) -> services.Upload:
    return services.Upload(name, data)


def _publish_with(client, title: str, filename: str, data: bytes):
    """Save a general announcement for everyone with one attachment, through the staff page."""
    return client.post("/panel/ogloszenia/nowe", content_type="multipart/form-data", data={
        "csrf_token": client.csrf_token("/panel/ogloszenia/nowe"), "title": title,
        "kind": GENERAL, "body": "W załączniku.", "audience": "all", "action": "save",
        "attachments": (io.BytesIO(data), filename)})


def _photo_with_gps() -> bytes:
    """A JPEG taken on its side (EXIF orientation 6) with the place it was taken in its EXIF."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLatitude] = "N", (54.0, 21.0, 7.5)
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(out, "JPEG", exif=exif)
    with Image.open(io.BytesIO(out.getvalue())) as taken:  # what the phone sent carries it
        assert taken.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return out.getvalue()


def _stored(tenant) -> int:
    with in_tenant(tenant):
        return db.session.scalar(select(func.count()).select_from(StoredFile))


def test_attachments_must_be_what_they_claim_and_not_too_large(baltyk, people):
    png = io.BytesIO()
    Image.new("RGB", (20, 20)).save(png, "PNG")
    for name, data in (("plan.pdf", b"MZ not a pdf"), ("zdjecie.jpg", png.getvalue()),
                       ("duzy.pdf", b"%PDF-1.4\n" + b"0" * (11 << 20)),
                       ("pusty.pdf", b"%PDF-1.4\n%%EOF\n")):
        with in_tenant(baltyk):
            with pytest.raises(DomainError):
                services.save(_draft(), db.session.get(User, people["clerk"].user_id),
                              uploads=[_upload(name, data)])
            db.session.rollback()  # as the page does
    with in_tenant(baltyk):
        assert db.session.scalars(select(Announcement)).all() == []
        saved = services.save(_draft(), db.session.get(User, people["clerk"].user_id),
                              uploads=[_upload("harmonogram.pdf", pdf_bytes()),
                                       _upload("mapa.png", png.getvalue())])
        kept = [(a.filename, a.content_type)
                for a in services.attachments([saved.id])[saved.id]]
    # A picture is kept as the file store keeps every picture: re-encoded as a JPEG.
    assert kept == [("harmonogram.pdf", "application/pdf"), ("mapa.jpg", "image/jpeg")]


def test_a_pdf_with_javascript_is_refused_with_a_message_and_nothing_is_stored(
        baltyk, people, baltyk_client):
    with in_tenant(baltyk):  # checked before anything is stored, not rolled back afterwards
        with pytest.raises(DomainError) as error:
            services.save(_draft(), db.session.get(User, people["clerk"].user_id),
                          uploads=[_upload("harmonogram.pdf", scripted_pdf_bytes())])
        assert error.value.field == "attachments"
        assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 0
        db.session.rollback()
    clerk = people["clerk"]
    baltyk_client.login(clerk.identifier, clerk.password)
    answer = _publish_with(baltyk_client, "Harmonogram przeglądów", "harmonogram.pdf",
                           scripted_pdf_bytes())
    assert answer.status_code == 200
    assert "harmonogram.pdf: Ten plik PDF zawiera skrypt" in answer.get_data(as_text=True)
    with in_tenant(baltyk):
        assert db.session.scalars(select(Announcement)).all() == []
    assert _stored(baltyk) == 0


def test_a_photo_is_kept_upright_without_its_metadata(baltyk, people, baltyk_client):
    clerk = people["clerk"]
    baltyk_client.login(clerk.identifier, clerk.password)
    saved = _publish_with(baltyk_client, "Nowy plac zabaw", "plac.jpg", _photo_with_gps())
    assert saved.status_code == 302
    with in_tenant(baltyk):
        announcement_id = db.session.scalars(select(Announcement.id)).one()
        attachment_id = services.attachments([announcement_id])[announcement_id][0].id
    path = f"/panel/ogloszenia/{announcement_id}/zalaczniki/{attachment_id}"
    kept = baltyk_client.get(path)
    assert kept.status_code == 200 and kept.mimetype == "image/jpeg"
    assert b"Exif" not in kept.data
    with Image.open(io.BytesIO(kept.data)) as image:
        assert not image.getexif() and not image.info.get("exif")
        assert image.size == (20, 40)  # turned as the phone held it


# --- e-mail -------------------------------------------------------------------------------------


def test_each_resident_who_asked_gets_one_email_even_when_the_job_runs_again(baltyk, people):
    here, there = people["here"], people["there"]
    with in_tenant(baltyk):
        for person in (here, there):
            db.session.get(User, person.user_id).announcement_emails = True
    announcement_id = _publish(baltyk, people["clerk"], send_email=True, kind=OUTAGE,
                               service="water", audience=BUILDINGS,
                               building_ids=[here.building_id],
                               starts_at=utcnow() + timedelta(days=1),
                               ends_at=utcnow() + timedelta(days=1, hours=6))
    for _ in range(2):  # the job again, as after a worker died half-way
        with in_tenant(baltyk):
            fan_out(announcement_id)
    with in_tenant(baltyk):
        mails = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.template == "announcement")).all()
        assert [m.recipient for m in mails] == [f"t{int(here.identifier[1:])}@example.org"]
        assert mails[0].context["when"].startswith(("w ", "we ", "od "))


def test_the_staff_request_only_hands_the_sending_to_a_job(baltyk, people):
    """Publishing with e-mail queues one job, whatever the number of residents."""
    with in_tenant(baltyk):
        services.save(_draft(send_email=True), db.session.get(User, people["clerk"].user_id))
        assert db.session.scalars(select(OutboxMessage)).all() == []


def test_outage_dates_in_words():
    from datetime import datetime

    from iok_saas.announcements.words import when

    start = datetime(2026, 12, 7, 8, 0, tzinfo=WARSAW)
    assert when(start, datetime(2026, 12, 8, 14, 0, tzinfo=WARSAW)) == (
        "od poniedziałku 7.12 od 8:00 do wtorku 8.12 do 14:00")
    assert when(start, start.replace(hour=12)) == "w poniedziałek 7.12 od 8:00 do 12:00"


# --- pages --------------------------------------------------------------------------------------


def test_staff_write_with_a_preview_and_see_reach_and_reads(baltyk, people, baltyk_client):
    clerk = people["clerk"]
    baltyk_client.login(clerk.identifier, clerk.password)
    token = baltyk_client.csrf_token("/panel/ogloszenia/nowe")
    form = {"csrf_token": token, "title": "Przegląd kominiarski", "kind": GENERAL,
            "body": "**Prosimy** o udostępnienie lokali.", "audience": "all"}
    preview = baltyk_client.post("/panel/ogloszenia/nowe", data={**form, "action": "preview"},
                                 content_type="multipart/form-data")
    assert "<strong>Prosimy</strong>" in preview.get_data(as_text=True)
    with in_tenant(baltyk):
        assert db.session.scalars(select(Announcement)).all() == []
    bad = baltyk_client.post("/panel/ogloszenia/nowe", content_type="multipart/form-data",
                             data={**form, "body": "<script>x</script>", "action": "save"})
    assert "niedozwolony kod" in bad.get_data(as_text=True)
    saved = baltyk_client.post("/panel/ogloszenia/nowe", data={**form, "action": "save"},
                               content_type="multipart/form-data")
    assert saved.status_code == 302
    listing = baltyk_client.get("/panel/ogloszenia/").get_data(as_text=True)
    assert "Przegląd kominiarski" in listing and re.search(r"2 mieszkańców|\d+ mieszkań", listing)


def test_residents_cannot_reach_staff_pages_and_feature_off_is_404(baltyk, people, baltyk_client):
    here = people["here"]
    baltyk_client.login(here.identifier, here.password)
    assert baltyk_client.get("/panel/ogloszenia/").status_code == 404
    from iok_saas.tenancy import services as tenants
    from tests.helpers import as_platform

    with as_platform():
        tenants.update_tenant("baltyk", ["features.announcements=false"])
    try:
        assert baltyk_client.get("/ogloszenia").status_code == 404
    finally:
        with as_platform():
            tenants.update_tenant("baltyk", ["features.announcements=true"])


def test_the_staff_list_counts_reach_in_the_same_queries_for_two_or_twelve(baltyk, people):
    """Reach of everyone, of buildings and of estates, each the same as the recipients the
    e-mail would go to, counted with one query per kind of audience, not one per announcement."""
    from tests.test_request_cost import Statements

    here, clerk = people["here"], people["clerk"]
    with in_tenant(baltyk):
        db.session.get(Building, here.building_id).estate = "Osiedle Morskie"

    def publish_three() -> None:
        _publish(baltyk, clerk)
        _publish(baltyk, clerk, audience=BUILDINGS, building_ids=[here.building_id])
        _publish(baltyk, clerk, audience=ESTATES, estates=["Osiedle Morskie"])

    def listed() -> tuple[list[tuple[str, int, int]], int]:
        """(audience, reach, recipients of the e-mail) of each announcement; queries sent."""
        with in_tenant(baltyk):
            with Statements() as sql:
                rows = services.staff_list("all")
            found = [(r["announcement"].audience, r["reach"], db.session.scalar(
                select(func.count()).select_from(
                    services.recipients(r["announcement"]).subquery()))) for r in rows]
        return found, len([s for s in sql.sent if "set_config" not in s])

    publish_three()
    rows, few = listed()
    assert all(reach == recipients for _, reach, recipients in rows)
    assert sorted(reach for audience, reach, _ in rows if audience != EVERYONE) == [1, 1]
    for _ in range(3):
        publish_three()
    assert listed()[1] == few


def test_the_home_tile_reads_the_five_it_shows_not_every_live_announcement(app, zw):
    from iok_saas.announcements import HOME_SHOWN
    from iok_saas.announcements.services import current_for, current_rows
    from iok_saas.db.rowsets import together
    from tests.factories import make_announcement, make_household
    from tests.helpers import in_tenant
    from tests.test_request_cost import Statements

    home = make_household(zw, units=1)
    for _ in range(HOME_SHOWN + 2):
        make_announcement(zw, home)
    with in_tenant(zw):
        every = [a.id for a in current_for(home.user_id)]
        with Statements() as sql:
            shown = [a.id for a in together({"": current_rows(home.user_id, HOME_SHOWN)})[""]]
    assert len(every) == HOME_SHOWN + 2 and shown == every[:HOME_SHOWN]
    assert any("LIMIT" in statement.upper() for statement in sql.sent)
