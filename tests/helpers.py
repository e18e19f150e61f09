"""Helpers the tests share (fixtures stay in conftest.py; data factories in factories.py)."""

from __future__ import annotations

import time
from collections.abc import Callable

from iok_saas.db import db
from iok_saas.mail import outbox
from iok_saas.mail.models import OutboxMessage
from iok_saas.tenancy import tenant_context


def poll(condition: Callable[[], bool], seconds: float = 20, every: float = 0.1) -> bool:
    """Whether ``condition()`` became true within ``seconds`` (checked every ``every``): for
    what another process does (a worker, a browser), never a fixed sleep."""
    deadline = time.monotonic() + seconds
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(every)


def queue_test_message(app, tenant, address="jan.kowalski@example.org", **kwargs) -> str:
    """Queue one message as a request would: change + outbox row, commit, hand over."""
    with app.app_context(), tenant_context(tenant.id):
        message_id = outbox.queue_message("test_message", address, {"note": "Próba"},
                                          **kwargs).id
        db.session.commit()
    return message_id


def outbox_row(app, tenant, message_id) -> OutboxMessage:
    """The outbox row as the database has it now."""
    with app.app_context(), tenant_context(tenant.id):
        message = db.session.get(OutboxMessage, message_id)
        db.session.expunge(message)
        return message
