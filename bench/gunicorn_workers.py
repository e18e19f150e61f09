"""gunicorn's worker class and count: the shipped configuration against other choices and
against a bare WSGI app in the same server, in one run.

    .venv/bin/python bench/gunicorn_workers.py [--rounds 5] [--requests 200] [--clients 16]

A fresh database (``bench.common.Database``) with one Bałtyk resident holding a unit with ten
years of monthly history (``bench.page.add_resident``). Then several gunicorn servers start at
once on 127.0.0.1, each with ``config/gunicorn.conf.py`` and the production settings
(``IOK_ENV=production``, the app's ordinary role), differing only in what the command line
overrides: the worker class and counts. A reference — a bare WSGI app answering ``ok``
(``bench/bare_wsgi.py``) — runs in the same server with the shipped configuration unchanged.
Every round sends ``--requests`` requests with ``--clients`` keep-alive connections at once to
each server in turn (interleaved, so all see the same machine): a signed-in resident's home
page and financial record, alternately. Reports requests/s and latency per configuration, and
requests/s as a share of the shipped configuration's.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import SLUG, Database, machine, markdown_table, production_env  # noqa: E402
from bench.page import (  # noqa: E402
    ACCOUNT,
    STREET,
    Client,
    Target,
    add_resident,
    bounded,
    hit,
    percentile,
)

CPUS = os.cpu_count() or 1
SHIPPED = f"shipped: sync, CPU+1 = {CPUS + 1} workers"


@dataclass
class Server:
    """One gunicorn with one choice of workers; its timings over all rounds."""

    label: str
    args: list[str]
    app: str = "wsgi:app"
    port: int = 0
    root: Path = ROOT  # where it runs: the app's package is imported from here
    process: subprocess.Popen | None = None
    client: Client | None = None
    rates: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)

    def start(self, env: dict[str, str]) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "-c",
             str(ROOT / "config" / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{self.port}",
             *self.args, self.app],
            cwd=self.root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.label}: gunicorn did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(30)


def configurations() -> list[Server]:
    """The shipped choice, fewer workers, threads, and the bare reference."""
    return [
        Server(SHIPPED, []),
        Server("sync, 2 workers", ["--workers", "2"]),
        Server(f"sync, 2×CPU+1 = {2 * CPUS + 1} workers", ["--workers", str(2 * CPUS + 1)]),
        Server(f"gthread, {CPUS + 1} workers × 4 threads",
               ["--worker-class", "gthread", "--workers", str(CPUS + 1), "--threads", "4"]),
        Server("reference: bare WSGI app, shipped config", [], app="bench.bare_wsgi:app"),
    ]


def environment(database: Database, instance: Path) -> dict[str, str]:
    return production_env(database.name, instance, URL_SCHEME="http",
                          CUSTOM_DOMAINS_CANONICAL="0")


def one_round(server: Server, targets: list[Target], requests: int, clients: int) -> None:
    """``requests`` requests, ``clients`` at once, alternating between the targets."""
    client = server.client
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        latencies = list(pool.map(lambda n: hit(client, targets[n % len(targets)]),
                                  range(requests)))
    server.rates.append(requests / (time.perf_counter() - started))
    server.latencies.extend(latencies)


def report(servers: list[Server], config: str) -> str:
    shipped = statistics.median(servers[0].rates)
    heads = ("configuration", "req/s (median of rounds)", "p50 ms", "p95 ms", "÷ shipped")
    rows = []
    for server in servers:
        rate = statistics.median(server.rates)
        rows.append((server.label, f"{rate:.1f}",
                     f"{percentile(server.latencies, 0.5) * 1000:.1f}",
                     f"{percentile(server.latencies, 0.95) * 1000:.1f}", f"{rate / shipped:.2f}"))
    return "\n".join([config, "", *markdown_table(heads, rows)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=bounded(1, 100), default=5)
    parser.add_argument("--requests", type=bounded(10, 100_000), default=200,
                        help="requests per server per round (default 200)")
    parser.add_argument("--clients", type=bounded(1, 256), default=16,
                        help="connections at once (default 16)")
    args = parser.parse_args(argv)

    servers = configurations()
    with Database() as database:
        unit_id, rows = add_resident(database, 10)
        env = environment(database, database.instance)
        try:
            for server in servers:
                server.start(env)
            for server in servers:
                server.wait_ready()
                server.client = Client(server.port, f"{SLUG}.localhost:{server.port}")
                if server.app == "wsgi:app":
                    server.client.sign_in()
            pages = [Target("home", "/", STREET.encode(), signed_in=True),
                     Target("record", f"/lokale/{unit_id}", ACCOUNT.encode(), signed_in=True)]
            bare = [Target("bare", "/", b"ok", signed_in=False)]
            for _ in range(args.rounds + 1):  # the first round warms up and is dropped
                for server in servers:
                    one_round(server, bare if server.app != "wsgi:app" else pages,
                              args.requests, args.clients)
            for server in servers:
                del server.rates[0]
                server.latencies = server.latencies[args.requests:]
        finally:
            for server in servers:
                server.stop()
    config = (f"{machine()} · gunicorn, config/gunicorn.conf.py, "
              f"IOK_ENV=production · {args.clients} clients, keep-alive · {args.rounds} rounds "
              f"of {args.requests} requests per server, interleaved · home and financial "
              f"record ({rows} ledger rows) alternately")
    print(report(servers, config))
    return 0


if __name__ == "__main__":
    sys.exit(main())
