"""The background worker: ``python worker.py`` runs RQ jobs with the app context and scheduler.

Each job sets its own cooperative from its ``tenant_id`` argument (see ``iok_saas.jobs``).
"""

from __future__ import annotations

import argparse

from rq import Worker
from rq.serializers import JSONSerializer

from iok_saas import create_app
from iok_saas.extensions import redis_connection


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
        worker = Worker([app.config["RQ_QUEUE"]], connection=connection,
                        serializer=JSONSerializer)
        worker.work(burst=args.burst, with_scheduler=True)


if __name__ == "__main__":
    main()
