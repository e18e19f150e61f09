"""A resident's pages against a bare Flask route served by the same server, in one run.

    .venv/bin/python bench/page.py [--requests 300] [--years 10] [--clients 2]

A fresh database (``bench.common.Database``: migrated, both cooperatives from ``tenants/``, the
app connecting as an ordinary role under row-level security), one Bałtyk resident holding a
unit with ``--years`` of monthly history (five charge components and a payment a month), then
the app served by Werkzeug's multi-threaded server on 127.0.0.1 with one extra route,
``/_bench/bare``, added here only. The client signs in through the real form (CSRF token, then
POST) and sends batches of requests to the bare route, the home page and the unit's financial
record in turn, so all three see the same conditions. Reports p50/p95 latency, requests/s and
both against the bare route.

A quick check of one change, not the platform's cost: the development server, the test
configuration, no Redis, an almost empty database, and a "bare" route inside the app's own
pipeline understate a page's cost (bench/README.md). ``bench/scale.py`` gives the figures.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

from werkzeug.serving import WSGIRequestHandler, make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import SLUG, TOKEN, Database, machine, markdown_table  # noqa: E402

IDENTIFIER, PASSWORD = "BENCH-0001", "Pomiar2026x"
STREET = "ul. Pomiarowa"
ACCOUNT = "Opłaty mieszkaniowe (czynsz)"
BARE_PATH = "/_bench/bare"
HTTP_TIMEOUT = 30.0


def months_back(count: int) -> list[date]:
    """The first day of the last ``count`` months, oldest first, this month last."""
    today = date.today()
    now = today.year * 12 + today.month - 1
    return [date(m // 12, m % 12 + 1, 1) for m in range(now - count + 1, now + 1)]


def entry(account_id: int, external_id: str, booked_on: date, document_no: str, component: str,
          *, charge: Decimal = Decimal(0), payment: Decimal = Decimal(0)) -> dict:
    """One ledger row for a bulk insert."""
    return {"account_id": account_id, "external_id": external_id, "booked_on": booked_on,
            "due_on": booked_on.replace(day=15) if charge else None,
            "period": booked_on.strftime("%Y-%m"), "document_no": document_no,
            "component": component, "description": component, "charge": charge,
            "payment": payment}


def add_resident(database: Database, years: int) -> tuple[int, int]:
    """The resident, their unit and its fees account with ``years`` of history: (unit id, rows)."""
    from sqlalchemy import insert

    from iok_saas.auth.models import RESIDENT, User
    from iok_saas.auth.passwords import hash_password
    from iok_saas.cli.demo import COMPONENTS, HEATING, demo_nrb
    from iok_saas.db import db
    from iok_saas.estate.models import Building, Unit, UnitTitle
    from iok_saas.finance.models import Account, LedgerEntry
    from iok_saas.tenancy.context import tenant_context

    with database.app().app_context(), tenant_context(database.tenant_id):
        unit = Unit(number="12")
        building = Building(street=STREET, number="7", postal_code="81-001", city="Gdynia",
                            units=[unit])
        user = User(identifier=IDENTIFIER, first_name="Ewa", last_name="Pomiarowa",
                    role=RESIDENT, password_hash=hash_password(PASSWORD),
                    must_change_password=False)
        db.session.add_all([building, user, UnitTitle(unit=unit, user=user,
                                                      since=date(2000, 1, 1))])
        db.session.flush()
        account = Account(external_id=f"FK-{unit.id}", unit_id=unit.id, name=ACCOUNT,
                          nrb=demo_nrb(database.tenant_id, unit.id))
        db.session.add(account)
        db.session.flush()
        rows = []
        for month in months_back(years * 12):
            period, total = month.strftime("%Y-%m"), Decimal(0)
            for number, (component, base, heating) in enumerate(COMPONENTS):
                amount = base + (heating if month.month in HEATING else 0)
                total += amount
                rows.append(entry(account.id, f"N-{period}-{number}", month,
                                  f"NAL/{period}/{unit.id}", component, charge=amount))
            rows.append(entry(account.id, f"W-{period}", month.replace(day=10),
                              f"WB/{period}/{unit.id}", "wpłata", payment=total))
        db.session.execute(insert(LedgerEntry), rows)
        db.session.commit()
        unit_id = unit.id
        db.session.remove()
    return unit_id, len(rows)


class QuietHandler(WSGIRequestHandler):
    """No access log on the console (it would cost as much as the bare route)."""

    def log_request(self, *args, **kwargs) -> None:
        pass


# --- the client --------------------------------------------------------------------------------

@dataclass
class Client:
    """Keep-alive HTTP/1.1 to 127.0.0.1 with the cooperative's Host; one connection a thread."""

    port: int
    host: str
    cookie: str = ""
    local: threading.local = field(default_factory=threading.local)

    def _connection(self) -> http.client.HTTPConnection:
        if getattr(self.local, "conn", None) is None:
            self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                         timeout=HTTP_TIMEOUT)
        return self.local.conn

    def request(self, method: str, path: str, body: str | None = None, *,
                cookie: str | None = None) -> tuple[int, dict[str, list[str]], bytes]:
        """(status, headers by lower-case name, body); one retry on a closed connection."""
        headers = {"Host": self.host}
        if cookie:
            headers["Cookie"] = cookie
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):  # the server may close an idle keep-alive connection
            conn = self._connection()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (http.client.HTTPException, ConnectionError):
                conn.close()
                self.local.conn = None
                if attempt == 2:
                    raise
                continue
            found: dict[str, list[str]] = {}
            for name, value in response.getheaders():
                found.setdefault(name.lower(), []).append(value)
            return response.status, found, data
        raise AssertionError("unreachable")

    def sign_in(self, identifier: str = IDENTIFIER, password: str = PASSWORD) -> None:
        """GET the form, take the session cookie and CSRF token, POST the credentials."""
        status, headers, data = self.request("GET", "/logowanie")
        assert status == 200, f"GET /logowanie: {status}"
        cookie = session_cookie(headers)
        token = TOKEN.search(data.decode())
        assert token, "no CSRF token on /logowanie"
        form = urlencode({"csrf_token": token.group(1), "identifier": identifier,
                          "password": password})
        status, headers, _ = self.request("POST", "/logowanie", form, cookie=cookie)
        assert status == 302, f"POST /logowanie: {status} (wrong credentials or CSRF?)"
        self.cookie = session_cookie(headers) or cookie


def session_cookie(headers: dict[str, list[str]]) -> str:
    """The ``Cookie`` header value that sends back what ``Set-Cookie`` set."""
    return "; ".join(value.split(";", 1)[0] for value in headers.get("set-cookie", []))


@dataclass
class Target:
    """One page under measurement, what its body must contain, and its timings."""

    label: str
    path: str
    marker: bytes
    signed_in: bool
    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0


def hit(client: Client, target: Target) -> float:
    """One request's latency in seconds; a wrong status or body stops the run."""
    started = time.perf_counter()
    status, _, data = client.request("GET", target.path,
                                     cookie=client.cookie if target.signed_in else None)
    elapsed = time.perf_counter() - started
    if status != 200 or target.marker not in data:
        raise RuntimeError(f"{target.path}: HTTP {status}, marker {target.marker!r} "
                           f"{'found' if target.marker in data else 'missing'}")
    return elapsed


def measure(client: Client, targets: list[Target], requests: int, warmup: int, clients: int,
            batch: int) -> None:
    """Warm up, then send each target ``batch`` requests in turn until each has ``requests``."""
    with ThreadPoolExecutor(max_workers=clients) as pool:
        for target in targets:
            list(pool.map(lambda _, t=target: hit(client, t), range(warmup)))
        done = 0
        while done < requests:
            size = min(batch, requests - done)
            for target in targets:
                started = time.perf_counter()
                target.latencies.extend(pool.map(lambda _, t=target: hit(client, t),
                                                 range(size)))
                target.wall += time.perf_counter() - started
            done += size


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` 0.5 = median)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(targets: list[Target], config: str) -> str:
    """A Markdown table: latency, throughput and both as a multiple of the bare route's."""
    bare = targets[0]
    bare_p50, bare_rate = percentile(bare.latencies, 0.5), len(bare.latencies) / bare.wall
    heads = ("request", "n", "p50 ms", "p95 ms", "mean ms", "req/s", "p50 ÷ bare p50",
             "bare req/s ÷ req/s")
    rows = []
    for t in targets:
        p50, p95 = percentile(t.latencies, 0.5), percentile(t.latencies, 0.95)
        rate = len(t.latencies) / t.wall
        rows.append((t.label, str(len(t.latencies)), f"{p50 * 1000:.2f}", f"{p95 * 1000:.2f}",
                     f"{statistics.fmean(t.latencies) * 1000:.2f}", f"{rate:.1f}",
                     f"{p50 / bare_p50:.2f}", f"{bare_rate / rate:.2f}"))
    return "\n".join([config, "", *markdown_table(heads, rows)])


def bounded(low: int, high: int):
    """An argparse type: a whole number from ``low`` to ``high`` (every loop stays finite)."""
    def parse(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}")
        return value
    return parse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=bounded(1, 100_000), default=300,
                        help="measured requests per page (default 300)")
    parser.add_argument("--years", type=bounded(1, 50), default=10,
                        help="years of monthly ledger history (default 10)")
    parser.add_argument("--warmup", type=bounded(0, 10_000), default=20,
                        help="unmeasured requests per page first (default 20)")
    parser.add_argument("--clients", type=bounded(1, 64), default=2,
                        help="concurrent keep-alive connections (default 2)")
    parser.add_argument("--batch", type=bounded(1, 1_000), default=10,
                        help="requests to one page before the next page's turn (default 10)")
    args = parser.parse_args(argv)

    with Database() as database:
        print(f"{database.name}: loading {args.years} years of history…", flush=True)
        unit_id, rows = add_resident(database, args.years)
        app = database.app()
        app.add_url_rule(BARE_PATH, "bench_bare", lambda: "ok")
        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
        thread = threading.Thread(target=server.serve_forever, name="bench-server", daemon=True)
        thread.start()
        try:
            client = Client(server.server_port, f"{SLUG}.localhost:{server.server_port}")
            client.sign_in()
            targets = [
                Target(f"bare route {BARE_PATH}", BARE_PATH, b"ok", signed_in=False),
                Target("home /", "/", STREET.encode(), signed_in=True),
                Target(f"financial record /lokale/{unit_id}", f"/lokale/{unit_id}",
                       ACCOUNT.encode(), signed_in=True),
            ]
            measure(client, targets, args.requests, args.warmup, args.clients, args.batch)
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
    config = (f"{machine()} · Werkzeug threaded server in-process · {args.clients} clients, "
              f"keep-alive, batches of {args.batch} · {args.years} years = {rows} ledger rows")
    print(report(targets, config))
    return 0


if __name__ == "__main__":
    sys.exit(main())
