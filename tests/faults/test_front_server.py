"""nginx in front of gunicorn, for real on loopback: idle slow clients cannot take the site
down, the cooperative comes from the forwarded host, nginx refuses an oversized upload."""

from __future__ import annotations

import http.client
import shutil
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import pytest

from config.nginx import render
from tests.fixtures.mail import free_port, worker_env
from tests.helpers import ROOT, poll

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


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
                     IOK_SECRET_KEY="front-test")
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
         method: str = "GET", body: bytes | None = None):
    if tls:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout,
                                                 context=context)
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.request(method, path, body=body, headers={"Host": host})
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
