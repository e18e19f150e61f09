"""gunicorn behind nginx: ``gunicorn -c config/gunicorn.conf.py wsgi:app``.

nginx buffers requests and responses, so a slow or idle client never holds a worker: plain
sync workers are enough and simplest (one request per process, no thread-safety questions).

The counts come from ``bench/gunicorn_workers.py`` (bench/README.md). The pages are CPU-bound
(rendering, SQLAlchemy), so on 2 cores with 16 clients at once 2, 3 and 5 sync workers answered
99.6, 96.7 and 89.0 requests/s with p95 183, 201 and 233 ms: more processes than cores only
contend. Threads (gthread, 3 × 4) gave 89.5 requests/s and a p95 of 353 ms (the GIL). So: one
sync worker per core plus one, which keeps a long request (a PDF, an upload being stored) from
halving the site while costing little.
``IOK_WEB_WORKERS`` overrides it after a measurement on the production machine."""

import multiprocessing
import os
import shutil
import tempfile

bind = os.environ.get("IOK_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("IOK_WEB_WORKERS", multiprocessing.cpu_count() + 1))
worker_class = "sync"
timeout = int(os.environ.get("IOK_WEB_TIMEOUT", "120"))  # imports up to 512 MB are uploaded
graceful_timeout = 30
keepalive = 5  # nginx keeps connections to the app open (upstream keepalive)
# A worker is replaced now and then, so no slow leak lives for ever. Not too often: a new
# worker imports the whole app (about a second of CPU) while requests wait. At 2 000 requests a
# fast page (~1 500 req/s on 2 cores) replaced a worker every few seconds — bench/scale.py
# measured the anonymous page at a sixth of its speed in such a stretch — and at 20 000 the
# visitors' pages kept rendered (~4 000 req/s) replaced one every 15 s, with a p99 of 1.5 s.
max_requests = 200000
max_requests_jitter = 20000
forwarded_allow_ips = "127.0.0.1"
accesslog = None  # the app writes one request line itself (with the cooperative and request id)

# /metrics adds up the request figures of every worker process (prometheus-client's
# multiprocess mode): each writes its own files to this directory, emptied when gunicorn starts.
metrics_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", os.path.join(tempfile.gettempdir(), f"iok-metrics-{os.getpid()}"))


def on_starting(server):
    """Start the request figures from zero."""
    shutil.rmtree(metrics_dir, ignore_errors=True)
    os.makedirs(metrics_dir)


def child_exit(server, worker):
    """A worker process ended: its figures stay counted, its live gauges go."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
