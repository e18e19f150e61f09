"""``iok tenants …``: what an operator types, what they see, and what changes."""

from __future__ import annotations

import contextvars
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from iok_saas.auth.models import User
from iok_saas.auth.passwords import verify_password
from iok_saas.db import db
from iok_saas.delivery.models import UnitDocument
from iok_saas.tenancy import services, tenant_context
from iok_saas.tenancy.models import ImmutableRelease
from tests.factories import make_household, make_unit_document
from tests.helpers import ROOT, across_cooperatives, client_for, tenant_ref


@pytest.fixture
def run(app, ctx):
    """Invoke an ``iok`` command; returns the click result."""
    runner = app.test_cli_runner(mix_stderr=False) if _supports_mix() else app.test_cli_runner()

    def invoke(*args: str, input: str | None = None):
        db.session.remove()  # as a fresh process would: its own context and session
        return contextvars.Context().run(runner.invoke, args=list(args), input=input)

    return invoke


def _supports_mix() -> bool:
    import inspect

    from click.testing import CliRunner

    return "mix_stderr" in inspect.signature(CliRunner.__init__).parameters


@pytest.fixture
def scratch(run):
    """A throwaway cooperative created by the operator, deleted afterwards."""
    result = run("tenants", "create", "proba", "--name", "SM Próbna", "--short-name", "SM P")
    assert result.exit_code == 0, result.output
    yield tenant_ref("proba")
    if db.session.scalar(select(func.count()).where(services.Tenant.slug == "proba")):
        run("tenants", "delete", "proba", "--yes")


def test_list_json_lists_both_reference_cooperatives(run):
    result = run("tenants", "list", "--json")
    assert result.exit_code == 0
    slugs = {row["slug"]: row for row in json.loads(result.stdout)}
    assert {"zielone-wzgorza", "baltyk"} <= slugs.keys()
    assert slugs["baltyk"]["domains"] == ["baltyk.localhost", "iok.smbaltyk.pl"]
    assert "faults" in slugs["zielone-wzgorza"]["features"]
    assert "faults" not in slugs["baltyk"]["features"]


def test_sync_twice_changes_nothing_the_second_time(run):
    first = run("tenants", "sync")
    second = run("tenants", "sync")
    assert first.exit_code == second.exit_code == 0
    assert "baltyk: unchanged" in second.stdout
    assert "zielone-wzgorza: unchanged" in second.stdout


def test_sync_and_show_warn_about_a_policy_below_nist(run):
    assert "below the NIST SP 800-63B minimum" in run("tenants", "sync").stderr
    shown = run("tenants", "show", "zielone-wzgorza", "--json")
    assert json.loads(shown.stdout)["password_policy"]["min_length"] == 6
    assert "below the NIST" in shown.stderr
    assert "NIST" not in run("tenants", "show", "baltyk").stderr


def test_sync_warns_about_missing_parts_of_the_office_address(run):
    warned = run("tenants", "sync").stderr  # neither cooperative's text gives its whole address
    assert "zielone-wzgorza: office.street empty" in warned
    assert "baltyk: office.postal_code, office.city empty" in warned


def test_show_of_a_missing_slug_fails_clearly(run):
    result = run("tenants", "show", "nie-ma")
    assert result.exit_code == 1
    assert "No cooperative with slug 'nie-ma'" in result.stderr


def _tenant_dir(tmp_path: Path, edit=None) -> Path:
    directory = tmp_path / "tenants"
    shutil.copytree(ROOT / "tenants", directory)
    if edit:
        edit(directory)
    return directory


def _replace(directory: Path, name: str, old: str, new: str) -> None:
    path = directory / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(("old", "new", "key", "reason"), [
    ('min_length = 8', 'min_length = "osiem"', "password.min_length", "valid integer"),
    ('min_length = 8', 'min_lenght = 8', "password.min_lenght", "unknown key"),
    ('short_name = "SM „Bałtyk”"\n', '', "short_name", "is required"),
    ('primary_color = "#0b4f8a"', 'primary_color = "#ffff66"', "branding.primary_color",
     "contrast"),
    ('mode = "timed"', 'mode = "forever"', "lockout.mode", "'staff_unlock' or 'timed'"),
    ('domains = ["iok.smbaltyk.pl"]', 'domains = ["iok smbaltyk"]', "domains", "valid host"),
    ('slug = "baltyk"', 'slug = "inny"', "slug", "must match the file name"),
    ('[features]', '[features\n', "(file)", "not valid TOML"),
])
def test_bad_tenant_file_names_file_key_reason_and_writes_nothing(run, tmp_path, old, new, key,
                                                                   reason):
    directory = _tenant_dir(tmp_path, lambda d: _replace(d, "baltyk.toml", old, new))
    _replace(directory, "zielone-wzgorza.toml", 'short_name = "SM „Zielone Wzgórza”"',
             'short_name = "ZMIENIONA"')
    result = run("tenants", "sync", str(directory))
    assert result.exit_code == 1
    assert f"baltyk.toml: {key}:" in result.stderr
    assert reason in result.stderr
    assert services.get_tenant("zielone-wzgorza").short_name == "SM „Zielone Wzgórza”"


def test_duplicate_domain_across_files_is_refused(run, tmp_path):
    directory = _tenant_dir(tmp_path, lambda d: _replace(
        d, "zielone-wzgorza.toml", "domains = []", 'domains = ["iok.smbaltyk.pl"]'))
    result = run("tenants", "sync", str(directory))
    assert result.exit_code == 1
    assert "iok.smbaltyk.pl" in result.stderr and "also in" in result.stderr


def test_domain_of_another_cooperative_cannot_be_added(run):
    result = run("tenants", "add-domain", "zielone-wzgorza", "iok.smbaltyk.pl")
    assert result.exit_code == 1
    assert "already belongs to cooperative 'baltyk'" in result.stderr


@pytest.mark.parametrize("slug", ["Zle_Slug", "-zaczyna", "konczy-", "a" * 64, "ą"])
def test_slug_must_be_a_dns_label(run, slug):
    result = run("tenants", "create", "--name", "SM Test", "--", slug)
    assert result.exit_code == 1
    assert "DNS label" in result.stderr


def test_create_update_domains_disable_enable_delete(run, app, scratch):
    assert [d.host for d in services.get_tenant("proba").domains] == ["proba.localhost"]
    assert run("tenants", "create", "proba", "--name", "X Y Z").exit_code == 1
    updated = run("tenants", "update", "proba", "features.meters=true", "lockout.max_failures=4")
    assert updated.exit_code == 0, updated.stderr
    settings = services.get_tenant("proba").settings
    assert settings["features"]["meters"] is True and settings["lockout"]["max_failures"] == 4
    bad = run("tenants", "update", "proba", "lockout.max_failures=1")
    assert bad.exit_code == 1 and "lockout.max_failures" in bad.stderr
    assert services.get_tenant("proba").settings["lockout"]["max_failures"] == 4

    assert run("tenants", "add-domain", "proba", "IOK.Proba.PL").exit_code == 0
    assert client_for(app, "iok.proba.pl").get("/").status_code == 200
    assert run("tenants", "remove-domain", "proba", "iok.proba.pl").exit_code == 0
    assert client_for(app, "iok.proba.pl").get("/").status_code == 404
    platform = run("tenants", "remove-domain", "proba", "proba.localhost")
    assert platform.exit_code == 1 and "stays" in platform.stderr

    assert run("tenants", "disable", "proba", "--message", "Przerwa").exit_code == 0
    assert client_for(app, "proba.localhost").get("/").status_code == 503
    assert run("tenants", "enable", "proba").exit_code == 0
    assert client_for(app, "proba.localhost").get("/").status_code == 200



def test_an_empty_value_puts_an_optional_setting_back_to_its_default(run, scratch):
    window = run("tenants", "update", "proba", "readings.window_start_day=25",
                 "readings.window_end_day=5", "terms.version=2b")
    assert window.exit_code == 0, window.stderr
    assert services.get_tenant("proba").settings["terms"]["version"] == "2b"
    cleared = run("tenants", "update", "proba", "readings.window_start_day=",
                  "readings.window_end_day=", "terms.version=")
    assert cleared.exit_code == 0, cleared.stderr
    settings = services.get_tenant("proba").settings
    assert settings["readings"]["window_start_day"] is None
    assert settings["readings"]["window_end_day"] is None
    assert settings["terms"]["version"] == "1"


@pytest.mark.parametrize(("assignment", "reason"), [
    ("name=", "name: is required and cannot be cleared"),
    ("short_name=", "short_name: is required and cannot be cleared"),
    ("readings.window_strat_day=", "readings.window_strat_day: unknown key"),
    ("readings.window_start_day=", "give both window_start_day and window_end_day"),
])
def test_an_empty_value_that_cannot_clear_names_the_key_and_changes_nothing(run, scratch,
                                                                            assignment, reason):
    assert run("tenants", "update", "proba", "readings.window_start_day=25",
               "readings.window_end_day=5").exit_code == 0
    result = run("tenants", "update", "proba", "lockout.max_failures=4", assignment)
    assert result.exit_code == 1 and reason in result.stderr
    tenant = services.get_tenant("proba")
    assert (tenant.name, tenant.short_name) == ("SM Próbna", "SM P")
    assert tenant.settings["readings"]["window_start_day"] == 25
    assert tenant.settings["lockout"]["max_failures"] == 5

def test_create_staff_prints_a_one_time_password_that_works(run, baltyk):
    result = run("tenants", "create-staff", "baltyk", "b.kowalczyk", "--role", "clerk", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["identifier"] == "b.kowalczyk" and len(data["initial_password"]) >= 12
    with tenant_context(baltyk.id):
        user = db.session.scalar(select(User).where(User.identifier == "b.kowalczyk"))
        assert user.role == "clerk" and user.must_change_password
        assert verify_password(user.password_hash, data["initial_password"])
    again = run("tenants", "create-staff", "baltyk", "b.kowalczyk", "--role", "admin")
    assert again.exit_code == 1 and "already taken" in again.stderr


def test_create_staff_with_a_department_residents_will_see(run, baltyk):
    result = run("tenants", "create-staff", "baltyk", "b.czynsze", "--role", "clerk",
                 "--first-name", "Barbara", "--department", "  Dział   Czynszów ")
    assert result.exit_code == 0, result.stderr
    with tenant_context(baltyk.id):
        user = db.session.scalar(select(User).where(User.identifier == "b.czynsze"))
        assert user.department == "Dział Czynszów"
    db.session.remove()
    too_long = run("tenants", "create-staff", "baltyk", "b.dlugi", "--role", "clerk",
                   "--department", "D" * 81)
    assert too_long.exit_code == 1 and "80" in too_long.stderr
    with tenant_context(baltyk.id):
        assert db.session.scalar(select(User).where(User.identifier == "b.dlugi")) is None


def test_create_staff_refuses_a_resident_role(run):
    result = run("tenants", "create-staff", "baltyk", "x", "--role", "resident")
    assert result.exit_code == 2


def test_delete_asks_and_removes_only_that_cooperatives_rows(run, scratch, zw):
    scratch_home = make_household(scratch, units=3)
    zw_home = make_household(zw)
    # The proof of deliveries, insert-only for everyone else, goes with its cooperative.
    make_unit_document(scratch, scratch_home)
    zw_document = make_unit_document(zw, zw_home)
    refused = run("tenants", "delete", "proba", input="n\n")
    assert refused.exit_code == 1 and services.get_tenant("proba")
    result = run("tenants", "delete", "proba", "--yes")
    assert result.exit_code == 0, result.stderr
    assert "unit=3" in result.stdout
    assert "proba" not in {t.slug for t in services.list_tenants()}
    assert across_cooperatives(select(func.count()).select_from(User)) == [(1,)]
    assert "unit_document=1" in result.stdout and "unit_document_event=1" in result.stdout
    with tenant_context(zw.id):
        assert db.session.get(User, zw_home.user_id) is not None
        assert db.session.get(UnitDocument, zw_document) is not None
    assert across_cooperatives(select(func.count()).select_from(ImmutableRelease)) == [(0,)]


def test_custom_domain_cannot_squat_a_platform_host(run):
    result = run("tenants", "add-domain", "baltyk", "przyszla.localhost")
    assert result.exit_code == 1 and "under the platform domain" in result.stderr


def test_show_counts_only_the_cooperatives_own_rows(run, zw, baltyk):
    from tests.factories import make_household

    make_household(zw, units=1)
    make_household(baltyk, units=2)
    make_household(baltyk, units=3)
    rows = json.loads(run("tenants", "show", "baltyk", "--json").stdout)["rows"]
    assert (rows["unit"], rows["user_account"], rows["building"]) == (5, 2, 2)
    rows = json.loads(run("tenants", "show", "zielone-wzgorza", "--json").stdout)["rows"]
    assert (rows["unit"], rows["user_account"]) == (1, 1)
