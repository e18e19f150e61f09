"""nginx in front of gunicorn, for real on loopback: idle slow clients cannot take the site
down, the cooperative comes from the forwarded host, nginx refuses an oversized upload, e-mail
links use https and the cooperative's own domain, /metrics adds up every gunicorn worker and is
not served through nginx."""

from __future__ import annotations

import http.client
import os
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
    return _start_front(app, tmp_path, IOK_IMPORT_MAX_MB="1", IOK_METRICS_TOKEN=METRICS_TOKEN,
                        IOK_CUSTOM_DOMAINS_CANONICAL="1",
                        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"))


def _start_front(app, tmp_path, locations: str = "", **env_extra: str) -> dict[str, int]:
    """gunicorn behind nginx (the shipped site, with ``locations`` for the routes that take
    files): the ports; both are stopped at the end of the test."""
    app_port, https_port, http_port = free_port(), free_port(), free_port()
    env = worker_env(app.config, IOK_BIND=f"127.0.0.1:{app_port}", IOK_WEB_WORKERS="2",
                     IOK_PROXY_X_FOR="1", IOK_PROXY_X_PROTO="1", IOK_SECRET_KEY="front-test",
                     IOK_URL_SCHEME="https", **env_extra)
    gunicorn = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "-c",
                                 "config/gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _STARTED.append(gunicorn)
    key, cert = tmp_path / "tls.key", tmp_path / "tls.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    (tmp_path / "logs").mkdir(exist_ok=True)
    site = render(upstream=f"127.0.0.1:{app_port}", http_listen=f"127.0.0.1:{http_port}",
                  https_listen=f"127.0.0.1:{https_port}", certificate=str(cert),
                  certificate_key=str(key), import_body="2m", upload_locations=locations)
    # As root (CI), nginx's workers would drop to nobody and could not write large bodies
    # into the test's private folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid nginx.pid;\nerror_log logs/error.log;\n"
        "events { worker_connections 1024; }\n"
        "http {\n include /etc/nginx/mime.types;\n access_log off;\n"
        " client_body_temp_path tmp_body;\n proxy_temp_path tmp_proxy;\n"
        f"{site}\n}}\n")
    nginx = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", "nginx.conf", "-g",
                              "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _STARTED.append(nginx)
    assert poll(lambda: _answers(app_port) and _answers(https_port), seconds=30)
    return {"https": https_port, "app": app_port}


_STARTED: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def _stop_started():
    yield
    while _STARTED:
        process = _STARTED.pop()
        process.terminate()
        process.wait(10)


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


def _padded_pdf(size: int) -> bytes:
    """A real one-page PDF of about ``size`` bytes (its metadata padded)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Załącznik", "/Subject": "x" * max(size - 1200, 0)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class _Browser:
    """A resident's cookies through nginx, on a port other than 443: the Host and the Referer
    carry the port, as a browser sends them."""

    def __init__(self, port: int, host: str) -> None:
        self.port, self.host, self.cookies = port, f"{host}:{port}", {}

    def request(self, path: str, *, method: str = "GET", body: bytes | None = None,
                content_type: str | None = None):
        headers = {"Referer": f"https://{self.host}{path}",
                   "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if content_type:
            headers["Content-Type"] = content_type
        status, answer, page = _get(self.port, self.host, path, method=method, body=body,
                                    headers=headers, timeout=60)
        for name, value in answer.items():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return status, answer, page

    def form(self, path: str) -> dict[str, str]:
        _, _, page = self.request(path)
        return dict(re.findall(r'name="(csrf_token|submission)" (?:type="hidden" )?'
                               r'value="([^"]*)"', page))

    def post(self, path: str, fields: dict[str, str],
             files: list[tuple[str, str, bytes]] = ()):
        boundary = "iok-test-boundary"
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                 .encode() for k, v in fields.items()]
        parts += [f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
                  f'filename="{name}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
                  + data + b"\r\n" for field, name, data in files]
        return self.request(path, method="POST", body=b"".join(parts)
                            + f"--{boundary}--\r\n".encode(),
                            content_type=f"multipart/form-data; boundary={boundary}")


def test_every_route_that_takes_files_gets_the_apps_own_limit_in_nginx(app, zw, baltyk):
    from config.nginx import OWN_LOCATION, upload_locations
    from iok_saas.files.uploads import body_limit, rule_regex, upload_routes
    from iok_saas.tenancy.info import get_tenant_info

    site = upload_locations(app)
    settings = [get_tenant_info(t.id).settings for t in (zw, baltyk)]
    routes = [r for r in upload_routes(app) if not r[0].startswith(OWN_LOCATION)]
    assert {"correspondence.new", "staff_correspondence.case", "faults.new"} <= {
        endpoint for _rule, endpoint, _limit in routes}
    for rule, endpoint, limit in routes:
        megabytes = -(-body_limit(app, limit, settings) // (1 << 20))
        assert (f"location ~ {rule_regex(rule)} {{  # {endpoint}\n"
                f"        client_max_body_size {megabytes}m;") in site, endpoint
    assert "client_max_body_size 51m;" in site  # letters: 5 attachments of 10 MB


def test_a_letters_attachments_up_to_the_limit_go_through_nginx_and_more_gets_the_apps_413(
        app, zw, tmp_path):
    """Behind nginx on a port other than 443 (the Host keeps its port, so the Referer check
    passes): five attachments of almost 10 MB each are stored; a body over the route's limit
    gets the cooperative's Polish page saying the limit, not nginx's bare English one."""
    from sqlalchemy import func

    from config.nginx import upload_locations
    from iok_saas.cases.models import CaseAttachment
    from tests.helpers import in_tenant

    home = make_household(zw)
    port = _start_front(app, tmp_path, upload_locations(app))["https"]
    browser = _Browser(port, "zielone-wzgorza.localhost")
    assert browser.request("/logowanie")[0] == 200
    token = browser.form("/logowanie")["csrf_token"]
    status, _, _ = browser.request("/logowanie", method="POST", body=urlencode({
        "csrf_token": token, "identifier": home.identifier, "password": home.password}).encode(),
        content_type="application/x-www-form-urlencoded")
    assert status == 302, "a sign-in through nginx on its own port is accepted"
    fields = {**browser.form("/sprawy/nowa"), "topic": "inna sprawa",
              "unit": str(home.unit_ids[0]), "subject": "Dokumenty", "body": "W załączeniu."}
    almost = 10 * (1 << 20) - 64 * 1024
    status, headers, _ = browser.post("/sprawy/nowa", fields, [
        ("attachments", f"skan-{n}.pdf", _padded_pdf(almost)) for n in range(5)])
    assert status == 302 and "/sprawy/" in headers["Location"]
    with in_tenant(zw):
        stored = db.session.scalar(select(func.count()).select_from(CaseAttachment))
    assert stored == 5
    status, page = _declared(port, browser.host, "/sprawy/nowa", 52 << 20)
    assert status == 413
    assert "50 MB" in page and "Zielone Wzgórza" in page and "Request Entity" not in page


def test_each_upload_route_lets_its_limit_through_nginx_and_refuses_more_with_its_page(
        app, zw, tmp_path):
    """For every route that takes files: a body just over nginx's limit for it gets the app's
    Polish 413 page with that route's limit — never nginx's own; a body just under each size of
    limit reaches the app (which answers as it does for anyone not signed in)."""
    from config.nginx import OWN_LOCATION, upload_locations
    from iok_saas.files.uploads import FORM_ROOM, body_limit, upload_routes

    settings = [_settings_of(zw)]
    port = _start_front(app, tmp_path, upload_locations(app, settings))["https"]
    host = f"zielone-wzgorza.localhost:{port}"
    sent_under: set[int] = set()
    for rule, endpoint, limit in upload_routes(app):
        if rule.startswith(OWN_LOCATION):
            continue
        path = re.sub(r"<(?:\w+(?:\([^)]*\))?:)?\w+>", "1", rule)
        allowed = -(-body_limit(app, limit, settings) // (1 << 20)) << 20
        if allowed not in sent_under:  # a whole body once per size of limit (seconds each)
            sent_under.add(allowed)
            under, _, _ = _get(port, host, path, method="POST", body=b"x" * (allowed - 4096),
                               headers={"Content-Type": "application/octet-stream"},
                               timeout=60)
            assert under != 413, f"{endpoint}: nginx refused a body under its limit"
        over, page = _declared(port, host, path, allowed + (1 << 20))
        files_alone = -(-(body_limit(app, limit, settings) - FORM_ROOM) // (1 << 20))
        assert over == 413 and "Zielone Wzgórza" in page, endpoint
        assert f"{files_alone} MB" in page, endpoint
        assert "Request Entity" not in page, endpoint


def _declared(port: int, host: str, path: str, length: int) -> tuple[int, str]:
    """A POST that declares a body of ``length`` bytes and sends none of it: nginx answers from
    the declared length alone (as it does a browser's oversized upload, before reading it)."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=30)) as sock:
        sock.sendall(f"POST {path} HTTP/1.0\r\nHost: {host}\r\nContent-Length: {length}\r\n"
                     "Content-Type: application/octet-stream\r\nConnection: close\r\n\r\n"
                     .encode())
        answer = b""
        while b"\r\n\r\n" not in answer and (chunk := sock.recv(65536)):
            answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        # Read what the page holds, not until nginx gives up waiting for the declared body.
        while length and len(body) < int(length.group(1)) and (chunk := sock.recv(65536)):
            body += chunk
    return int(head.split()[1]), body.decode(errors="replace")


def _settings_of(tenant):
    from iok_saas.tenancy.info import get_tenant_info

    return get_tenant_info(tenant.id).settings
