"""Imports through the staff panel and the HTTP API, processed by a real worker process."""

from __future__ import annotations

import io
import json
import re

import pytest
from sqlalchemy import func, select

from iok_saas.auth.models import ADMIN, CLERK
from iok_saas.db import db, utcnow
from iok_saas.estate.models import Building
from iok_saas.files.models import StoredFile
from iok_saas.imports.models import DONE, QUEUED, ImportRun
from tests.factories import make_household
from tests.fixtures.mail import run_burst_worker
from tests.helpers import ROOT, as_platform, in_tenant, run_cli

EXAMPLES = ROOT / "docs/examples"
BUILDINGS = (EXAMPLES / "buildings.csv").read_bytes()


@pytest.fixture
def baltyk_admin(baltyk, baltyk_client):
    staff = make_household(baltyk, units=0, role=ADMIN)
    baltyk_client.login(staff.identifier, staff.password)
    return baltyk_client


def _upload(client, kind: str, name: str, content: bytes, dry_run: bool = False):
    data = {"csrf_token": client.csrf_token("/panel/import/"), "kind": kind,
            "file": (io.BytesIO(content), name)}
    if dry_run:
        data["dry_run"] = "y"
    return client.post("/panel/import/", data=data, content_type="multipart/form-data")


def _buildings(tenant) -> int:
    with in_tenant(tenant):
        return db.session.scalar(select(func.count()).select_from(Building).where(
            Building.external_id.is_not(None)))


def _work(app) -> None:
    result = run_burst_worker(app.config)
    assert result.returncode == 0, result.stderr[-2000:]


def test_an_admin_uploads_a_file_the_worker_imports_it_and_the_history_shows_it(
        app, baltyk, baltyk_admin):
    response = _upload(baltyk_admin, "buildings", "budynki.csv",
                       (EXAMPLES / "buildings.csv").read_bytes())
    assert response.status_code == 302
    page = baltyk_admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "czeka na swoją kolej" in page and 'http-equiv="refresh"' in page
    assert _buildings(baltyk) == 0
    _work(app)
    page = baltyk_admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "zapisano; wierszy: 2, nowych: 2, zmienionych: 0" in page
    assert 'http-equiv="refresh"' not in page
    assert _buildings(baltyk) == 2
    history = baltyk_admin.get("/panel/import/").get_data(as_text=True)
    assert "budynki.csv" in history and "panel pracownika" in history
    with in_tenant(baltyk):
        run = db.session.scalar(select(ImportRun))
        assert run.status == DONE and run.ok and run.file_id is None
        assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 0, "deleted"


def test_a_broken_upload_lists_every_bad_row_and_saves_nothing(app, baltyk, baltyk_admin):
    body = ("id_zewnetrzne;ulica;numer;kod_pocztowy;miejscowosc\n"
            "B1;ul. A;1;80-001;Gdańsk\nB2;;2;80001;Gdańsk\n").encode("cp1250")
    response = _upload(baltyk_admin, "buildings", "zle.csv", body)
    _work(app)
    page = baltyk_admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 błędy; nic nie zapisano" in page
    assert "wiersz 3, kolumna ulica" in page and "wiersz 3, kolumna kod_pocztowy" in page
    assert _buildings(baltyk) == 0


def test_a_dry_run_from_the_panel_checks_only(app, baltyk, baltyk_admin):
    response = _upload(baltyk_admin, "buildings", "b.csv", BUILDINGS, dry_run=True)
    _work(app)
    page = baltyk_admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "plik poprawny, nic nie zapisano; wierszy: 2" in page
    assert _buildings(baltyk) == 0


@pytest.mark.parametrize(("name", "content", "message"), [
    ("obraz.png", b"\x89PNG", "Prosimy wybrać plik CSV albo JSON"),
    ("", b"", "Prosimy wybrać plik do importu"),
])
def test_wrong_uploads_get_a_message_and_nothing_is_queued(baltyk, baltyk_admin, name, content,
                                                           message):
    response = _upload(baltyk_admin, "buildings", name, content)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with in_tenant(baltyk):
        assert db.session.scalar(select(func.count()).select_from(ImportRun)) == 0


def test_an_upload_over_the_limit_is_refused_before_it_is_read(app, baltyk, baltyk_admin):
    token = baltyk_admin.csrf_token("/panel/import/")
    response = baltyk_admin.post(
        "/panel/import/", data=b"x" * 10, content_type="multipart/form-data; boundary=x",
        environ_overrides={"CONTENT_LENGTH": str(2 * 1024 ** 3)}, headers={"X-CSRFToken": token})
    assert response.status_code == 413
    assert "Plik jest za duży" in response.get_data(as_text=True)


def test_only_admins_see_the_import(baltyk, baltyk_client):
    clerk = make_household(baltyk, units=0, role=CLERK)
    baltyk_client.login(clerk.identifier, clerk.password)
    assert baltyk_client.get("/panel/import/").status_code == 404


def test_a_run_of_another_cooperative_is_not_found(app, zw, baltyk, baltyk_admin, zw_client):
    response = _upload(baltyk_admin, "buildings", "b.csv", BUILDINGS)
    location = response.headers["Location"]
    zw_admin = make_household(zw, units=0, role=ADMIN)
    zw_client.login(zw_admin.identifier, zw_admin.password)
    assert zw_client.get(location).status_code == 404
    assert "b.csv" not in zw_client.get("/panel/import/").get_data(as_text=True)


# --- the HTTP API -----------------------------------------------------------------------------


def _token(app, slug: str) -> str:
    result = run_cli(app, "tenants", "api-token", slug)
    assert result.exit_code == 0, result.output
    return re.search(r"^iok_\S+$", result.output, re.M).group(0)


def _post(client, token: str | None, kind: str, body: bytes, query: str = "",
          content_type: str = "text/csv"):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(f"/api/v1/import/{kind}{query}", data=body, headers=headers,
                       content_type=content_type)


def test_the_api_imports_with_the_cooperatives_token(app, baltyk, baltyk_client):
    token = _token(app, "baltyk")
    response = _post(baltyk_client, token, "buildings", (EXAMPLES / "buildings.csv").read_bytes())
    assert response.status_code == 202, response.get_data(as_text=True)
    assert response.json["status"] == QUEUED
    _work(app)
    run = baltyk_client.get(response.headers["Location"],
                            headers={"Authorization": f"Bearer {token}"}).json
    assert (run["status"], run["ok"], run["added"], run["problems"]) == ("done", True, 2, [])
    assert _buildings(baltyk) == 2


def test_the_api_reports_problems_in_json_files(app, baltyk, baltyk_client):
    token = _token(app, "baltyk")
    response = _post(baltyk_client, token, "ledger", b'[{"id_zewnetrzne": "N1"}]',
                     content_type="application/json")
    _work(app)
    run = baltyk_client.get(response.headers["Location"],
                            headers={"Authorization": f"Bearer {token}"}).json
    assert run["ok"] is False and run["problem_count"] == 2
    assert [p["place"] for p in run["problems"]] == ["element 1, pole konto",
                                                     "element 1, pole data"]


def test_a_token_of_another_cooperative_or_an_old_one_is_refused(app, zw, baltyk, zw_client,
                                                                  baltyk_client):
    baltyk_token = _token(app, "baltyk")
    _token(app, "zielone-wzgorza")
    body = (EXAMPLES / "buildings.csv").read_bytes()
    for client, token in ((zw_client, baltyk_token), (baltyk_client, None),
                          (baltyk_client, "iok_wrong")):
        response = _post(client, token, "buildings", body)
        assert response.status_code == 401
        assert response.json["error"] == "Brak poprawnego tokenu API tej spółdzielni."
    rotated = _token(app, "baltyk")
    assert _post(baltyk_client, baltyk_token, "buildings", body).status_code == 401
    assert _post(baltyk_client, rotated, "buildings", body).status_code == 202
    run_cli(app, "tenants", "api-token", "baltyk", "--revoke")
    assert _post(baltyk_client, rotated, "buildings", body).status_code == 401
    assert _buildings(zw) == 0


def test_api_bad_requests_get_clear_json_answers(app, zw, baltyk, baltyk_client, zw_client):
    token = _token(app, "baltyk")
    assert _post(baltyk_client, token, "meble", b"x").status_code == 404
    assert _post(baltyk_client, token, "ledger", b"").json["error"] == "Plik jest pusty."
    huge = baltyk_client.post("/api/v1/import/ledger", data=b"x",
                              headers={"Authorization": f"Bearer {token}"},
                              environ_overrides={"CONTENT_LENGTH": str(2 * 1024 ** 3)})
    assert huge.status_code == 413 and "Plik jest za duży" in huge.json["error"]
    queued = _post(baltyk_client, token, "buildings", (EXAMPLES / "buildings.csv").read_bytes())
    zw_token = _token(app, "zielone-wzgorza")
    other = zw_client.get(queued.headers["Location"],
                          headers={"Authorization": f"Bearer {zw_token}"})
    assert other.status_code == 404


def test_the_relay_enqueues_lost_uploads_and_fails_runs_cut_off(app, baltyk, baltyk_admin):
    from datetime import timedelta

    from iok_saas import files
    from iok_saas.imports.models import INTERRUPTED, RUNNING
    from iok_saas.imports.queue import recover
    from iok_saas.jobs import get_queue

    response = _upload(baltyk_admin, "buildings", "b.csv", BUILDINGS)
    get_queue().empty()  # as if Redis had lost the job
    long_ago = utcnow() - timedelta(hours=3)
    with in_tenant(baltyk):
        run = db.session.scalar(select(ImportRun))
        run.created_at = long_ago
        cut_upload = files.store(b"x;y\n", filename="x.csv", content_type="text/csv",
                                 purpose="import_upload")
        db.session.add(ImportRun(kind="ledger", filename="x.csv", status=RUNNING,
                                 started_at=long_ago, file_id=cut_upload.id))
    with as_platform():
        assert recover() == {"imports_interrupted": 1, "imports_enqueued": 1}
    with in_tenant(baltyk):  # the cut-off run's upload is gone, the waiting one is kept
        assert db.session.scalars(select(StoredFile.filename)).all() == ["b.csv"]
    db.session.commit()
    with as_platform():
        assert recover()["imports_enqueued"] == 0, "a job already in the queue is not doubled"
    _work(app)
    assert "zapisano; wierszy: 2" in baltyk_admin.get(response.headers["Location"]).get_data(
        as_text=True)
    with in_tenant(baltyk):
        statuses = sorted(db.session.scalars(select(ImportRun.status)))
    assert statuses == ["done", INTERRUPTED]


def test_wrong_tokens_do_not_use_up_the_cooperatives_limit(app, baltyk, baltyk_client):
    token = _token(app, "baltyk")
    app.config["API_LIMIT"] = "3 per minute"
    try:
        for _ in range(5):
            assert _post(baltyk_client, "iok_guess", "buildings", BUILDINGS).status_code == 401
        assert _post(baltyk_client, token, "buildings", BUILDINGS).status_code == 202
    finally:
        app.config["API_LIMIT"] = "120 per minute"


def test_the_api_takes_the_format_from_the_content_type(app, baltyk, baltyk_client):
    _token_value = _token(app, "baltyk")
    response = _post(baltyk_client, _token_value, "buildings", json.dumps([{
        "id_zewnetrzne": "B-J", "ulica": "ul. Jsonowa", "numer": "1", "kod_pocztowy": "80-001",
        "miejscowosc": "Gdańsk"}]).encode(), query="?plik=budynki", content_type="application/json")
    _work(app)
    run = baltyk_client.get(response.headers["Location"],
                            headers={"Authorization": f"Bearer {_token_value}"}).json
    assert (run["ok"], run["added"], run["file"]) == (True, 1, "budynki")
