"""Host → cooperative: known hosts, custom domains, unknown and malformed hosts, maintenance."""

from __future__ import annotations

import pytest
from flask import g

from iok_saas import create_app
from iok_saas.tenancy import services
from tests.helpers import app_settings, as_platform, client_for


def test_custom_domain_leads_to_its_cooperative(app, ctx):
    page = client_for(app, "iok.smbaltyk.pl").get("/")
    assert page.status_code == 200
    assert "Bałtyk" in page.get_data(as_text=True)


def test_host_with_port_and_capitals_is_recognised(app, ctx):
    page = client_for(app, "BALTYK.localhost:5000").get("/")
    assert page.status_code == 200


def test_unknown_host_gets_plain_404_without_any_cooperative(app, ctx):
    page = client_for(app, "nieznana.localhost").get("/")
    body = page.get_data(as_text=True)
    assert page.status_code == 404
    assert "Nie znaleziono strony" in body
    assert "Bałtyk" not in body and "Zielone" not in body


@pytest.mark.parametrize("host", ["bad host", "a..b", "[::1]", "x" * 300])
def test_malformed_host_gets_400(app, ctx, host):
    page = client_for(app, "localhost").get("/", headers={"Host": host})
    assert page.status_code == 400
    assert "Bałtyk" not in page.get_data(as_text=True)


def test_disabled_cooperative_shows_its_maintenance_message_with_503(app, ctx, baltyk_client,
                                                                      zw_client):
    with as_platform():
        services.set_status("baltyk", "disabled", "Prace serwisowe do godziny 6:00.")
    try:
        page = baltyk_client.get("/")
        assert page.status_code == 503
        assert "Prace serwisowe do godziny 6:00." in page.get_data(as_text=True)
        assert "/logowanie" not in page.get_data(as_text=True)  # nothing to sign in to
        assert baltyk_client.get("/logowanie").status_code == 503
        assert zw_client.get("/").status_code == 200
    finally:
        with as_platform():
            services.set_status("baltyk", "active")
    assert baltyk_client.get("/").status_code == 200


def test_default_maintenance_message_comes_from_the_file(app, ctx, zw_client):
    with as_platform():
        services.set_status("zielone-wzgorza", "disabled")
    try:
        body = zw_client.get("/").get_data(as_text=True)
        assert "przerw technicznych" in body
    finally:
        with as_platform():
            services.set_status("zielone-wzgorza", "active")


def test_other_web_process_drops_its_cache_when_operator_changes_a_tenant(app, ctx, tmp_path):
    other = create_app(app_settings(tmp_path))
    other_client = client_for(other, "baltyk.localhost")
    assert other_client.get("/").status_code == 200  # warms the other process's cache
    with as_platform():
        services.set_status("baltyk", "disabled")
    try:
        assert other_client.get("/").status_code == 503
    finally:
        with as_platform():
            services.set_status("baltyk", "active")
    assert other_client.get("/").status_code == 200


def test_feature_switched_off_hides_its_text_and_links(app, ctx, zw_client, baltyk_client):
    zw = zw_client.get("/").get_data(as_text=True)
    baltyk = baltyk_client.get("/").get_data(as_text=True)
    assert "zgłosić awarię" in zw
    assert "zgłosić awarię" not in baltyk  # Bałtyk does not offer fault reports
    assert "numery telefonów" in baltyk and "numery telefonów" not in zw


def test_email_links_use_the_canonical_domain_not_the_host_header(app):
    with app.test_request_context("/", base_url="http://iok.smbaltyk.pl"):
        app.preprocess_request()
        assert g.tenant.url("/logowanie") == "http://baltyk.localhost/logowanie"
    app.config["CUSTOM_DOMAINS_CANONICAL"] = True
    try:
        with app.test_request_context("/", base_url="http://baltyk.localhost"):
            app.preprocess_request()
            assert g.tenant.url("/x") == "http://iok.smbaltyk.pl/x"
    finally:
        app.config["CUSTOM_DOMAINS_CANONICAL"] = False


def test_trusted_hosts_reject_other_hosts(tmp_path, ctx):
    strict = create_app(app_settings(tmp_path, TRUSTED_HOSTS=[".localhost"]))
    assert client_for(strict, "baltyk.localhost").get("/").status_code == 200
    assert client_for(strict, "iok.smbaltyk.pl").get("/").status_code == 400


def test_proxy_fix_uses_forwarded_host_when_configured(tmp_path, ctx):
    proxied = create_app(app_settings(tmp_path, PROXY_FIX={
        "x_for": 1, "x_proto": 1, "x_host": 1, "x_port": 0, "x_prefix": 0}))
    forwarded = {"X-Forwarded-Host": "baltyk.localhost"}
    page = client_for(proxied, "10.0.0.5").get("/", headers=forwarded)
    assert page.status_code == 200 and "Bałtyk" in page.get_data(as_text=True)


def test_tenant_read_before_an_operator_change_is_not_cached_after_it(app, ctx, monkeypatch):
    from iok_saas.tenancy import resolver

    cache = app.extensions["iok_tenant_cache"]
    cache.clear()
    real_load = resolver._load

    def load_then_operator_disables(host):
        info = real_load(host)  # read while the cooperative is still active ...
        with app.app_context(), as_platform():
            services.set_status("baltyk", "disabled")  # ... then the operator disables it
        cache._drop_if_stale()  # ... and another thread's request sees the new generation
        return info

    monkeypatch.setattr(resolver, "_load", load_then_operator_disables)
    client = client_for(app, "baltyk.localhost")
    try:
        client.get("/")  # this request may still see the old state
        monkeypatch.setattr(resolver, "_load", real_load)
        assert client.get("/").status_code == 503  # but nothing stale was kept
    finally:
        with app.app_context(), as_platform():
            services.set_status("baltyk", "active")


def test_a_connection_lost_under_a_request_still_clears_its_cooperative(app, baltyk,
                                                                       monkeypatch, caplog):
    """At a failover the teardown's rollback fails: the next request on the thread must not
    inherit the cooperative, and the error is a warning, not a crash after the answer."""
    from sqlalchemy.exc import OperationalError

    from iok_saas.db import db
    from iok_saas.tenancy.context import current_tenant_id, set_tenant
    from iok_saas.tenancy.resolver import clear_tenant

    def lost() -> None:
        raise OperationalError("ROLLBACK", {}, Exception("server conn crashed?"))

    with app.test_request_context("/"):
        g.tenant_token = set_tenant(baltyk.id)
        monkeypatch.setattr(db.session, "remove", lost)
        clear_tenant()
        assert current_tenant_id() is None
    assert "could not be closed: OperationalError" in caplog.text
