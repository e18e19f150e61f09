"""A feature switched off: its pages answer 404 and its menu links are not shown."""

from __future__ import annotations

import pytest
from flask import Blueprint

from iok_saas import create_app
from iok_saas.tenancy.features import require_feature
from iok_saas.web.navigation import NavItem, register
from tests.helpers import TenantClient, app_settings


@pytest.fixture
def faults_app(tmp_path, ctx):
    """An app with a stand-in capability behind the ``faults`` switch."""
    application = create_app(app_settings(tmp_path))
    bp = Blueprint("faults_probe", __name__)
    require_feature(bp, "faults")
    bp.add_url_rule("/zgloszenia", "index", lambda: "lista zgłoszeń")
    application.register_blueprint(bp)
    register(application, NavItem("faults_probe.index", "Fault reports", "public", "faults"))
    return application


def _client(app, host):
    return TenantClient(app, app.response_class, use_cookies=True, host=host)


def test_page_of_a_feature_that_is_off_is_404(faults_app):
    assert _client(faults_app, "zielone-wzgorza.localhost").get("/zgloszenia").status_code == 200
    assert _client(faults_app, "baltyk.localhost").get("/zgloszenia").status_code == 404


def test_link_of_a_feature_that_is_off_is_not_shown(faults_app):
    assert 'href="/zgloszenia"' in _client(faults_app, "zielone-wzgorza.localhost").get(
        "/").get_data(as_text=True)
    assert 'href="/zgloszenia"' not in _client(faults_app, "baltyk.localhost").get(
        "/").get_data(as_text=True)


def test_unknown_feature_name_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown feature 'fautls'"):
        require_feature(Blueprint("x", __name__), "fautls")
