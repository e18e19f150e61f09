"""The platform at scale against a bare Flask app in the same gunicorn, driven by wrk.

    .venv/bin/python bench/scale.py                       # 100 cooperatives (~4 min to build)
    .venv/bin/python bench/scale.py --cooperatives 10 --repetitions 3 --seconds 5
    .venv/bin/python bench/scale.py --keep iok_bench_scale   # build once, reuse next time

A fresh database gets the dataset of ``bench/dataset.py`` (``--keep NAME``: kept, and reused
by the next run). Four gunicorn servers start with ``config/gunicorn.conf.py`` and the
production settings (``IOK_ENV=production``, the app's ordinary role under row-level security,
Redis): the platform (``wsgi:app``), the bare reference (``bench/reference.py``, a Flask app
answering ``ok``), the pages' floors (``bench/floor.py``: each page's minimal SQL, written by
hand — the tenant setting, then one statement for exactly the rows and columns the page shows —
run with psycopg as the app's role and written into a plain template padded to the size of the
real page's body, which is fetched once first; each floor's answer is checked to be that size
±10 % and to list only rows that are on the real page) and the reference build
(``--reference REV``, by default the last commit before issue 32's read path: that revision's
``iok_saas``, ``wsgi.py`` and ``config/`` from ``git archive`` into a temporary folder, its
catalogue compiled, served from there on the same database and Redis; the schema has only
gained since, so it runs on this checkout's; ``--reference ""`` leaves it out). Every page must
answer 200 with its marker from the platform and from the reference build, with the same
session cookies — but a page newer than the reference build (the consumption page of issue 33),
which is neither asked of it nor measured on it. For each page, in each repetition, wrk
(Debian's) drives the reference, the floor, the reference build's page and then the page with
the same connections and duration, so a busier machine moves all four; the report gives each
page's requests per second as a share of the reference's and of its floor's and as a multiple
of the reference build's in the same repetition (median over repetitions), and its p99
latency. The reading submission
(``bench/submit.py``: a resident's GET of a meter's page and POST of a reading, thousands of
residents of every cooperative but the first, through a wrk Lua script) is measured against the
bare app the same way (no floor: it writes). Then the clerk accepts ``--bulk`` waiting readings
in one POST (timed; put back afterwards), and ``--sign-ins`` residents sign in,
``--connections`` at a time, on fresh workers: the median sign-in POST and a web worker's peak
memory. Last, alone on a database of its own, the ledger import of ``bench/import_ledger.py``
(``--import-rows``) against a keyed ``COPY`` of the same rows.
``--pgbouncer`` puts PgBouncer (transaction pooling) between the servers and PostgreSQL. The pages:
an anonymous one with no SQL (the terms), a resident's home, financial record and lists (the
announcements, their fault reports, the documents — a GET records the visit — their letters,
and the monthly consumption of their remote meters; a cooperative in the middle of the
platform), and the clerk's readings queue of the
first cooperative (its ``--pending`` readings, a page at a time). Writes the Markdown to
``--out`` (default ``docs/benchmarks.md``) and prints it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pickle
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import submit  # noqa: E402
from bench.common import PG, ROLE, TOKEN, Database, machine, markdown_table, production_env, url  # noqa: E402
from bench.dataset import CLERK, MONTHS, PASSWORD, PREFIX, Size, build  # noqa: E402
from bench.gunicorn_workers import Server  # noqa: E402
from bench.import_ledger import TARGET as IMPORT_TARGET  # noqa: E402
from bench.import_ledger import LedgerImport, measure  # noqa: E402
from bench.page import Client, session_cookie  # noqa: E402

WRK = shutil.which("wrk") or "/usr/bin/wrk"
REDIS = os.environ.get("IOK_BENCH_REDIS", "redis://127.0.0.1:6379/13")
FLOOR_TARGET = 0.5  # every page at least half as fast as its own floor (issue 18)
# The reference build (issue 32): the last commit before the read path, served beside this
# checkout's code on the same database; each page's req/s is also given as a multiple of it.
REFERENCE_BUILD = "5ef8748457dd224b0691f9581fb57220bb5a4479"


@dataclass
class Page:
    """One page under measurement: its path, who asks, what it must contain."""

    label: str
    host: str
    path: str
    marker: str
    cookie: str = ""
    target: tuple[float, float] = (0.0, 0.0)  # share of the bare app (0: none), p99 ms
    floor: dict = field(default_factory=dict)  # what bench/floor.py needs: the page, the person
    build_target: float = 0.0  # issue 32: times the reference build's req/s (0: none)
    in_reference_build: bool = True  # False: a newer page, not measured on the reference build
    ratios: list[float] = field(default_factory=list)
    floor_ratios: list[float] = field(default_factory=list)
    build_ratios: list[float] = field(default_factory=list)
    build_rates: list[float] = field(default_factory=list)
    build_p99: list[float] = field(default_factory=list)
    rates: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)


def wrk(port: int, host: str, path: str, cookie: str, seconds: int, connections: int,
        script: list[str] | None = None) -> tuple[float, float, int]:
    """(requests per second, p99 ms, requests) of one wrk run; answers other than 2xx and 3xx
    stop the benchmark. ``script``: a Lua file and its arguments (it makes the requests)."""
    command = [WRK, "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency"]
    if host:
        command += ["-H", f"Host: {host}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    if script:
        command += ["-s", script[0]]
    out = subprocess.run([*command, f"http://127.0.0.1:{port}{path}",
                          *(["--", *script[1:]] if script else [])], capture_output=True,
                         text=True, timeout=seconds + 60, check=True).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"{host}{path}: answers other than 2xx and 3xx\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", out).groups()
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return rate, float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit], total


def environment(database: Database, instance: Path) -> dict[str, str]:
    return production_env(database.name, instance, REDIS_URL=REDIS, URL_SCHEME="http",
                          CUSTOM_DOMAINS_CANONICAL="0", LOGIN_LIMIT_PER_IP="100000 per minute",
                          LOGIN_LIMIT_PER_TENANT_IP="100000 per minute")


def pages(database: Database, port: int, size: Size) -> list[Page]:
    """Sign in as a resident of the middle cooperative and the first one's clerk."""
    import psycopg

    middle, first = f"{PREFIX}{max(1, size.cooperatives // 2):03d}", f"{PREFIX}001"
    with psycopg.connect(url("postgres", database.name, "postgresql")) as conn:
        identifier, user_id, tenant_id, unit_id, street = conn.execute(
            "SELECT a.identifier, a.id, a.tenant_id, ut.unit_id, b.street FROM user_account a "
            "JOIN tenant t ON t.id = a.tenant_id AND t.slug = %s "
            "JOIN unit_title ut ON ut.user_id = a.id JOIN unit u ON u.id = ut.unit_id "
            "JOIN building b ON b.id = u.building_id ORDER BY a.id, u.id LIMIT 1",
            (middle,)).fetchone()
        clerk_tenant = conn.execute("SELECT id FROM tenant WHERE slug = %s",
                                    (first,)).fetchone()[0]
    resident = Client(port, f"{middle}.localhost:{port}")
    resident.sign_in(identifier, PASSWORD)
    clerk = Client(port, f"{first}.localhost:{port}")
    clerk.sign_in(CLERK, PASSWORD)
    person = {"tenant": tenant_id, "user": user_id, "unit": unit_id}

    def listed(label: str, path: str, marker: str, page: str, build_target: float = 0.0,
               in_reference_build: bool = True) -> Page:
        """A list a resident opens from the menu: issue 32's p99 < 60 ms, no bare target."""
        return Page(label, resident.host, path, marker, resident.cookie, target=(0.0, 60),
                    floor={"page": page, **person}, build_target=build_target,
                    in_reference_build=in_reference_build)

    return [
        Page("anonymous page, no SQL (/regulamin)", resident.host, "/regulamin", "Regulamin",
             target=(0.60, 20), floor={"page": "terms", "tenant": tenant_id}),
        Page("resident home (/)", resident.host, "/", street, resident.cookie,
             target=(0.15, 60), floor={"page": "home", **person}, build_target=3.0),
        Page(f"financial record, {size.years} years (/lokale/N)", resident.host,
             f"/lokale/{unit_id}", "Opłaty mieszkaniowe", resident.cookie, target=(0.10, 80),
             floor={"page": "record", **person}, build_target=2.0),
        Page(f"staff readings queue, {size.pending} pending (a page of 200)", clerk.host,
             "/panel/odczyty/", "Odczyty do akceptacji", clerk.cookie, target=(0.05, 150),
             floor={"page": "queue", "tenant": clerk_tenant}, build_target=2.0),
        listed("announcements (/ogloszenia)", "/ogloszenia", "<h1>Ogłoszenia</h1>",
               "announcements"),
        listed("fault reports (/awarie)", "/awarie", "Państwa zgłoszenia", "faults"),
        listed("documents, the visit recorded (/dokumenty)", "/dokumenty", 'name="kategoria"',
               "documents", build_target=4.0),
        listed("letters (/sprawy)", "/sprawy", "Pani/Pana pisma", "letters"),
        # Issue 33's page: the reference build predates it (it would answer 404).
        listed("monthly consumption (/zuzycie)", "/zuzycie", "<h1>Zużycie</h1>", "consumption",
               in_reference_build=False),
    ]


def reference_build(revision: str, folder: Path) -> Path:
    """The reference build's code in ``folder``: ``iok_saas``, ``wsgi.py`` and ``config/`` of
    ``revision`` (``git archive``), its Polish catalogue compiled (``*.mo`` are not in git); the
    folder, checked to be where its ``iok_saas`` is imported from."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", revision,
                              "iok_saas", "wsgi.py", "config"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    # The reference build reads the cooperatives' settings with the keys added since ignored
    # (its settings refuse unknown keys; ``[remote_readings]`` came after it).
    settings = folder / "iok_saas" / "tenancy" / "settings.py"
    strict = 'model_config = ConfigDict(extra="forbid", frozen=True)'
    if strict in settings.read_text(encoding="utf-8"):
        settings.write_text(settings.read_text(encoding="utf-8").replace(
            strict, 'model_config = ConfigDict(extra="ignore", frozen=True)'), encoding="utf-8")
    for po in (folder / "iok_saas" / "translations").glob("*/LC_MESSAGES/*.po"):
        with po.open("rb") as source, po.with_suffix(".mo").open("wb") as compiled:
            write_mo(compiled, read_po(source))
    found = subprocess.run([sys.executable, "-c", "import iok_saas; print(iok_saas.__file__)"],
                           cwd=folder, env={**os.environ, "PYTHONPATH": str(folder)},
                           capture_output=True, text=True, check=True).stdout.strip()
    if not Path(found).is_relative_to(folder):
        raise RuntimeError(f"the reference build imports {found}, not its own code")
    return folder


def floor_pages(measured: list[Page], bodies: dict[str, bytes], folder: Path) -> Path:
    """What the floor server (``bench/floor.py``) needs of each page: which page it is, whose,
    and the size of the real page's body (fetched once), which the floor's answer matches."""
    found = folder / "floors.pickle"
    found.write_bytes(pickle.dumps({p.path: {**p.floor, "size": len(bodies[p.path])}
                                    for p in measured}))
    return found


FLOOR_KEY = re.compile(r"<th>(.*?)</th>")


def check_floor(page: Page, port: int, real: bytes) -> None:
    """The floor's answer is the real page's size (±10 %), and the identifying value of each
    row it lists (an announcement's title, a case's number, an entry's document, a meter's
    serial number…) is on the real page: a spot check that its SQL finds what the page shows."""
    status, _, body = Client(port, page.host).request("GET", page.path)
    keys = FLOOR_KEY.findall(body.decode())
    missing = [key for key in keys if key.encode() not in real]
    share = len(body) / len(real)
    print(f"floor of {page.label}: {len(body)} bytes for the page's {len(real)} "
          f"({share * 100:.0f} %), {len(keys)} rows, {len(keys) - len(missing)} on the page",
          flush=True)
    if status != 200 or missing or not 0.9 <= share <= 1.1:
        raise RuntimeError(f"the floor of {page.label}: {status}, {share * 100:.0f} % of the "
                           f"page's size, not on the page: {missing[:5]}")


def sign_ins(port: int, host: str, identifiers: list[str], concurrent: int
             ) -> tuple[float, float]:
    """Sign-in POSTs, ``concurrent`` at a time (each after its own GET of the form): the
    median time of a POST in ms, and the highest peak memory (VmHWM) of a web worker in MB."""
    def one(identifier: str) -> float:
        client = Client(port, host)
        status, headers, data = client.request("GET", "/logowanie")
        token = TOKEN.search(data.decode()).group(1)
        form = urlencode({"csrf_token": token, "identifier": identifier, "password": PASSWORD})
        started = time.perf_counter()
        status, _, _ = client.request("POST", "/logowanie", form,
                                      cookie=session_cookie(headers))
        took = time.perf_counter() - started
        if status != 302:
            raise RuntimeError(f"sign-in of {identifier}: {status}")
        return took * 1000

    with ThreadPoolExecutor(concurrent) as pool:
        times = list(pool.map(one, identifiers))
    return statistics.median(times), max(peak_rss(pid) for pid in workers(port))


def workers(port: int) -> list[int]:
    """The gunicorn worker processes listening behind ``port`` (children of its master)."""
    masters = [int(line.split()[0]) for line in subprocess.run(
        ["ps", "-eo", "pid,args"], capture_output=True, text=True, check=True).stdout.splitlines()
        if f"127.0.0.1:{port}" in line and "gunicorn" in line]
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) in masters:
            found.append(int(stat.parent.name))
    return found


def peak_rss(pid: int) -> float:
    """A process's peak resident memory (VmHWM), MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def submissions(app: Server, bare: Server, database: Database, env: dict[str, str], args
                ) -> tuple[list[float], list[float], list[float], int, int]:
    """Reading submissions (GET the meter's page, POST the reading) with wrk, each repetition
    after the bare app: (ratios, rates, p99s, POSTs sent, readings accepted)."""
    from config import ProductionConfig

    entries = submit.prepare(database, env["IOK_SECRET_KEY"], ProductionConfig.SESSION_COOKIE_NAME,
                             args.submissions, database.instance)
    script = str(entries.with_name("submit.lua"))
    ratios, rates, p99s, sent, made = [], [], [], 0, 0
    for repetition in range(args.repetitions + 1):
        bare_rate, _, _ = wrk(bare.port, f"{PREFIX}002.localhost", "/", "", args.seconds,
                              args.connections)
        submit.clear(database, entries)
        rate, p99, total = wrk(app.port, "", "/", "", args.seconds, args.connections,
                               script=[script, str(entries), "2"])
        time.sleep(1)  # the requests wrk left behind are answered
        accepted = submit.clear(database, entries)  # and deleted: the next run starts alike
        if repetition:
            ratios.append(rate / bare_rate)
            rates.append(rate)
            p99s.append(p99)
            sent, made = sent + total // 2, made + accepted
        print(f"{repetition} reading submission: {rate:.1f} req/s vs {bare_rate:.0f} bare, "
              f"{accepted} readings of ~{total // 2} POSTs", flush=True)
    return ratios, rates, p99s, sent, made


def bulk_accept(port: int, clerk: Page, database: Database, count: int) -> tuple[float, int]:
    """The clerk accepts the ``count`` oldest waiting readings of the first cooperative in one
    POST, as the queue's "choose all" does: (seconds, readings accepted). Afterwards they wait
    again and their e-mails are gone (the dataset stays as built; Redis is the benchmark's)."""
    import psycopg
    import redis

    admin = url("postgres", database.name, "postgresql")
    with psycopg.connect(admin) as conn:
        chosen = conn.execute(
            "SELECT r.id, r.value FROM meter_reading r JOIN tenant t ON t.id = r.tenant_id "
            "WHERE t.slug = %s AND r.status = 'pending' ORDER BY r.created_at, r.id LIMIT %s",
            (f"{PREFIX}001", count)).fetchall()
        since = conn.execute("SELECT clock_timestamp()").fetchone()[0]
    client = Client(port, clerk.host)
    _, _, page = client.request("GET", clerk.path, cookie=clerk.cookie)
    token = TOKEN.search(page.decode())
    form = urlencode([("csrf_token", token.group(1)), ("action", "accept"),
                      *(("reading", f"{rid}:{value}") for rid, value in chosen)])
    started = time.perf_counter()
    status, _, _ = client.request("POST", "/panel/odczyty/decyzja", form, cookie=clerk.cookie)
    took = time.perf_counter() - started
    ids = [rid for rid, _ in chosen]
    with psycopg.connect(admin) as conn:
        accepted = conn.execute("SELECT count(*) FROM meter_reading WHERE id = ANY(%s) AND "
                                "status = 'accepted'", (ids,)).fetchone()[0]
        conn.execute("UPDATE meter_reading SET status = 'pending', decided_by_id = NULL, "
                     "decided_at = NULL WHERE id = ANY(%s)", (ids,))
        conn.execute("DELETE FROM outbox_message WHERE created_at >= %s", (since,))
    redis.Redis.from_url(REDIS).flushdb()  # the jobs that would send them
    if status != 302:
        raise RuntimeError(f"bulk accept: {status}")
    return took, accepted


def residents(database: Database, slug: str, count: int) -> list[str]:
    """Identifiers of ``count`` residents of one cooperative."""
    import psycopg

    with psycopg.connect(url("postgres", database.name, "postgresql")) as conn:
        return [row[0] for row in conn.execute(
            "SELECT a.identifier FROM user_account a JOIN tenant t ON t.id = a.tenant_id "
            "WHERE t.slug = %s AND a.role = 'resident' ORDER BY a.id LIMIT %s", (slug, count))]


def check(page: Page, port: int) -> bytes:
    """The page answers 200 with its marker (a wrong sign-in would measure a redirect); its
    body."""
    client = Client(port, page.host)
    status, _, body = client.request("GET", page.path, cookie=page.cookie or None)
    if status != 200 or page.marker.encode() not in body:
        raise RuntimeError(f"{page.label}: {status}, marker {page.marker!r} not found")
    return body


def build_cell(page: Page) -> str:
    """``3.41× (≥ 3× ✓)``: the page's req/s as a multiple of the reference build's, and the
    issue's target for it where there is one."""
    if not page.build_ratios:
        return ""
    times = statistics.median(page.build_ratios)
    if not page.build_target:
        return f"{times:.2f}×"
    return f"{times:.2f}× ({at_least(page.build_target, times, f'{page.build_target:.0f}×')})"


def at_least(target: float, value: float, shown: str) -> str:
    """``≥ 15 % ✓``, or ``≥ 15 % ✗ 3.1×`` when missed (how many times short)."""
    return f"≥ {shown} " + ("✓" if value >= target else f"✗ {target / value:.1f}×")


def verdict(target: tuple[float, float], share: float, p99: float, floor: float | None) -> str:
    """``≥ 15 % ✗ 3.1×, < 60 ms ✗, ≥ 50 % ✓``: each of the issue's targets, met or by how much
    it is missed (the floor's target is the same for every page; no target of the bare app's
    share: not shown)."""
    if not target[1]:
        return ""
    parts = [at_least(target[0], share, f"{target[0] * 100:.0f} %")] if target[0] else []
    parts.append(f"< {target[1]:.0f} ms " + ("✓" if p99 < target[1] else "✗"))
    if floor is not None:
        parts.append(at_least(FLOOR_TARGET, floor, f"{FLOOR_TARGET * 100:.0f} %"))
    return ", ".join(parts)


def import_report(result: LedgerImport) -> list[str]:
    """The ledger import's row against a keyed ``COPY`` of the same rows, and what it means."""
    heads = ("batch work", "rows/s", "a keyed COPY's rows/s", "ratio", "target: ratio")
    row = (f"ledger import, {result.rows} rows of {result.accounts} accounts "
           f"({result.size_mb:.0f} MB CSV)", f"{result.rows / result.import_seconds:.0f}",
           f"{result.rows / result.copy_seconds:.0f}", f"{result.ratio:.2f}",
           at_least(IMPORT_TARGET, result.ratio, f"{IMPORT_TARGET:.2f}"))
    return [*markdown_table(heads, [row]), "",
            "The ledger import (`bench/import_ledger.py`, on a fresh database of its own): "
            "`run_import(\"ledger\", …)` as `iok import ledger` runs it, new rows, as the app's "
            "role under RLS, against PostgreSQL's `COPY` of the same rows already resolved into "
            "a twin of `ledger_entry` with its indexes and foreign keys, as the owner. The same "
            f"file again (every row unchanged): {result.rows / result.again_seconds:.0f} rows/s."]


def report(measured: list[Page], reference: list[float], args, size: Size, built: str,
           load: str, signin: tuple[float, float, float] | None,
           accepted: tuple[float, int] | None,
           submitted: tuple[list[float], list[float], list[float], int, int],
           imported: LedgerImport | None) -> str:
    heads = ("request", "req/s", "% of the bare Flask app's req/s", "% of its floor's req/s",
             "× the reference build", "p99 ms", "reference build: req/s, p99 ms",
             "target: % of bare, p99, % of floor")
    rows = [("bare Flask app (bench/reference.py)", f"{statistics.median(reference):.0f}",
             "100 %", "", "", "", "", "")]
    for page in measured:
        share, floor = statistics.median(page.ratios), statistics.median(page.floor_ratios)
        p99 = statistics.median(page.p99)
        figures = (f"{statistics.median(page.build_rates):.1f}, "
                 f"{statistics.median(page.build_p99):.0f}" if page.build_rates else "")
        rows.append((page.label, f"{statistics.median(page.rates):.1f}", f"{share * 100:.2f} %",
                     f"{floor * 100:.1f} %", build_cell(page), f"{p99:.0f}", figures,
                     verdict(page.target, share, p99, floor)))
    ratios, rates, p99s, sent, made = submitted
    if ratios:
        share, p99 = statistics.median(ratios), statistics.median(p99s)
        rows.append((f"reading submission, GET + POST ({made} of ~{sent} POSTs accepted)",
                     f"{statistics.median(rates):.1f}", f"{share * 100:.2f} %", "—", "",
                     f"{p99:.0f}", "", verdict((0.10, 100), share, p99, None)))
    return "\n".join([
        "# Benchmarks at platform scale", "",
        "Made by `bench/scale.py` (see its docstring); every figure is a median over "
        "repetitions, each page measured right after the bare reference, its own floor "
        "(`bench/floor.py`: the page's minimal SQL, hand-written, with psycopg into a plain "
        "template as large as the page) and the same page of the reference build in the same "
        "repetition.", "",
        *([f"The reference build is the code of `{args.reference[:12]}` (the last commit before "
           "issue 32's read path: `iok_saas`, `wsgi.py` and `config/` from `git archive`), "
           "served by the same gunicorn configuration on the same database and Redis, signed "
           "in with the same sessions; \"× the reference build\" is the page's req/s over its "
           "req/s in the same repetition (median), with issue 32's target where it sets one.",
           ""] if args.reference else []),
        f"{machine()} · load average before the run {load} · gunicorn "
        f"`config/gunicorn.conf.py`, IOK_ENV=production, Redis, the app's role under RLS"
        f"{', through PgBouncer (transaction pooling)' if args.pgbouncer else ''} · "
        f"wrk, {args.connections} connections, {args.seconds} s a run, {args.repetitions} "
        f"repetitions, interleaved", "",
        f"Dataset (`bench/dataset.py`, {built}): {size.cooperatives} "
        f"cooperatives × {size.units} units, 1.3 residents a unit, {size.years} years of "
        f"monthly charges and payments, two meters a unit with {size.readings} readings (the "
        f"hot-water one remote, with {MONTHS} months of figures and its building's medians), "
        f"{size.pending} readings waiting in the first cooperative; each cooperative with "
        f"{size.announcements} announcements, {size.documents} member documents and fault "
        f"reports and letters from every sixth and every tenth resident.", "",
        *markdown_table(heads, rows), "",
        *([*import_report(imported), ""] if imported else []),
        *([f"Sign-in, on freshly started workers: {args.sign_ins} residents sign in, "
           f"{args.connections} at a time (each POST after its own GET of the form): median "
           f"POST {signin[0]:.0f} ms; the highest peak memory (VmHWM) of a web worker "
           f"{signin[1]:.0f} MB afterwards ({signin[2]:.0f} MB before).", ""] if signin else []),
        *([f"Bulk accept: the clerk accepts the {args.bulk} oldest waiting readings in one POST "
           f"(each submitter gets an e-mail): {accepted[0]:.2f} s, {accepted[1]} accepted "
           f"(target < 2 s {'✓' if accepted[0] < 2 else '✗'}).", ""] if accepted else []),
        "The targets of the bare app's share are issue 18's; the p99 and the floor's, and the "
        "lists' and the reference build's, issue 32's. The floor is what the page's data "
        "costs; the gap between "
        "a page and its floor is the Python of the web process (`bench/profiles.py` shows "
        "where). How these figures size the platform: `docs/scaling.md`.", ""])


def run(measured: list[Page], args, app: Server, bare: Server, floor: Server,
        earlier: Server | None) -> list[float]:
    """Each page after the bare app, its floor and the reference build's page, in every
    repetition; the bare app's rates."""
    reference = []
    for repetition in range(args.repetitions + 1):  # the first one warms up
        for page in measured:
            bare_rate, _, _ = wrk(bare.port, page.host, page.path, "", args.seconds,
                                  args.connections)
            floor_rate, _, _ = wrk(floor.port, page.host, page.path, "", args.seconds,
                                   args.connections)
            built = (wrk(earlier.port, page.host, page.path, page.cookie, args.seconds,
                         args.connections)
                     if earlier is not None and page.in_reference_build else None)
            rate, p99, _ = wrk(app.port, page.host, page.path, page.cookie, args.seconds,
                               args.connections)
            if repetition:
                reference.append(bare_rate)
                page.rates.append(rate)
                page.ratios.append(rate / bare_rate)
                page.floor_ratios.append(rate / floor_rate)
                page.p99.append(p99)
                if built is not None:
                    page.build_rates.append(built[0])
                    page.build_p99.append(built[1])
                    page.build_ratios.append(rate / built[0])
            print(f"{repetition} {page.label}: {rate:.1f} req/s vs {bare_rate:.0f} bare, "
                  f"{floor_rate:.0f} floor"
                  + (f", {built[0]:.1f} the reference build" if built else ""), flush=True)
    return reference


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in Size.__dataclass_fields__.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=default.default)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--submissions", type=int, default=3000,
                        help="residents' meters prepared for the reading submission (0: skip)")
    parser.add_argument("--bulk", type=int, default=1000,
                        help="waiting readings the clerk accepts in one POST")
    parser.add_argument("--sign-ins", type=int, default=320,
                        help="residents signing in at the end (over 100 a web worker)")
    parser.add_argument("--import-rows", type=int, default=1_000_000,
                        help="ledger rows imported against a keyed COPY at the end (0: skip)")
    parser.add_argument("--keep", metavar="DATABASE",
                        help="build into this database and keep it; reuse it if it exists")
    parser.add_argument("--pgbouncer", action="store_true",
                        help="put PgBouncer (transaction pooling) between the servers and "
                             "PostgreSQL")
    parser.add_argument("--only", nargs="*", metavar="WORD",
                        help="measure only the pages whose label has one of these words")
    parser.add_argument("--reference", default=REFERENCE_BUILD, metavar="REV",
                        help="the reference build: this revision's code served beside the "
                             "checkout's on the same database (\"\": none)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args(argv)
    size = Size(**{name: getattr(args, name) for name in Size.__dataclass_fields__})
    load = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    with contextlib.ExitStack() as stack:
        bouncer = None
        if args.pgbouncer:  # transaction pooling between every server and PostgreSQL
            from tests.fixtures.pgbouncer import PgBouncer

            bouncer = PgBouncer(*PG.split(":"), (ROLE,), pool_size=8)
            bouncer.start()
            stack.callback(bouncer.stop)
        database = stack.enter_context(Database(keep=args.keep))
        started = time.monotonic()
        if database.reused:
            built = f"reused from `{database.name}`"
        else:
            build(database.name, size)
            built = f"built in {time.monotonic() - started:.0f} s"
        env = environment(database, database.instance)
        dsn = url(ROLE, database.name, "postgresql")
        if bouncer is not None:
            env.update(IOK_DATABASE_URL=bouncer.url(ROLE, database.name),
                       IOK_DATABASE_TRANSACTION_POOLING="1")
            dsn = bouncer.url(ROLE, database.name, "postgresql")
        app = Server("platform", [], app="wsgi:app")
        bare = Server("reference", [], app="bench.reference:app")
        floor = Server("floor", [], app="bench.floor:app")
        earlier = None  # the reference build's server
        servers = [(app, env), (bare, env)]
        if args.reference:  # the same settings; its own code first on the path
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="iok-ref-")))
            earlier = Server("reference build", [], app="wsgi:app",
                           root=reference_build(args.reference, folder))
            servers.append((earlier, {**env, "PYTHONPATH": str(folder)}))
        for server in (app, bare, floor, *([earlier] if earlier else [])):
            stack.callback(server.stop)
        for server, settings in servers:
            server.start(settings)
        for server, _ in servers:
            server.wait_ready()
        measured = [page for page in pages(database, app.port, size)
                    if not args.only or any(word in page.label for word in args.only)]
        # The library first: its GET records the visit, after which the home page shows no
        # document as new — every page is fetched (and its floor sized) as it is measured.
        bodies = {page.path: check(page, app.port) for page in sorted(
            measured, key=lambda page: page.floor.get("page") != "documents")}
        if earlier is not None:  # its pages answer 200 with the marker too, signed in alike
            for page in (page for page in measured if page.in_reference_build):
                print(f"reference build of {page.label}: {len(check(page, earlier.port))} bytes "
                      f"(this checkout: {len(bodies[page.path])})", flush=True)
        floor.start({**env, "IOK_BENCH_FLOOR": str(floor_pages(measured, bodies,
                                                                database.instance)),
                     "IOK_BENCH_FLOOR_DSN": dsn})
        floor.wait_ready()
        for page in measured:
            check_floor(page, floor.port, bodies[page.path])
        reference = run(measured, args, app, bare, floor, earlier)
        if earlier is not None:
            earlier.stop()
        submitted = (submissions(app, bare, database, env, args) if args.submissions
                     else ([], [], [], 0, 0))
        queue = next(page for page in pages(database, app.port, size)
                     if page.path == "/panel/odczyty/")
        accepted = bulk_accept(app.port, queue, database, args.bulk) if args.bulk else None
        signin = None
        if args.sign_ins:  # on fresh workers: their memory is the sign-ins', not the pages'
            app.stop()
            app.start(env)
            app.wait_ready()
            middle = f"{PREFIX}{max(1, size.cooperatives // 2):03d}"
            host = f"{middle}.localhost:{app.port}"
            check(Page("home", host, "/logowanie", "csrf_token"), app.port)  # workers loaded
            fresh = max(peak_rss(pid) for pid in workers(app.port))
            signin = (*sign_ins(app.port, host, residents(database, middle, args.sign_ins),
                                args.connections), fresh)
    # Alone at the end, on a database of its own: the servers and the dataset are gone.
    imported = measure(args.import_rows, 2000) if args.import_rows else None
    text = report(measured, reference, args, size, built, load, signin, accepted, submitted,
                  imported)
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
