"""Secrets sealed at rest (``iok_saas/db/sealed.py``): the authenticator apps' secrets are kept
as Fernet tokens made with ``IOK_DATA_KEYS``, never in clear; sign-in with a code still works;
``iok secrets rotate`` seals everything with the newest key so the old one can go; a value no
key opens gives a clear error; production does not start without the keys; migration 0024
seals the secrets already stored in clear, and its downgrade opens them again."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pyotp
import pytest
from cryptography.fernet import Fernet
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from config import ConfigError, ProductionConfig, load_config
from iok_saas import create_app
from iok_saas.account_security import second_factor
from iok_saas.auth.models import User
from iok_saas.db import db, sealed
from iok_saas.tenancy import services, tenant_context
from tests.factories import make_household, make_second_factor
from tests.helpers import (
    DB_NAME,
    PG_ADMIN,
    app_settings,
    as_platform,
    client_for,
    in_tenant,
    pg_url,
    run_cli,
)

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _stored(user_id: int) -> tuple[str | None, str | None]:
    """The two secrets' columns as the database holds them (read as the owner, raw SQL)."""
    engine = create_engine(pg_url(PG_ADMIN, DB_NAME))
    try:
        with engine.connect() as conn:
            return tuple(conn.execute(text(
                "SELECT totp_secret, totp_pending FROM user_account WHERE id = :id"),
                {"id": user_id}).one())
    finally:
        engine.dispose()


def _secrets_of(tenant, user_id: int) -> tuple[str | None, str | None]:
    """The two secrets as the app reads them."""
    with tenant_context(tenant.id):
        user = db.session.get(User, user_id)
        found = user.totp_secret, user.totp_pending
    db.session.remove()
    return found


def _with_pending(tenant, household) -> str:
    """A second secret being set up (scanned, not yet confirmed) on the account."""
    pending = second_factor.new_secret()
    with in_tenant(tenant):
        db.session.get(User, household.user_id).totp_pending = pending
    return pending


@pytest.fixture
def optional(ctx):
    with as_platform():
        services.update_tenant("zielone-wzgorza", ["second_factor.mode=optional"])
    yield
    with as_platform():
        services.update_tenant("zielone-wzgorza", ["second_factor.mode=off"])


def test_the_authenticator_secrets_are_not_stored_in_clear(zw):
    home = make_household(zw)
    secret = make_second_factor(zw, home)
    pending = _with_pending(zw, home)
    stored = _stored(home.user_id)
    for clear, token in zip((secret, pending), stored, strict=True):
        assert token.startswith("gAAAAA")  # a Fernet token
        assert clear not in token and clear.lower() not in token.lower()
        assert sealed.unseal(token) == clear  # ...with the configured key
    assert _secrets_of(zw, home.user_id) == (secret, pending)


def test_signing_in_with_the_code_works_with_the_secret_sealed(optional, app, zw):
    home = make_household(zw)
    secret = make_second_factor(zw, home)
    assert secret not in _stored(home.user_id)[0]
    client = client_for(app, "zielone-wzgorza.localhost")
    assert client.login(home.identifier, home.password).location == "/logowanie/kod"
    page = client.get("/logowanie/kod").get_data(as_text=True)
    answer = client.post("/logowanie/kod", data={
        "csrf_token": CSRF.search(page).group(1), "code": pyotp.TOTP(secret).now()})
    assert answer.status_code == 302
    assert "Wyloguj się" in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_rotation_seals_everything_with_the_newest_key_so_the_old_one_can_go(
        app, zw, baltyk, tmp_path):
    homes = [(zw, make_household(zw)), (baltyk, make_household(baltyk))]
    secrets = [make_second_factor(tenant, home) for tenant, home in homes]
    pending = _with_pending(zw, homes[0][1])
    before = [_stored(home.user_id) for _, home in homes]
    old, new = app.config["DATA_KEYS"][0], Fernet.generate_key().decode()

    both = create_app(app_settings(tmp_path / "both", DATA_KEYS=[new, old]))
    result = run_cli(both, "secrets", "rotate", "--json")
    assert result.exit_code == 0, result.output
    assert '"user_account.totp_secret": 2' in result.output
    assert '"user_account.totp_pending": 1' in result.output

    after = [_stored(home.user_id) for _, home in homes]
    assert all(a[0] != b[0] for a, b in zip(after, before, strict=True))
    only_new = create_app(app_settings(tmp_path / "new", DATA_KEYS=[new]))
    with only_new.app_context():
        assert [sealed.unseal(token) for token, _ in after] == secrets
        assert sealed.unseal(after[0][1]) == pending
        assert [_secrets_of(t, home.user_id)[0] for t, home in homes] == secrets
        db.session.remove()
    with app.app_context(), pytest.raises(sealed.DataKeyError, match="iok secrets rotate"):
        sealed.unseal(after[0][0])  # the old key alone no longer opens them


def test_a_secret_no_configured_key_opens_is_a_clear_error_and_nothing_changes(
        app, zw, tmp_path):
    home = make_household(zw)
    make_second_factor(zw, home)
    before = _stored(home.user_id)
    stranger = create_app(app_settings(tmp_path, DATA_KEYS=[Fernet.generate_key().decode()]))
    result = run_cli(stranger, "secrets", "rotate")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"user_account.totp_secret of row {home.user_id} opens with none of the keys" \
        in result.output
    assert "IOK_DATA_KEYS" in result.output and "Nothing was changed." in result.output
    assert _stored(home.user_id) == before


def test_production_does_not_start_without_data_keys(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "s3cret")
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", "postgresql://db/iok")
    monkeypatch.setattr(ProductionConfig, "DATA_KEYS", [])
    with pytest.raises(ConfigError) as error:
        load_config("production")
    assert "IOK_DATA_KEYS" in str(error.value) and "IOK_SECRET_KEY" not in str(error.value)


def test_a_malformed_data_key_stops_the_start_and_says_which(tmp_path):
    good = Fernet.generate_key().decode()
    with pytest.raises(sealed.DataKeyError, match="key 2 of 2 is not a Fernet key"):
        create_app(app_settings(tmp_path, DATA_KEYS=[good, "not-a-key"]))


def test_the_demo_and_the_tests_need_no_key_set():
    assert len(load_config("development").DATA_KEYS) == 1
    Fernet(load_config("development").DATA_KEYS[0])  # a well-formed key, derived


# --- migration 0024 -----------------------------------------------------------------------------

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def _clear_text_accounts(engine) -> dict[int, tuple[str, str | None]]:
    """Two cooperatives with an account each holding its secret in clear (as before 0024), one
    with a secret being set up too; {user id: (secret, pending)}."""
    stored = {}
    with engine.begin() as conn:
        for n, slug in enumerate(("pierwsza", "druga"), start=1):
            tenant_id = conn.execute(text(
                "INSERT INTO tenant (slug, name, short_name, status, settings, created_at, "
                "updated_at) VALUES (:slug, :slug, :slug, 'active', '{}', :now, :now) "
                "RETURNING id"), {"slug": slug, "now": NOW}).scalar()
            secret = pyotp.random_base32(32)
            pending = pyotp.random_base32(32) if n == 1 else None
            user_id = conn.execute(text(
                "INSERT INTO user_account (tenant_id, identifier, role, first_name, last_name, "
                "password_hash, must_change_password, active, session_version, created_at, "
                "updated_at, totp_secret, totp_pending) VALUES (:t, 'A1', 'resident', '', '', "
                "'x', false, true, 1, :now, :now, :secret, :pending) RETURNING id"),
                {"t": tenant_id, "now": NOW, "secret": secret, "pending": pending}).scalar()
            stored[user_id] = (secret, pending)
    return stored


def _raw(engine) -> dict[int, tuple[str | None, str | None]]:
    with engine.connect() as conn:
        return {row[0]: (row[1], row[2]) for row in conn.execute(text(
            "SELECT id, totp_secret, totp_pending FROM user_account"))}


def test_migration_seals_the_secrets_stored_in_clear_and_its_downgrade_opens_them(
        app_on_empty_database):
    with app_on_empty_database.app_context():
        engine = db.engine
        try:
            upgrade(revision="0023")
            clear = _clear_text_accounts(engine)
            upgrade(revision="0024")
            sealed_rows = _raw(engine)
            for user_id, (secret, pending) in clear.items():
                token, pending_token = sealed_rows[user_id]
                assert secret not in token and sealed.unseal(token) == secret
                assert (pending_token and sealed.unseal(pending_token)) == pending
            downgrade(revision="0023")
            assert _raw(engine) == clear
        finally:
            engine.dispose()
