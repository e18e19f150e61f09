"""Logs: one line per event, with the cooperative and the request it belongs to.

Every record becomes one line of ``key=value`` pairs (time, level, logger, cooperative,
request id, message). Carriage returns, line feeds and other control characters anywhere in it
are escaped, so nothing a person types can forge a line; a traceback is kept on the same line.
Account numbers, bearer tokens and ``password=``-like values are masked. Each request gets an
id (the one nginx passes in ``X-Request-ID`` when it looks like one) that its response carries
back, and one ``request`` line with the route's pattern — never the path itself, which may
hold a reset token.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request
from flask.wrappers import Response

from iok_saas.tenancy.context import current_tenant_id
from iok_saas.web import metrics

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_SECRETS = (
    (re.compile(r"(?<!\d)(?:\d[ -]?){25}\d(?!\d)"), "[account number]"),
    (re.compile(r"(?i)\bbearer\s+\S+"), "Bearer [token]"),
    (re.compile(r"(?i)\b(password|passwd|haslo|hasło|token|secret)=\S+"), r"\1=[hidden]"),
)
QUIET = ("weasyprint", "fontTools")
log = logging.getLogger("iok.request")


def clean(text: str) -> str:
    """The text safe for one log line: secrets masked, control characters escaped."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return _CONTROL.sub(lambda m: {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(
        m.group(), f"\\x{ord(m.group()):02x}"), text)


class Context(logging.Filter):
    """Adds the cooperative (slug in a request, id in a job) and the request id."""

    def filter(self, record: logging.LogRecord) -> bool:
        tenant = g.get("tenant") if has_request_context() else None
        record.tenant = tenant.slug if tenant else (current_tenant_id() or "-")
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class OneLine(logging.Formatter):
    """``time=… level=… logger=… tenant=… request=… msg="…"`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info:
            message += " | " + self.formatException(record.exc_info)
        return (f"time={self.formatTime(record, '%Y-%m-%dT%H:%M:%S')} level={record.levelname} "
                f"logger={record.name} tenant={getattr(record, 'tenant', '-')} "
                f"request={getattr(record, 'request_id', '-')} msg=\"{clean(message)}\"")


def _install(level: str) -> None:
    """One handler on the root logger, however many apps a process builds (tests, CLI)."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, OneLine) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(OneLine())
    handler.addFilter(Context())
    root.addHandler(handler)
    root.setLevel(level)
    for chatty in QUIET:  # progress notes of libraries, not events
        logging.getLogger(chatty).setLevel(logging.WARNING)


def _start() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    took = time.perf_counter() - g.get("request_started", time.perf_counter())
    route = request.url_rule.rule if request.url_rule else "-"
    log.info("request method=%s route=%s status=%s ms=%.1f", request.method, route,
             response.status_code, took * 1000)
    metrics.observe_request(request.method, route, response.status_code, took)
    return response


def init_app(app: Flask) -> None:
    """One-line logs for the app's processes; a request id and a ``request`` line each."""
    _install(app.config.get("LOG_LEVEL", "INFO"))
    app.before_request(_start)
    app.after_request(_finish)
