"""What the README tells a newcomer about the demo is what the demo shows: every account in its
table signs in as described, and the counts it gives of demo fault reports and letters are the
demo's (a README that promised three reports where the demo had two went unnoticed)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from iok_saas.auth.models import User
from iok_saas.cases.services import filed_by
from iok_saas.correspondence.models import Letter
from iok_saas.db import db
from iok_saas.estate.models import UnitTitle
from iok_saas.faults.models import FaultReport
from iok_saas.meters.models import (
    ALERT_HIGH,
    ALERT_LEAK,
    BuildingMonth,
    ConsumptionAlert,
    HeldReading,
)
from tests.helpers import ROOT, as_platform, client_for, in_tenant, run_cli, tenant_ref

README = (ROOT / "README.md").read_text()
# | zielone-wzgorza | resident, own password, two units | `ZW-000001` | `Mieszkanie2026` |
ACCOUNTS = re.findall(r"^\| ([a-z-]+) \| ([^|]+) \| `([^`]+)` \| `([^`]+)` \|$", README, re.M)
SLUG_OF = {"ZW": "zielone-wzgorza", "B": "baltyk"}


@pytest.fixture
def demo(ctx):
    """The demo's data, as ``./scripts/demo`` leaves it (wiped after the test)."""
    from iok_saas.cli.demo import reset_demo_data

    with as_platform():
        reset_demo_data()


def _user_id(slug: str, identifier: str) -> int:
    with in_tenant(tenant_ref(slug)):
        return db.session.scalar(select(User.id).where(User.identifier == identifier))


def test_the_readme_lists_the_demo_accounts():
    assert len(ACCOUNTS) == 8 and {slug for slug, *_ in ACCOUNTS} == set(SLUG_OF.values())


def test_every_demo_account_in_the_readme_signs_in_as_it_says(app, demo):
    for slug, role, identifier, password in ACCOUNTS:
        client = client_for(app, f"{slug}.localhost")
        answer = client.login(identifier, password)
        assert answer.status_code == 302, (identifier, role)
        fresh = "fresh initial password" in role
        assert (answer.location == "/zmiana-hasla") == fresh, (identifier, answer.location)


def test_the_readmes_counts_of_demo_reports_and_letters_are_the_demos(demo):
    claims = [(who, int(n), "reports") for who, n in re.findall(
        r"As `([\w.-]+)` (\d+) demo reports", README)]
    claims += [(who, int(n), "reports") for who, n in re.findall(
        r"`([\w.-]+)` has (\d+), ", README)]
    for first, second, n in re.findall(
            r"As `([\w.-]+)` \(or `([\w.-]+)`\) (\d+) demo letters", README):
        claims += [(first, int(n), "letters"), (second, int(n), "letters")]
    assert len(claims) >= 4, "the README no longer says what the demo holds"
    for who, count, kind in claims:
        slug = SLUG_OF[who.split("-")[0]]
        user_id = _user_id(slug, who)
        with in_tenant(tenant_ref(slug)):
            found = filed_by(FaultReport if kind == "reports" else Letter, user_id)
            assert len(found) == count, (who, kind, [str(f) for f in found])
    [queue] = [int(n) for n in re.findall(r"shows all (\d+) in the queue", README)]
    with in_tenant(tenant_ref("zielone-wzgorza")):
        assert db.session.scalar(select(func.count()).select_from(FaultReport)) == queue


def test_the_demos_remote_readings_show_medians_and_alerts_and_its_file_imports_once(app, demo):
    """README: two years of daily remote readings with the buildings' medians, last month's
    hot water far above last year's at ``ZW-000001``, a held reading; this month's file of each
    cooperative imports (one value held), raises the possible leaks, and adds nothing again."""
    from iok_saas.cli.demo import DEMO, UNITS_PER_BUILDING
    from iok_saas.cli.demo_remote import LEAKS, vendor_file
    from iok_saas.meters import consumption
    from iok_saas.tenancy.info import get_tenant_info
    from iok_saas.web.formatting import local_today

    last_month = consumption.previous_month(local_today().replace(day=1))
    for coop in DEMO:
        tenant = tenant_ref(coop.slug)
        with in_tenant(tenant):
            medians = db.session.execute(select(BuildingMonth.kind, BuildingMonth.units).where(
                BuildingMonth.month == last_month)).all()
            assert sorted(medians) == [("heat", UNITS_PER_BUILDING)] * 3 + [
                ("hot_water", UNITS_PER_BUILDING)] * 3
            high = db.session.scalars(select(ConsumptionAlert).where(
                ConsumptionAlert.kind == ALERT_HIGH, ConsumptionAlert.month == last_month)).all()
            assert {a.meter.kind for a in high} == {"hot_water", "heat"}, high
            assert db.session.scalar(select(func.count()).select_from(HeldReading)) == 1
            settings = get_tenant_info(tenant.id).settings.remote_readings
        path = vendor_file(coop.slug, settings)
        rows = path.read_text().count("\n") - (1 if path.suffix == ".csv" else 2)
        first = run_cli(app, "import", "remote", "--tenant", coop.slug, "--quiet", str(path))
        assert first.exit_code == 0, first.output
        assert (f"imported {rows} rows — added {rows - 1}, changed 0, unchanged 0, held for "
                "the office 1, rows left out 0") in first.output, first.output
        again = run_cli(app, "import", "remote", "--tenant", coop.slug, "--quiet", str(path))
        assert f"added 0, changed 0, unchanged {rows}, held for the office 0" in again.output
        with in_tenant(tenant):
            consumption.refresh(last_month.isoformat() + "T00:00:00+00:00",
                                local_today().isoformat() + "T00:00:00+00:00")
            leaking = db.session.scalars(select(ConsumptionAlert).where(
                ConsumptionAlert.kind == ALERT_LEAK)).all()
            assert len(leaking) == len(LEAKS) and all(a.meter.kind == "hot_water"
                                                      for a in leaking)
    anna = _user_id("zielone-wzgorza", "ZW-000001")
    with in_tenant(tenant_ref("zielone-wzgorza")):
        units = set(db.session.scalars(select(UnitTitle.unit_id).where(
            UnitTitle.user_id == anna)))
        assert any(a.meter.unit_id in units and a.meter.kind == "hot_water"
                   for a in db.session.scalars(select(ConsumptionAlert).where(
                       ConsumptionAlert.kind == ALERT_HIGH)))
