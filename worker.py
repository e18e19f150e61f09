"""The background worker: ``python worker.py`` runs RQ jobs with the app context and scheduler.

Each job sets its own cooperative from its ``tenant_id`` argument (see ``iok_saas.jobs``).
The worker also keeps the outbox relay running: it hands over e-mails whose job never
reached Redis and closes sends that were cut off (see ``iok_saas.mail.outbox``).
"""

from __future__ import annotations

import argparse

from rq import Worker
from rq.serializers import JSONSerializer

from iok_saas import create_app
from iok_saas.extensions import redis_connection
from iok_saas.jobs import JobSpec, enqueue_now


def main() -> None:
    """Start a worker on the configured queue (``--burst`` stops when the queue is empty)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        connection = redis_connection()
        if connection is None:
            raise SystemExit("IOK_REDIS_URL is not set: jobs run in-process, no worker needed.")
        if not args.burst:
            enqueue_now(JobSpec("iok_saas.mail.outbox.relay_job", None,
                                job_id="iok-outbox-relay"))
        worker = Worker([app.config["RQ_QUEUE"]], connection=connection,
                        serializer=JSONSerializer)
        worker.work(burst=args.burst, with_scheduler=True)


if __name__ == "__main__":
    main()
