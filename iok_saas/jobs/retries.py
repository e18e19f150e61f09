"""Retries whose time has come go back onto their queue, moved by the scheduler process of
every worker (one at a time per queue, under a lock of a few seconds).

RQ keeps a job that failed and waits to be tried again in its scheduled registry, and only
RQ's own scheduler moves it back; that scheduler holds a lock that outlives a killed worker by a
minute and tries to take it again only every ten minutes, so after a restart retries (an
e-mail that met a mail server outage) could wait ten minutes. Here the lock lives
``LOCK_SECONDS`` and every tick tries it: whatever died, due retries move within seconds.
"""

from __future__ import annotations

import uuid

from flask import current_app
from rq import Queue
from rq.job import Job
from rq.serializers import JSONSerializer
from rq.utils import current_timestamp

from iok_saas.extensions import redis_connection
from iok_saas.jobs import queue_names
from iok_saas.tenancy.keys import platform_key

LOCK_SECONDS = 10
# Let go of the lock only if it is still ours (it may have run out and been taken by another).
RELEASE = ("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) "
           "else return 0 end")


def release_due() -> int:
    """Move every retry whose time has come onto its queue; how many were moved. Raises
    ``RedisError`` while Redis is away."""
    connection = redis_connection()
    if connection is None:
        return 0
    moved = 0
    for name in queue_names(current_app.config["RQ_QUEUE"]):
        lock, token = platform_key("retries-lock", name), uuid.uuid4().hex
        if not connection.set(lock, token, nx=True, ex=LOCK_SECONDS):
            continue  # another worker's scheduler is at it
        try:
            queue = Queue(name, connection=connection, serializer=JSONSerializer)
            registry = queue.scheduled_job_registry
            due = registry.get_jobs_to_schedule(current_timestamp())
            if not due:
                continue
            with connection.pipeline() as pipeline:
                for job in Job.fetch_many(due, connection=connection,
                                          serializer=JSONSerializer):
                    if job is not None:
                        queue.enqueue_job(job, pipeline=pipeline)
                        moved += 1
                for job_id in due:
                    registry.remove(job_id, pipeline=pipeline)
                pipeline.execute()
        finally:
            connection.eval(RELEASE, 1, lock, token)
    return moved
