"""Configuration classes, and the embedded SQLite default that the demo runs on."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from config import ConfigError, ProductionConfig, load_config
from iok_saas import create_app
from tests.helpers import ROOT, TenantClient

IOK = str(Path(sys.executable).with_name("iok"))


def test_production_names_every_missing_secret(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", None)
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", None)
    with pytest.raises(ConfigError, match="IOK_SECRET_KEY, IOK_DATABASE_URL"):
        create_app(ProductionConfig)


def test_production_names_the_one_missing_secret(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "s3cret")
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", None)
    with pytest.raises(ConfigError) as error:
        load_config("production")
    assert "IOK_DATABASE_URL" in str(error.value) and "IOK_SECRET_KEY" not in str(error.value)


def test_unknown_environment_is_refused():
    with pytest.raises(ConfigError, match="IOK_ENV='staging'"):
        load_config("staging")


def test_production_cookies_are_host_only_and_secure():
    assert ProductionConfig.SESSION_COOKIE_NAME.startswith("__Host-")
    assert ProductionConfig.SESSION_COOKIE_SECURE
    assert ProductionConfig.SESSION_COOKIE_DOMAIN is False


def _iok(instance: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IOK_")}
    env["IOK_INSTANCE_PATH"] = str(instance)
    return subprocess.run([IOK, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def sqlite_instance(tmp_path_factory) -> Path:
    """The embedded default, set up by the operator commands exactly as the README says."""
    instance = tmp_path_factory.mktemp("embedded")
    upgraded = _iok(instance, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert (instance / "iok.sqlite3").exists()
    for _ in range(2):  # the second run puts the same demo state back
        demo = _iok(instance, "demo", "--no-serve")
        assert demo.returncode == 0, demo.stderr
    return instance


def test_sqlite_default_lists_both_cooperatives(sqlite_instance):
    listed = _iok(sqlite_instance, "tenants", "list", "--json")
    assert {row["slug"] for row in json.loads(listed.stdout)} == {"baltyk", "zielone-wzgorza"}
    assert "unchanged" in _iok(sqlite_instance, "tenants", "sync").stdout


def embedded_client(instance: Path, host: str) -> TenantClient:
    """A browser on ``host`` of an app running the embedded SQLite default."""
    embedded = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'iok.sqlite3'}",
        "INSTANCE_PATH": instance, "REDIS_URL": None, "BASE_DOMAIN": "localhost",
    })
    return TenantClient(embedded, embedded.response_class, use_cookies=True, host=host)


def test_sqlite_demo_accounts_work(sqlite_instance):
    client = embedded_client(sqlite_instance, "baltyk.localhost")
    assert client.login("B-000001", "Mieszkanie2026").status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Krystyna Wiśniewska" in page
    units = re.sub(r'<section class="card notice" aria-labelledby="home-delivery">.*?</section>',
                   "", page, flags=re.S)  # the new documents name their units too
    assert units.count("ul. Morska 12 m.") + units.count("ul. Żeglarska 7 m.") == 2  # her units
    assert 'aria-labelledby="home-delivery"' in page  # her new documents, from SQLite too
    staff = embedded_client(sqlite_instance, "zielone-wzgorza.localhost")
    staff.login("zw.admin", "AdminDemo2026")
    panel = staff.get("/panel/").get_data(as_text=True)
    assert "Panel pracownika" in panel and ">36<" in panel  # 3 buildings × 12 units


def test_sqlite_first_sign_in_with_the_initial_password(sqlite_instance):
    client = embedded_client(sqlite_instance, "zielone-wzgorza.localhost")
    assert client.login("ZW-000002", "Poczatek2026").location == "/zmiana-hasla"
    token = client.csrf_token("/zmiana-hasla")
    changed = client.post("/zmiana-hasla", data={
        "csrf_token": token, "current_password": "Poczatek2026",
        "new_password": "ogrodnik7", "confirm": "ogrodnik7"})
    assert changed.location == "/"


def test_sqlite_a_savepoint_first_in_a_transaction_does_not_commit_it(sqlite_instance):
    from sqlalchemy import func, select

    from iok_saas.db import db
    from iok_saas.estate.models import Building
    from iok_saas.tenancy import services as tenant_services
    from iok_saas.tenancy.context import tenant_context

    client = embedded_client(sqlite_instance, "baltyk.localhost")
    with client.application.app_context():
        tenant_id = tenant_services.get_tenant("baltyk").id
        db.session.remove()
        with tenant_context(tenant_id):
            before = db.session.scalar(select(func.count()).select_from(Building))
            with db.session.begin_nested():  # the first statement of the transaction
                db.session.add(Building(street="ul. Cofnięta", number="1",
                                        postal_code="80-001", city="Gdańsk"))
            db.session.rollback()  # the outer transaction: the savepoint's work goes too
            assert db.session.scalar(select(func.count()).select_from(Building)) == before
        db.session.remove()


def test_sqlite_a_resident_submits_a_reading_on_the_demo(sqlite_instance):
    client = embedded_client(sqlite_instance, "baltyk.localhost")
    client.login("B-000001", "Mieszkanie2026")
    page = client.get("/liczniki").get_data(as_text=True)
    meter = re.search(r'href="/liczniki/(\d+)"', page).group(1)
    path = f"/liczniki/{meter}"
    last = re.search(r"Ostatni zaakceptowany odczyt: ([\d ,]+)", client.get(path).get_data(
        as_text=True)).group(1)
    value = str(Decimal(last.replace(" ", "").replace(",", ".")) + 2).replace(".", ",")
    answer = client.post(path, data={"csrf_token": client.csrf_token(path), "value": value,
                                     "read_on": date.today().isoformat()})
    assert answer.status_code == 302
    assert "czeka na akceptację" in client.get(path).get_data(as_text=True)
