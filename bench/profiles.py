"""Where a page's time goes: the app in-process with the production settings, under cProfile.

    .venv/bin/python bench/profiles.py --database iok_bench_scale /regulamin / /lokale/N

Runs against a database built by ``bench/scale.py --keep NAME`` (the platform-scale dataset),
as the app's role under row-level security, with Redis — the settings ``bench/scale.py`` gives
gunicorn. Signs in as the first resident of the middle cooperative (``--clerk``: the first
cooperative's clerk; ``--anonymous``: nobody), asks each path ``--requests`` times after a
warm-up, and prints per path the mean time a request (without and with the profiler), the SQL
statements a request (``--statements``: each with its time) and the functions that took the
most time (``--top``). ``N`` in a path is the resident's first unit. Profiling slows Python
code, so read its shares, not its absolute times.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import TOKEN, Database  # noqa: E402
from bench.dataset import CLERK, PASSWORD, PREFIX  # noqa: E402


def resident(database: str, cooperative: str) -> tuple[str, int]:
    import psycopg

    from bench.common import url

    with psycopg.connect(url("postgres", database, "postgresql")) as conn:
        return conn.execute(
            "SELECT a.identifier, ut.unit_id FROM user_account a "
            "JOIN tenant t ON t.id = a.tenant_id AND t.slug = %s "
            "JOIN unit_title ut ON ut.user_id = a.id ORDER BY a.id LIMIT 1",
            (cooperative,)).fetchone()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--database", default="iok_bench_scale")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--clerk", action="store_true")
    parser.add_argument("--anonymous", action="store_true", help="ask without signing in")
    parser.add_argument("--cooperatives", type=int, default=100)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--statements", action="store_true",
                        help="print the distinct SQL and its time a request")
    args = parser.parse_args(argv)

    from bench.scale import environment

    database = Database(keep=args.database)
    os.environ.update(environment(database, database.instance))  # before config is imported
    with database:
        from sqlalchemy import event

        from iok_saas import create_app
        from iok_saas.db import db

        app = create_app({"PLATFORM_DATABASE_URI": None, "MIGRATION_DATABASE_URI": None})
        slug = f"{PREFIX}001" if args.clerk else f"{PREFIX}{max(1, args.cooperatives // 2):03d}"
        identifier, unit_id = ((CLERK, 0) if args.clerk else resident(database.name, slug))
        client = app.test_client()
        base = f"http://{slug}.localhost"
        page = client.get("/logowanie", base_url=base).get_data(as_text=True)
        token = TOKEN.search(page).group(1)
        answer = client.post("/logowanie", base_url=base, data={
            "csrf_token": token, "identifier": identifier, "password": PASSWORD})
        assert answer.status_code == 302, answer.status_code
        if args.anonymous:
            client = app.test_client()
        statements: list[str] = []
        spent: dict[str, float] = {}

        def before(conn, cursor, sql, *rest):
            statements.append(sql)
            conn.info["iok_started"] = time.perf_counter()

        def after(conn, cursor, sql, *rest):
            spent[sql] = spent.get(sql, 0.0) + time.perf_counter() - conn.info["iok_started"]

        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", before)
            event.listen(db.engine, "after_cursor_execute", after)
        for raw in args.paths:
            path = raw.replace("N", str(unit_id)) if raw.endswith("/N") else raw
            for _ in range(20):
                assert client.get(path, base_url=base).status_code == 200, path
            started = time.perf_counter()
            for _ in range(args.requests):
                client.get(path, base_url=base)
            plain = (time.perf_counter() - started) / args.requests * 1000
            statements.clear()
            spent.clear()
            profile = cProfile.Profile()
            started = time.perf_counter()
            profile.enable()
            for _ in range(args.requests):
                client.get(path, base_url=base)
            profile.disable()
            took = (time.perf_counter() - started) / args.requests * 1000
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(args.top)
            print(f"\n===== {path}: {plain:.2f} ms a request ({took:.2f} ms profiled), "
                  f"{len(statements) / args.requests:.1f} SQL statements a request")
            print("\n".join(out.getvalue().splitlines()[4:]))
            if args.statements:
                for sql in dict.fromkeys(statements):
                    print(f"  SQL {spent.get(sql, 0) / args.requests * 1000:6.2f} ms:",
                          " ".join(sql.split())[:300])
    return 0


if __name__ == "__main__":
    sys.exit(main())
