"""Logs: one line per event with the cooperative and the request id; input cannot forge a
line; secrets are masked; a reset token in the path never reaches the log."""

from __future__ import annotations

import io
import logging

from iok_saas.web.logs import Context, OneLine, clean


def _line(message: str, *args) -> str:
    record = logging.LogRecord("iok.test", logging.WARNING, __file__, 1, message, args, None)
    Context().filter(record)
    return OneLine().format(record)


def test_a_line_break_in_input_cannot_forge_a_line(ctx):
    line = _line("sign-in failed for %s", "jan\r\nlevel=INFO msg=\"admin signed in\"")
    assert "\n" not in line and "\r" not in line
    assert "jan\\r\\nlevel=INFO" in line and line.startswith("time=")


def test_secrets_are_masked():
    assert clean("konto 61 1090 1014 0000 0712 1981 2874 ok") == "konto [account number] ok"
    assert clean("Authorization: Bearer abc.DEF-123") == "Authorization: Bearer [token]"
    assert clean("login password=Tajne123 next") == "login password=[hidden] next"


def test_each_request_has_an_id_and_one_line_with_the_route_not_the_path(zw_client):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)  # as the app's own handler: filter, then format
    handler.setFormatter(OneLine())
    handler.addFilter(Context())
    logger = logging.getLogger("iok.request")
    logger.addHandler(handler)
    level, logger.level = logger.level, logging.INFO
    try:
        answer = zw_client.get("/nowe-haslo/SEKRETNY-TOKEN-123", headers={"X-Request-ID": "abc-1"})
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert answer.headers["X-Request-ID"] == "abc-1"
    [line] = stream.getvalue().splitlines()
    assert "route=/nowe-haslo/<token>" in line and "SEKRETNY" not in line
    assert "tenant=zielone-wzgorza" in line and "request=abc-1" in line


def test_a_forged_request_id_is_replaced(zw_client):
    for forged in ("a b; msg=<script>", "x" * 65, "zażółć"):
        given = zw_client.get("/", headers={"X-Request-ID": forged}).headers["X-Request-ID"]
        assert given != forged and len(given) == 32 and given.isalnum()
