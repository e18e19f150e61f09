"""gunicorn behind nginx: ``gunicorn -c config/gunicorn.conf.py wsgi:app``.

nginx buffers requests and responses, so a slow or idle client never holds a worker: plain
sync workers are enough and simplest (one request per process, no thread-safety questions).
The counts are gunicorn's rule of thumb until a measurement on the production machine says
otherwise (``IOK_WEB_WORKERS``)."""

import multiprocessing
import os

bind = os.environ.get("IOK_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("IOK_WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("IOK_WEB_TIMEOUT", "120"))  # imports up to 512 MB are uploaded
graceful_timeout = 30
keepalive = 5  # nginx keeps connections to the app open (upstream keepalive)
max_requests = 2000  # a worker is replaced now and then: no slow leak lives for ever
max_requests_jitter = 200
forwarded_allow_ips = "127.0.0.1"
accesslog = None  # the app writes one request line itself (with the cooperative and request id)
