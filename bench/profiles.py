"""Where a page's time goes: the app in-process with the production settings, under cProfile.

    .venv/bin/python bench/profiles.py --database iok_bench_scale /regulamin / /lokale/N

Runs against a database built by ``bench/scale.py --keep NAME`` (the platform-scale dataset),
as the app's role under row-level security, with Redis — the settings ``bench/scale.py`` gives
gunicorn. Signs in as the first resident of the middle cooperative (``--clerk``: the first
cooperative's clerk; ``--anonymous``: nobody), asks each path ``--requests`` times after a
warm-up, and prints per path the mean time a request (without and with the profiler), the SQL
statements a request (``--statements``: each with its time, without the profiler) and the
functions that took the most time (``--top``; ``--only REGEX``: only the functions whose
``file:line(name)`` matches, e.g. ``'^(?!.*(werkzeug/test|flask/testing))'`` leaves out the
test client's frames).
``--concerns`` adds, per path, where a request's time goes by concern — the cumulative time of
the entry points of the request hooks, the session cookie, the signed-in person, the view,
SQLAlchemy (compiling, the tenant criteria, waiting for PostgreSQL, making rows), Jinja, Babel,
CSRF… (they nest, so their shares overlap) — and the time spent in each package's own code
(``tottime``: these add up to the whole). ``N`` in a path is the resident's first unit.
Profiling slows Python code, so read its shares, not its absolute times.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
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


# (what, the functions whose cumulative time it is: a pattern of ``file:line(name)``). Indented
# ones are inside the one above them; several functions matched are added up (they do not nest).
CONCERNS = [
    ("the whole request (Flask.wsgi_app)", r"flask/app\.py:\d+\(wsgi_app\)"),
    ("  request context push: the session cookie opened (open_session)",
     r"flask/sessions\.py:\d+\(open_session\)"),
    ("  before-request hooks (preprocess_request)", r"flask/app\.py:\d+\(preprocess_request\)"),
    ("    the cooperative from the Host (resolve_tenant)",
     r"tenancy/resolver\.py:\d+\(resolve_tenant\)"),
    ("    the log line's start (logs._start)", r"iok_saas/web/logs\.py:\d+\(_start\)"),
    ("    a visitor's kept page (pagecache.serve)", r"web/pagecache\.py:\d+\(serve\)"),
    ("    account gates (idle sign-out, initial password…)",
     r"auth/gates\.py:\d+\(account_gates\)"),
    ("      the signed-in person and session row (flask_login _load_user)",
     r"flask_login/login_manager\.py:\d+\(_load_user\)"),
    ("    features switched on (blueprint before_request)",
     r"tenancy/features\.py:\d+\(\w+\)"),
    ("  the view (dispatch_request)", r"flask/app\.py:\d+\(dispatch_request\)"),
    ("    render_template (context processors + Jinja)",
     r"flask/templating\.py:\d+\(render_template\)"),
    ("      context processors (update_template_context)",
     r"flask/app\.py:\d+\(update_template_context\)"),
    ("      Jinja: the templates run (Template.render)", r"jinja2/environment\.py:\d+\(render\)"),
    ("        url_for", r"flask/app\.py:\d+\(url_for\)"),
    ("        Babel: _() and ngettext() in templates (jinja2.ext)",
     r"jinja2/ext\.py:\d+\((_gettext_alias|ngettext)\)"),
    ("        amounts and dates formatted (web/formatting's filters)",
     r"iok_saas/web/formatting\.py:\d+\(\w+\)"),
    ("        lazy translated labels rendered (flask_babel LazyString)",
     r"flask_babel/speaklater\.py:\d+\(__(html|str)__\)"),
    ("        CSRF token (flask_wtf generate_csrf)", r"flask_wtf/csrf\.py:\d+\(generate_csrf\)"),
    ("  after-request hooks (process_response: headers, log line, cookie)",
     r"flask/app\.py:\d+\(process_response\)"),
    ("    the session cookie saved (save_session)", r"flask/sessions\.py:\d+\(save_session\)"),
    ("  teardown (do_teardown_request: the session closed, its transaction ended)",
     r"flask/app\.py:\d+\(do_teardown_request\)"),
    ("SQLAlchemy: every ORM statement (Session._execute_internal)",
     r"sqlalchemy/orm/session\.py:\d+\(_execute_internal\)"),
    ("  the tenant criteria added (scoping._scope_statement)",
     r"tenancy/scoping\.py:\d+\(_scope_statement\)"),
    ("  the tenant setting (rls.sync_tenant)", r"db/rls\.py:\d+\(sync_tenant\)"),
    ("  compile or cache key (ClauseElement._compile_w_cache)",
     r"sqlalchemy/sql/elements\.py:\d+\(_compile_w_cache\)"),
    ("  parameters (SQLCompiler.construct_params)",
     r"sqlalchemy/sql/compiler\.py:\d+\(construct_params\)"),
    ("  rows to objects or tuples (orm loading.instances)",
     r"sqlalchemy/orm/loading\.py:\d+\(instances\)"),
    ("psycopg: waiting for PostgreSQL (Connection.wait)", r"psycopg/connection\.py:\d+\(wait\)"),
    ("SQLAlchemy pool: checkout with pre-ping (do_ping)",
     r"sqlalchemy/engine/default\.py:\d+\(_do_ping_w_event\)"),
    ("Babel / flask_babel, all calls (gettext, format_date…)",
     r"flask_babel/__init__\.py:\d+\((gettext|ngettext|pgettext|npgettext|format_\w+)\)"),
]


def _where(key: tuple[str, int, str]) -> str:
    """The package (or the app's capability, or the templates) a function belongs to."""
    filename, _, name = key
    if filename == "~":
        if re.search(r"poll|select|recv|send|wait|psycopg", name):
            return "built-ins: sockets, waiting for PostgreSQL"
        return "built-ins (str.join, dict.get…)"
    if filename.endswith((".html", ".txt", ".xml")):
        return "Jinja: the templates' compiled code"
    found = re.search(r"site-packages/([^/]+)", filename)
    if found and found.group(1) == "psycopg":  # libpq's calls and the waits run in C in it
        return "psycopg (with libpq and waiting for PostgreSQL)"
    if found:
        return found.group(1).removesuffix(".py")
    found = re.search(r"/iok_saas/([^/]+)", filename)
    if found:
        return f"iok_saas.{found.group(1).removesuffix('.py')}"
    found = re.search(r"python3\.\d+/([^/]+)", filename)
    return f"stdlib {found.group(1).removesuffix('.py')}" if found else filename


def _entered(stats: dict, pattern: str) -> float:
    """The cumulative time of the functions matching ``pattern``, counted where they are
    entered from a function that does not match (so one calling another is not counted
    twice)."""
    matched = {key for key in stats if re.search(pattern, "{}:{}({})".format(*key))}
    spent = 0.0
    for key in matched:
        callers = stats[key][4]  # {caller: (calls, primitive calls, tottime, cumtime)}
        if not callers:
            spent += stats[key][3]
        spent += sum(value[3] for caller, value in callers.items() if caller not in matched)
    return spent


def concerns(profile: cProfile.Profile, requests: int, top: int) -> list[str]:
    """The request's time by concern (cumulative, nested) and by package (own time)."""
    stats = pstats.Stats(profile).stats  # {key: (calls, primitive, tottime, cumtime, callers)}
    whole = _entered(stats, CONCERNS[0][1]) or 1.0
    lines = [f"  {'ms':>6} {'share':>6}  by concern (cumulative; nested, so shares overlap)"]
    for label, pattern in CONCERNS:
        spent = _entered(stats, pattern)
        lines.append(f"  {spent / requests * 1000:6.2f} {spent / whole * 100:5.1f} %  {label}")
    own: dict[str, float] = {}
    for key, value in stats.items():
        own[_where(key)] = own.get(_where(key), 0.0) + value[2]
    total = sum(own.values()) or 1.0
    lines.append(f"  {'ms':>6} {'share':>6}  by package (own time; adds up to the whole)")
    for where, spent in sorted(own.items(), key=lambda item: -item[1])[:top]:
        lines.append(f"  {spent / requests * 1000:6.2f} {spent / total * 100:5.1f} %  {where}")
    return lines


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
    parser.add_argument("--only", metavar="REGEX",
                        help="list only the functions whose file:line(name) matches")
    parser.add_argument("--concerns", action="store_true",
                        help="where a request's time goes by concern and by package")
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
            statements.clear()  # timed without the profiler, which slows psycopg's Python too
            spent.clear()
            started = time.perf_counter()
            for _ in range(args.requests):
                client.get(path, base_url=base)
            plain = (time.perf_counter() - started) / args.requests * 1000
            sent, timed = list(statements), dict(spent)
            profile = cProfile.Profile()
            started = time.perf_counter()
            profile.enable()
            for _ in range(args.requests):
                client.get(path, base_url=base)
            profile.disable()
            took = (time.perf_counter() - started) / args.requests * 1000
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(
                *([args.only] if args.only else []), args.top)
            print(f"\n===== {path}: {plain:.2f} ms a request ({took:.2f} ms profiled), "
                  f"{len(sent) / args.requests:.1f} SQL statements a request")
            print("\n".join(out.getvalue().splitlines()[4:]))
            if args.concerns:
                print("\n".join(concerns(profile, args.requests, args.top)))
            if args.statements:
                for sql in dict.fromkeys(sent):
                    print(f"  SQL {timed.get(sql, 0) / args.requests * 1000:6.2f} ms:",
                          " ".join(sql.split())[:300])
    return 0


if __name__ == "__main__":
    sys.exit(main())
