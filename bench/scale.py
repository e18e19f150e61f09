"""The platform at scale against a bare Flask app in the same gunicorn, driven by wrk.

    .venv/bin/python bench/scale.py                       # 100 cooperatives (~4 min to build)
    .venv/bin/python bench/scale.py --cooperatives 10 --repetitions 3 --seconds 5

A fresh database gets the dataset of ``bench/dataset.py``. Two gunicorn servers start with
``config/gunicorn.conf.py`` and the production settings (``IOK_ENV=production``, the app's
ordinary role under row-level security, Redis): the platform (``wsgi:app``) and the reference
(``bench/reference.py``, a Flask app answering ``ok``). For each page, in each repetition, wrk
(Debian's) drives the reference and then the page with the same connections and duration, so a
busier machine moves both; the report gives each page's requests per second as a share of the
reference's in the same repetition (median over repetitions), and its p99 latency. The pages:
an anonymous one with no SQL (the terms), a resident's home and financial record (a cooperative
in the middle of the platform), and the clerk's readings queue of the first cooperative (its
``--pending`` readings, a page at a time). Writes the Markdown to ``--out`` (default
``docs/benchmarks.md``) and prints it.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import ROLE, Database, machine, markdown_table, url  # noqa: E402
from bench.dataset import CLERK, PASSWORD, PREFIX, Size, build  # noqa: E402
from bench.gunicorn_workers import Server  # noqa: E402
from bench.page import Client  # noqa: E402

WRK = shutil.which("wrk") or "/usr/bin/wrk"
REDIS = os.environ.get("IOK_BENCH_REDIS", "redis://127.0.0.1:6379/13")


@dataclass
class Page:
    """One page under measurement: its path, who asks, what it must contain."""

    label: str
    host: str
    path: str
    marker: str
    cookie: str = ""
    ratios: list[float] = field(default_factory=list)
    rates: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)


def wrk(port: int, host: str, path: str, cookie: str, seconds: int,
        connections: int) -> tuple[float, float]:
    """(requests per second, p99 ms) of one wrk run; non-2xx answers stop the benchmark."""
    command = [WRK, "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency",
               "-H", f"Host: {host}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], capture_output=True,
                         text=True, timeout=seconds + 60, check=True).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"{host}{path}: answers other than 2xx\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", out).groups()
    return rate, float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def environment(database: Database, instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IOK_")}
    env.update({
        "IOK_ENV": "production", "IOK_SECRET_KEY": "bench-only-" + "x" * 40,
        "IOK_DATABASE_URL": url(ROLE, database.name), "IOK_REDIS_URL": REDIS,
        "IOK_INSTANCE_PATH": str(instance), "IOK_BASE_DOMAIN": "localhost",
        "IOK_URL_SCHEME": "http", "IOK_LOG_LEVEL": "WARNING",
        "IOK_CUSTOM_DOMAINS_CANONICAL": "0", "PYTHONPATH": str(ROOT),
        "IOK_LOGIN_LIMIT_PER_IP": "100000 per minute",
        "IOK_LOGIN_LIMIT_PER_TENANT_IP": "100000 per minute",
    })
    return env


def pages(database: Database, port: int, size: Size) -> list[Page]:
    """Sign in as a resident of the middle cooperative and the first one's clerk."""
    import psycopg

    middle = f"{PREFIX}{max(1, size.cooperatives // 2):03d}"
    with psycopg.connect(url("postgres", database.name, "postgresql")) as conn:
        identifier, unit_id, street = conn.execute(
            "SELECT a.identifier, ut.unit_id, b.street FROM user_account a "
            "JOIN tenant t ON t.id = a.tenant_id AND t.slug = %s "
            "JOIN unit_title ut ON ut.user_id = a.id JOIN unit u ON u.id = ut.unit_id "
            "JOIN building b ON b.id = u.building_id ORDER BY a.id LIMIT 1", (middle,)).fetchone()
    resident = Client(port, f"{middle}.localhost:{port}")
    resident.sign_in(identifier, PASSWORD)
    first = f"{PREFIX}001"
    clerk = Client(port, f"{first}.localhost:{port}")
    clerk.sign_in(CLERK, PASSWORD)
    return [
        Page("anonymous page, no SQL (/regulamin)", resident.host, "/regulamin", "Regulamin"),
        Page("resident home (/)", resident.host, "/", street, resident.cookie),
        Page(f"financial record, {size.years} years (/lokale/N)", resident.host,
             f"/lokale/{unit_id}", "Opłaty mieszkaniowe", resident.cookie),
        Page(f"staff readings queue, {size.pending} pending (a page of 200)", clerk.host,
             "/panel/odczyty/", "Odczyty do akceptacji", clerk.cookie),
    ]


def check(page: Page, port: int) -> None:
    """The page answers 200 with its marker (a wrong sign-in would measure a redirect)."""
    client = Client(port, page.host)
    status, _, body = client.request("GET", page.path, cookie=page.cookie or None)
    if status != 200 or page.marker.encode() not in body:
        raise RuntimeError(f"{page.label}: {status}, marker {page.marker!r} not found")


def report(measured: list[Page], reference: list[float], args, size: Size, built: float,
           load: str) -> str:
    heads = ("request", "req/s", "% of the bare Flask app's req/s", "p99 ms")
    rows = [("bare Flask app (bench/reference.py)", f"{statistics.median(reference):.0f}",
             "100 %", "")]
    for page in measured:
        rows.append((page.label, f"{statistics.median(page.rates):.1f}",
                     f"{statistics.median(page.ratios) * 100:.2f} %",
                     f"{statistics.median(page.p99):.0f}"))
    return "\n".join([
        "# Benchmarks at platform scale", "",
        "Made by `bench/scale.py` (see its docstring); every figure is a median over "
        "repetitions, each page measured right after the reference in the same repetition.", "",
        f"{machine()} · load average before the run {load} · gunicorn "
        f"`config/gunicorn.conf.py`, IOK_ENV=production, Redis, the app's role under RLS · "
        f"wrk, {args.connections} connections, {args.seconds} s a run, {args.repetitions} "
        f"repetitions, interleaved", "",
        f"Dataset (`bench/dataset.py`, built in {built:.0f} s): {size.cooperatives} "
        f"cooperatives × {size.units} units, 1.3 residents a unit, {size.years} years of "
        f"monthly charges and payments, two meters a unit with {size.readings} readings, "
        f"{size.pending} readings waiting in the first cooperative.", "",
        *markdown_table(heads, rows), ""])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in Size.__dataclass_fields__.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=default.default)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args(argv)
    size = Size(**{name: getattr(args, name) for name in Size.__dataclass_fields__})
    load = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    with Database() as database:
        started = time.monotonic()
        build(database.name, size)
        built = time.monotonic() - started
        env = environment(database, database.instance)
        app = Server("platform", [], app="wsgi:app")
        bare = Server("reference", [], app="bench.reference:app")
        try:
            for server in (app, bare):
                server.start(env)
            for server in (app, bare):
                server.wait_ready()
            measured = pages(database, app.port, size)
            for page in measured:
                check(page, app.port)
            reference = []
            for repetition in range(args.repetitions + 1):  # the first one warms up
                for page in measured:
                    bare_rate, _ = wrk(bare.port, page.host, page.path, "", args.seconds,
                                       args.connections)
                    rate, p99 = wrk(app.port, page.host, page.path, page.cookie, args.seconds,
                                    args.connections)
                    if repetition:
                        reference.append(bare_rate)
                        page.rates.append(rate)
                        page.ratios.append(rate / bare_rate)
                        page.p99.append(p99)
                    print(f"{repetition} {page.label}: {rate:.1f} req/s vs {bare_rate:.0f}",
                          flush=True)
        finally:
            for server in (app, bare):
                server.stop()
    text = report(measured, reference, args, size, built, load)
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
