"""What every request costs before its own work: no cookie for anonymous pages, the session
not re-sent on every click, the cooperative found without the database or Redis in the steady
state, and Argon2 at OWASP's parameters (issue 18). Counts, never timings."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from argon2 import PasswordHasher
from sqlalchemy import event, update

from iok_saas.auth.models import User
from iok_saas.auth.passwords import needs_rehash, verify_password
from iok_saas.db import db
from iok_saas.extensions import redis_connection
from iok_saas.tenancy import resolver
from iok_saas.tenancy.models import ACTIVE, DISABLED, Tenant
from tests.factories import make_household
from tests.helpers import as_platform, client_for, in_tenant


class Statements:
    """Counts the SQL statements sent while it is open."""

    def __enter__(self):
        self.count = 0
        self.sent: list[str] = []
        event.listen(db.engine, "before_cursor_execute", self._one)
        return self

    def _one(self, conn, cursor, sql, *args) -> None:
        self.count += 1
        self.sent.append(sql)

    def __exit__(self, *exc) -> None:
        event.remove(db.engine, "before_cursor_execute", self._one)


@pytest.fixture
def steady(app, monkeypatch):
    """The production window: the generation is read at most once a second; counts reads."""
    monkeypatch.setitem(app.config, "TENANT_GENERATION_CHECK_SECONDS", 1.0)
    # A test just before may have made Redis look down (the resolver then skips it for 5 s).
    monkeypatch.setattr(resolver, "_redis_quiet_until", 0.0)
    reads = []
    real = resolver.read_generation
    monkeypatch.setattr(resolver, "read_generation", lambda: reads.append(1) or real())
    app.extensions["iok_tenant_cache"].clear()
    return reads


@pytest.mark.parametrize("path", ["/", "/regulamin", "/deklaracja-dostepnosci",
                                  "/manifest.webmanifest", "/offline"])
def test_anonymous_pages_set_no_cookie_so_a_proxy_may_keep_them(baltyk_client, path):
    answer = baltyk_client.get(path)
    assert answer.status_code == 200
    assert "Set-Cookie" not in answer.headers, path


def test_the_language_switch_still_works_without_a_form_token(baltyk_client):
    answer = baltyk_client.post("/jezyk", data={"lang": "en", "next": "/regulamin"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/regulamin")
    assert "Terms of the online customer service" in baltyk_client.get(
        "/regulamin").get_data(as_text=True)
    assert baltyk_client.post("/jezyk", data={"lang": "xx"}).status_code == 302
    assert "Terms of the online" in baltyk_client.get("/regulamin").get_data(as_text=True)


def test_a_signed_in_session_is_not_sent_again_on_every_click(baltyk, baltyk_client):
    home = make_household(baltyk)
    baltyk_client.login(home.identifier, home.password)
    baltyk_client.get("/")
    again = baltyk_client.get("/")
    assert again.status_code == 200 and "Set-Cookie" not in again.headers
    with baltyk_client.session_transaction() as session:
        session["seen"] -= 61  # a minute later the time of the last request is written again
    assert "Set-Cookie" in baltyk_client.get("/").headers


def test_the_cooperative_is_found_without_the_database_or_redis_in_the_steady_state(
        app, baltyk, steady):
    client = client_for(app, "baltyk.localhost")
    client.get("/regulamin")
    before = len(steady)
    with Statements() as sql:
        for _ in range(5):
            assert client.get("/regulamin").status_code == 200
    assert sql.count == 0 and len(steady) == before


def test_an_unknown_host_costs_one_query_not_one_per_request(app, ctx, steady):
    client = client_for(app, "nieznana.localhost")
    with Statements() as sql:
        for _ in range(5):
            assert client.get("/").status_code == 404
    assert sql.count == 1


def test_a_change_made_elsewhere_is_seen_within_the_window(app, baltyk, steady, monkeypatch):
    clock = [1_000_000.0]  # the resolver's clock, moved by hand: no race with a slow machine
    monkeypatch.setattr(resolver, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    monkeypatch.setitem(app.extensions, "iok_tenant_cache", resolver.TenantCache())
    client = client_for(app, "baltyk.localhost")
    assert client.get("/regulamin").status_code == 200

    def status(value: str) -> None:  # as another process commits it: no local cache drop
        with as_platform():  # a bulk UPDATE: no ORM object, so no local bump either
            db.session.execute(update(Tenant).where(Tenant.id == baltyk.id)
                               .values(status=value))
        redis_connection().incr(resolver.GENERATION_KEY)

    status(DISABLED)
    try:
        clock[0] += 0.9
        assert client.get("/regulamin").status_code == 200  # within the second: as cached
        clock[0] += 0.2
        assert client.get("/regulamin").status_code == 503
    finally:
        status(ACTIVE)


def test_argon2_uses_owasp_parameters_and_old_hashes_are_remade_at_sign_in(baltyk,
                                                                          baltyk_client):
    home = make_household(baltyk)
    old = PasswordHasher().hash(home.password)  # the library's default: 64 MiB, 4 lanes
    with in_tenant(baltyk):
        db.session.get(User, home.user_id).password_hash = old
        db.session.commit()
    assert needs_rehash(old)
    assert baltyk_client.login(home.identifier, home.password).status_code == 302
    with in_tenant(baltyk):
        new = db.session.get(User, home.user_id).password_hash
    assert new != old and "m=19456,t=2,p=1" in new and not needs_rehash(new)
    assert verify_password(new, home.password)



def test_templates_translate_with_the_pages_catalogue_and_follow_a_forced_language(app, baltyk):
    """Labels come from the catalogue looked up once for the page; an e-mail rendered in its
    own language inside a request (force_locale) and a macro imported without the page's
    context still get theirs."""
    from flask import render_template_string
    from flask_babel import force_locale

    page = ('{% from "macros/pager.html" import pager %}'
            '{{ _("Sign in") }}|{{ pager("public.terms", 1, 2) }}')
    with app.test_request_context("/", base_url="http://baltyk.localhost"):
        app.preprocess_request()
        assert render_template_string(page).startswith("Zaloguj się|")
        assert "Następna strona" in render_template_string(page)  # an imported macro's label
        with force_locale("en"):
            english = render_template_string(page)
        assert english.startswith("Sign in|") and "Next page" in english
        assert render_template_string(page).startswith("Zaloguj się|")


def test_only_views_with_a_limit_pay_for_the_rate_limiter(app):
    """Flask-Limiter resolves the limits of every endpoint on every request; views without a
    limit skip it. Every view given a limit with ``limiter.limit`` is still limited."""
    from iok_saas.auth import limits

    limited = {endpoint for endpoint, view in app.view_functions.items()
               if limits._name(view) in limits._LIMITED}
    assert {"auth.login", "auth.change_password", "auth.forgotten_password",
            "applications.apply"} <= limited
    assert "public.terms" not in limited and "public.home" not in limited
    for path, skipped in (("/regulamin", True), ("/logowanie", False), ("/wniosek", False)):
        with app.test_request_context(path):
            assert limits._unlimited() is skipped, path


def test_a_web_worker_loads_the_pdf_and_image_libraries_only_when_it_needs_them(tmp_path):
    """WeasyPrint, CairoSVG and pypdf are 35 MB a process: loaded at the first PDF, icon or
    upload, not by every web worker at start."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("IOK_")}
    env.update(IOK_ENV="development", IOK_INSTANCE_PATH=str(tmp_path))
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys; from iok_saas import create_app; create_app(); "
         "print(sorted(m for m in ('weasyprint', 'cairosvg', 'pypdf') if m in sys.modules))"],
        capture_output=True, text=True, env=env, check=True, timeout=120).stdout
    assert loaded.strip().splitlines()[-1] == "[]"


@pytest.fixture
def renders(app):
    """Counts templates rendered while the test runs."""
    from flask import template_rendered

    made = []

    def one(sender, template, context, **extra):
        made.append(template.name)

    template_rendered.connect(one, app)
    yield made
    template_rendered.disconnect(one, app)


def test_a_visitors_page_is_rendered_once_and_then_served_as_kept(app, baltyk, zw, renders):
    app.extensions["iok_page_cache"].clear()
    first = client_for(app, "baltyk.localhost").get("/regulamin")
    again = client_for(app, "baltyk.localhost").get("/regulamin")
    assert renders.count("public/terms.html") == 1
    assert again.get_data() == first.get_data() and again.status_code == 200
    assert again.headers["Content-Security-Policy"] and again.headers["X-Request-ID"]
    assert again.headers["X-Request-ID"] != first.headers["X-Request-ID"]
    assert "Set-Cookie" not in again.headers
    other = client_for(app, "zielone-wzgorza.localhost").get("/regulamin")  # its own page
    assert renders.count("public/terms.html") == 2
    assert "Zielone" in other.get_data(as_text=True) and other.get_data() != first.get_data()


def test_with_a_cookie_or_after_a_settings_change_the_page_is_made_again(app, baltyk, renders):
    from iok_saas.tenancy import services as tenant_services
    from tests.helpers import ROOT, run_cli

    app.extensions["iok_page_cache"].clear()
    visitor = client_for(app, "baltyk.localhost")
    visitor.get("/")
    english = client_for(app, "baltyk.localhost")
    english.post("/jezyk", data={"lang": "en", "next": "/"})  # a session cookie from now on
    assert "Online customer service" in english.get("/").get_data(as_text=True)
    assert renders.count("public/home.html") == 2
    run_cli(app, "tenants", "update", "baltyk", "office.phone=58 000 11 22")
    try:
        assert "58 000 11 22" in client_for(app, "baltyk.localhost").get("/").get_data(
            as_text=True)
        assert renders.count("public/home.html") == 3
    finally:
        with as_platform():
            tenant_services.sync_dir(ROOT / "tenants")


def test_signed_in_pages_and_pages_that_start_a_session_are_never_kept(app, baltyk, renders):
    app.extensions["iok_page_cache"].clear()
    for _ in range(2):
        client_for(app, "baltyk.localhost").get("/logowanie")  # its form starts a session
    assert renders.count("auth/login.html") == 2
    home = make_household(baltyk)
    client = client_for(app, "baltyk.localhost")
    client.login(home.identifier, home.password)
    assert home.street in client.get("/").get_data(as_text=True)
    assert home.street not in client_for(app, "baltyk.localhost").get("/").get_data(as_text=True)


def test_a_limit_on_a_whole_blueprint_still_applies_to_its_views(tmp_path, ctx):
    from flask import Blueprint

    from iok_saas import create_app
    from iok_saas.auth.limits import limiter
    from tests.helpers import app_settings

    app = create_app(app_settings(tmp_path, RATELIMIT_KEY_PREFIX=f"iok:rl:{tmp_path.name}"))
    bp = Blueprint("bench_limited", __name__)
    bp.get("/_limited")(lambda: "ok")
    limiter.limit("1 per day")(bp)
    app.register_blueprint(bp)
    client = client_for(app, "baltyk.localhost")
    assert [client.get("/_limited").status_code for _ in range(2)] == [200, 429]
