"""nginx in front of gunicorn, for real on loopback: idle slow clients cannot take the site
down, the cooperative comes from the forwarded host, nginx refuses an oversized upload, e-mail
links use https and the cooperative's own domain, /metrics adds up every gunicorn worker and is
not served through nginx."""

from __future__ import annotations

import http.client
import re
import shutil
import socket
import ssl
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from config.nginx import render
from iok_saas.db import db
from iok_saas.mail.models import OutboxMessage
from iok_saas.tenancy import tenant_context
from tests.factories import make_household
from tests.fixtures.mail import free_port, worker_env
from tests.helpers import ROOT, as_platform, metric_samples, poll

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
METRICS_TOKEN = "front-metrics-token"


def _answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture
def front(app, ctx, tmp_path):
    """gunicorn (two sync workers, the production config) behind nginx (the shipped site)."""
    app_port, https_port, http_port = free_port(), free_port(), free_port()
    env = worker_env(app.config, IOK_BIND=f"127.0.0.1:{app_port}", IOK_WEB_WORKERS="2",
                     IOK_PROXY_X_FOR="1", IOK_PROXY_X_PROTO="1", IOK_IMPORT_MAX_MB="1",
                     IOK_SECRET_KEY="front-test", IOK_METRICS_TOKEN=METRICS_TOKEN,
                     IOK_URL_SCHEME="https", IOK_CUSTOM_DOMAINS_CANONICAL="1",
                     PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"))
    gunicorn = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "-c",
                                 "config/gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    key, cert = tmp_path / "tls.key", tmp_path / "tls.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    (tmp_path / "logs").mkdir()
    site = render(upstream=f"127.0.0.1:{app_port}", http_listen=f"127.0.0.1:{http_port}",
                  https_listen=f"127.0.0.1:{https_port}", certificate=str(cert),
                  certificate_key=str(key), import_body="2m")
    (tmp_path / "nginx.conf").write_text(
        "worker_processes 1;\npid nginx.pid;\nerror_log logs/error.log;\n"
        "events { worker_connections 1024; }\n"
        "http {\n include /etc/nginx/mime.types;\n access_log off;\n"
        " client_body_temp_path tmp_body;\n proxy_temp_path tmp_proxy;\n"
        f"{site}\n}}\n")
    nginx = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", "nginx.conf", "-g",
                              "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert poll(lambda: _answers(app_port) and _answers(https_port), seconds=30)
        yield {"https": https_port, "app": app_port}
    finally:
        nginx.terminate()
        gunicorn.terminate()
        nginx.wait(10)
        gunicorn.wait(10)


def _get(port: int, host: str, path: str = "/", *, tls: bool = True, timeout: float = 10,
         method: str = "GET", body: bytes | None = None, headers: dict | None = None):
    if tls:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout,
                                                 context=context)
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.request(method, path, body=body, headers={"Host": host, **(headers or {})})
    response = connection.getresponse()
    return response.status, dict(response.getheaders()), response.read().decode(errors="replace")


def _idle_clients(port: int, count: int, *, tls: bool) -> list:
    """Clients that connect and start a request, then say nothing more."""
    held = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port))
        if tls:
            context = ssl.create_default_context()
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
            sock = context.wrap_socket(sock)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: baltyk.localhost\r\n")
        held.append(sock)
    return held


def test_idle_slow_clients_do_not_stop_the_site_behind_nginx(front):
    held = _idle_clients(front["https"], 200, tls=True)
    try:
        status, headers, page = _get(front["https"], "baltyk.localhost")
        assert status == 200 and "Bałtyk" in page
        assert headers["Strict-Transport-Security"].startswith("max-age=")
        assert len(headers["X-Request-ID"]) == 32  # nginx's request id, passed to the app
    finally:
        for sock in held:
            sock.close()


def test_without_nginx_two_idle_clients_take_the_site_down(front):
    """The fault nginx removes: two sync workers, two idle connections, nobody is served."""
    held = _idle_clients(front["app"], 2, tls=False)
    try:
        with pytest.raises(TimeoutError):
            _get(front["app"], "baltyk.localhost", tls=False, timeout=3)
    finally:
        for sock in held:
            sock.close()


def test_the_cooperative_comes_from_the_forwarded_host_and_static_files_are_cached(front):
    status, _, page = _get(front["https"], "zielone-wzgorza.localhost")
    assert status == 200 and "Zielone Wzgórza" in page
    assert _get(front["https"], "nieznana.localhost")[0] == 404
    status, headers, _ = _get(front["https"], "baltyk.localhost", "/static/css/app.css")
    assert status == 200 and "max-age=2592000" in headers["Cache-Control"]


def test_nginx_refuses_an_oversized_upload_with_413(front):
    status, headers, _ = _get(front["https"], "baltyk.localhost", "/api/v1/import/buildings",
                              method="POST", body=b"x" * (3 * 1024 * 1024))
    assert status == 413 and headers.get("Server", "").startswith("nginx")


def _form_post(port: int, host: str, path: str, fields: dict[str, str]) -> int:
    """GET a form through nginx (session cookie, CSRF token), then POST it: the status."""
    _, headers, page = _get(port, host, path)
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    status, _, _ = _get(port, host, path, method="POST",
                        body=urlencode({"csrf_token": token, **fields}).encode(),
                        headers={"Cookie": cookie,
                                 "Content-Type": "application/x-www-form-urlencoded",
                                 "Referer": f"https://{host}{path}"})
    return status


def _link(tenant, template: str) -> str:
    with tenant_context(tenant.id):
        [message] = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.template == template)).all()
    db.session.remove()
    return message.context["link"]


def test_email_links_use_https_and_the_cooperatives_own_domain(front, zw, baltyk):
    """Asked through nginx on the platform host, the link goes to the cooperative's own
    address over https: its custom domain where it has one."""
    from iok_saas.tenancy import services

    home = make_household(baltyk)
    with as_platform():
        services.update_tenant("baltyk", ["accounts.forgotten_password=email"])
    try:
        assert _form_post(front["https"], "baltyk.localhost", "/nie-pamietam-hasla",
                          {"identifier": home.identifier}) == 302
        assert _link(baltyk, "password_reset").startswith("https://iok.smbaltyk.pl/")
    finally:
        with as_platform():
            services.update_tenant("baltyk", ["accounts.forgotten_password=paper"])
    estate = make_household(zw, units=2)
    assert _form_post(front["https"], "zielone-wzgorza.localhost", "/wniosek", {
        "first_name": "Marian", "last_name": "Wnioskowy", "building": str(estate.building_id),
        "unit_number": "2", "title_kind": "cooperative_ownership", "email": "m@example.org",
        "phone": "600 700 800", "accept": "y"}) == 302
    assert _link(zw, "application_confirm").startswith(
        "https://zielone-wzgorza.localhost/wniosek/potwierdz/")


def test_metrics_add_up_every_gunicorn_worker_and_are_not_served_through_nginx(front):
    for _ in range(12):  # spread over both workers
        assert _get(front["https"], "baltyk.localhost", "/logowanie")[0] == 200
    assert _get(front["https"], "baltyk.localhost", "/metrics",
                headers={"Authorization": f"Bearer {METRICS_TOKEN}"})[0] == 404
    assert _get(front["app"], "127.0.0.1", "/metrics", tls=False)[0] == 404  # no token
    status, headers, text = _get(front["app"], "127.0.0.1", "/metrics", tls=False,
                                 headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    samples = metric_samples(text)
    key = (("method", "GET"), ("route", "/logowanie"), ("status", "200"))
    assert samples[("iok_http_requests_total", key)] == 12
    assert samples[("iok_http_request_duration_seconds_count", (("route", "/logowanie"),))] == 12
    assert samples[("iok_queue_up", ())] == 1
