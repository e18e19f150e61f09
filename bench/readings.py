"""The monthly peak: a reading submitted for every unit of a 10 000-unit cooperative.

    .venv/bin/python bench/readings.py [--units 10000] [--clients 4]

A fresh database gets one cooperative (Bałtyk's file: readings accepted every day) with
``--units`` units, each with a resident and a cold-water meter with two accepted readings.
The app is served by Werkzeug's threaded server in this process. Each resident opens the meter's
page (GET: the form and its CSRF token) and submits a reading (POST), as the browser does; the
bare route ``/_bench/bare`` is hit in between, batch by batch, so both see the same machine.
Residents' sessions are signed with the app's key instead of 10 000 sign-ins (Argon2 would cost
more than the whole run; sign-in has its own tests). Every submission must be accepted (302)
and, at the end, every unit must have exactly one pending reading.

A check of the submission's correctness under load (10 000 in a row, one pending each), not its
speed of record: the development server and a "bare" route inside the app understate the cost.
The reading submission's figure is ``bench/scale.py``'s (gunicorn, production settings, wrk).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from werkzeug.serving import make_server  # noqa: E402

from bench.common import TOKEN, Database, signed_in_devices  # noqa: E402
from bench.page import Client, QuietHandler, bounded, percentile, session_cookie  # noqa: E402

BATCH = 100


def populate(database: Database, units: int) -> list[tuple[int, int]]:
    """``units`` units with a resident and a meter each: [(user id, meter id)…]."""
    from sqlalchemy import insert, select

    from iok_saas.auth.models import RESIDENT, User
    from iok_saas.auth.passwords import hash_password
    from iok_saas.db import db
    from iok_saas.estate.models import Building, Unit, UnitTitle
    from iok_saas.meters.models import Meter, Reading
    from iok_saas.tenancy.context import tenant_context

    password = hash_password("Bench-Odczyty-2026")  # one hash for all: nobody signs in
    with database.app().app_context(), tenant_context(database.tenant_id):
        per_building = 100
        for b in range((units + per_building - 1) // per_building):
            db.session.add(Building(street="ul. Szczytowa", number=str(b + 1),
                                    postal_code="80-001", city="Gdańsk"))
        db.session.flush()
        buildings = list(db.session.scalars(select(Building.id).order_by(Building.id)))
        db.session.execute(insert(Unit), [
            {"building_id": buildings[n // per_building], "number": str(n % per_building + 1)}
            for n in range(units)])
        db.session.execute(insert(User), [
            {"identifier": f"P{n:06d}", "role": RESIDENT, "first_name": "Ewa",
             "last_name": f"Odczytowa{n}", "password_hash": password,
             "must_change_password": False} for n in range(units)])
        unit_ids = list(db.session.scalars(select(Unit.id).order_by(Unit.id)))
        user_ids = list(db.session.scalars(select(User.id).where(User.identifier.like("P%"))
                                           .order_by(User.id)))
        db.session.execute(insert(UnitTitle), [{"unit_id": u, "user_id": p}
                                                for u, p in zip(unit_ids, user_ids, strict=True)])
        db.session.execute(insert(Meter), [
            {"unit_id": u, "kind": "cold_water", "serial_number": f"B{u:07d}",
             "installed_on": date(2024, 1, 1)} for u in unit_ids])
        meters = list(db.session.scalars(select(Meter.id).order_by(Meter.unit_id)))
        db.session.execute(insert(Reading), [
            {"meter_id": m, "read_on": day, "value": value}
            for m in meters for day, value in ((date(2026, 3, 31), Decimal("40")),
                                               (date(2026, 9, 30), Decimal("70")))])
        db.session.commit()
        db.session.remove()
    return list(zip(user_ids, meters, strict=True))


def signed_session(app, user_id: int, token: str) -> str:
    """The session cookie a sign-in would have set (its device row is ``token``'s)."""
    serializer = app.session_interface.get_signing_serializer(app)
    value = serializer.dumps({"_user_id": f"{user_id}:1", "_fresh": True,
                              "seen": int(time.time()), "sid": token})
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


def submit(client: Client, cookie: str, meter_id: int, today: str) -> tuple[float, float]:
    """(GET seconds, POST seconds) for one resident's reading."""
    started = time.perf_counter()
    status, headers, body = client.request("GET", f"/liczniki/{meter_id}", cookie=cookie)
    got = time.perf_counter()
    token = TOKEN.search(body.decode())
    if status != 200 or not token:
        raise RuntimeError(f"GET /liczniki/{meter_id}: HTTP {status}")
    cookie = session_cookie(headers) or cookie
    form = urlencode({"csrf_token": token.group(1), "value": "83,125", "read_on": today})
    status, _, _ = client.request("POST", f"/liczniki/{meter_id}", form, cookie=cookie)
    if status != 302:
        raise RuntimeError(f"POST /liczniki/{meter_id}: HTTP {status}")
    return got - started, time.perf_counter() - got


def bare(client: Client) -> float:
    started = time.perf_counter()
    status, _, _ = client.request("GET", "/_bench/bare")
    if status != 200:
        raise RuntimeError(f"bare route: HTTP {status}")
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=bounded(100, 50_000), default=10_000)
    parser.add_argument("--clients", type=bounded(1, 32), default=4)
    args = parser.parse_args()
    with Database() as database:
        print(f"{database.name}: {args.units} units, residents and meters…", flush=True)
        pairs = populate(database, args.units)
        app = database.app()
        app.add_url_rule("/_bench/bare", "bench_bare", lambda: "ok")
        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        client = Client(server.server_port, "baltyk.localhost")
        from iok_saas.meters.services import today

        day = today().isoformat()
        tokens = signed_in_devices(database.name, [(database.tenant_id, user_id)
                                                   for user_id, _ in pairs])
        with app.app_context():
            cookies = [signed_session(app, user_id, tokens[user_id]) for user_id, _ in pairs]
        gets, posts, bares, submit_wall, bare_wall = [], [], [], 0.0, 0.0
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            for start in range(0, len(pairs), BATCH):
                chunk = range(start, min(start + BATCH, len(pairs)))
                began = time.perf_counter()
                for g, p in pool.map(lambda i: submit(client, cookies[i], pairs[i][1], day),
                                     chunk):
                    gets.append(g)
                    posts.append(p)
                submit_wall += time.perf_counter() - began
                began = time.perf_counter()
                bares.extend(pool.map(lambda _: bare(client), chunk))
                bare_wall += time.perf_counter() - began
        server.shutdown()
        pending = _pending(database)
        assert pending == args.units, f"{pending} pending readings for {args.units} units"

    def row(label: str, values: list[float], rate: float | None) -> str:
        shown = f"{rate:>8.1f}" if rate is not None else f"{'—':>8}"
        return (f"| {label:<28} | {len(values):>6} | {percentile(values, 0.5) * 1000:>7.1f} | "
                f"{percentile(values, 0.95) * 1000:>7.1f} | {statistics.fmean(values) * 1000:>8.1f}"
                f" | {shown} |")

    submissions_rate = len(posts) / submit_wall
    print(f"{date.today()} · {args.units} units · {args.clients} clients · Werkzeug threaded")
    print("| request                      |      n |  p50 ms |  p95 ms |  mean ms |    per s |")
    print("|------------------------------|-------:|--------:|--------:|---------:|---------:|")
    print(row("bare route", bares, len(bares) / bare_wall))
    print(row("meter page (GET, the form)", gets, None))
    print(row("submit a reading (POST)", posts, None))
    print(row("whole submission (GET+POST)", [g + p for g, p in zip(gets, posts, strict=True)],
              submissions_rate))
    print(f"{args.units} readings in {submit_wall:.0f} s: {submissions_rate:.1f} submissions/s; "
          f"POST p50 = {percentile(posts, 0.5) / percentile(bares, 0.5):.1f}× the bare route; "
          f"all {pending} pending readings stored")
    return 0


def _pending(database: Database) -> int:
    from sqlalchemy import func, select

    from iok_saas.db import db
    from iok_saas.meters.models import PENDING, Reading
    from iok_saas.tenancy.context import tenant_context

    with database.app().app_context(), tenant_context(database.tenant_id):
        count = db.session.scalar(select(func.count()).select_from(Reading)
                                  .where(Reading.status == PENDING))
        db.session.remove()
    return count


if __name__ == "__main__":
    raise SystemExit(main())
