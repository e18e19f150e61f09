"""An announcement e-mailed to hundreds of residents while the worker is killed half-way: once
it runs again, every resident has exactly one e-mail queued, and the mail server receives no
message twice."""

from __future__ import annotations

from sqlalchemy import func, insert, select

from iok_saas.announcements import services
from iok_saas.auth.models import RESIDENT, User
from iok_saas.auth.passwords import hash_password
from iok_saas.db import db
from iok_saas.estate.models import Building, Unit, UnitTitle
from iok_saas.mail.models import FAILED, SENT, OutboxMessage
from iok_saas.tenancy import tenant_context
from tests.fixtures.mail import kill_worker, start_worker
from tests.helpers import poll

RESIDENTS = 120


def _residents(app, tenant) -> None:
    """A building of ``RESIDENTS`` flats, each with a resident who wants announcements."""
    secret = hash_password("Nieuzywane123")
    with app.app_context(), tenant_context(tenant.id):
        building = Building(street="ul. Masowa", number="1", postal_code="80-001", city="Gdańsk")
        db.session.add(building)
        db.session.flush()
        db.session.execute(insert(Unit), [{"building_id": building.id, "number": str(n),
                                           "tenant_id": tenant.id} for n in range(RESIDENTS)])
        units = db.session.scalars(select(Unit.id).where(Unit.building_id == building.id)
                                   .order_by(Unit.id)).all()
        db.session.execute(insert(User), [
            {"identifier": f"M{n:05d}", "role": RESIDENT, "first_name": "Jan",
             "last_name": f"Masowy{n}", "email": f"m{n}@example.org", "password_hash": secret,
             "announcement_emails": True, "tenant_id": tenant.id} for n in range(RESIDENTS)])
        users = db.session.scalars(select(User.id).where(User.identifier.like("M%"))
                                   .order_by(User.id)).all()
        db.session.execute(insert(UnitTitle), [
            {"unit_id": unit, "user_id": user, "tenant_id": tenant.id}
            for unit, user in zip(units, users, strict=True)])
        clerk = User(identifier="urzednik", role="clerk", first_name="Ewa", last_name="Biurowa",
                     password_hash=secret)
        db.session.add(clerk)
        db.session.flush()
        services.save(services.Draft(title="Wyłączenie prądu", body="Przegląd rozdzielni.",
                                     kind="general", send_email=True), clerk)
        db.session.commit()


def _counts(app, tenant) -> dict[str, int]:
    with app.app_context(), tenant_context(tenant.id):
        return dict(db.session.execute(
            select(OutboxMessage.status, func.count()).where(
                OutboxMessage.template == "announcement")
            .group_by(OutboxMessage.status)).all())


def test_a_worker_killed_half_way_through_an_announcement_sends_nobody_twice(
        make_app, smtp, baltyk):
    # The send cut off by the kill is settled by the relay after OUTBOX_STALE_SECONDS.
    app = make_app(ANNOUNCEMENT_BATCH=20, ANNOUNCEMENT_STALE_SECONDS=15,
                   ANNOUNCEMENT_RESUME_SECONDS=2, OUTBOX_RELAY_SECONDS=1,
                   OUTBOX_STALE_SECONDS=5, SCHEDULER_TICK_SECONDS=1, JOB_TIMEOUT=10)
    _residents(app, baltyk)  # the request committed: one fan-out job waits in the queue
    worker = start_worker(app.config)
    try:
        assert poll(lambda: len(smtp.mailbox.received) >= 30, seconds=60)
    finally:
        kill_worker(worker)  # SIGKILL, mid-batch and mid-send
    assert len(smtp.mailbox.received) < RESIDENTS, "killed too late to test anything"
    worker = start_worker(app.config)
    try:
        assert poll(lambda: sum(_counts(app, baltyk).values()) == RESIDENTS
                    and _counts(app, baltyk).get("pending", 0) == 0
                    and _counts(app, baltyk).get("sending", 0) == 0, seconds=150)
    finally:
        kill_worker(worker)
    counts = _counts(app, baltyk)
    addresses = [m["To"] for m in smtp.mailbox.received]
    assert len(addresses) == len(set(addresses)), "a resident got the announcement twice"
    # Every resident has exactly one message; at most the one cut off mid-send is "unknown".
    assert counts.get(SENT, 0) + counts.get(FAILED, 0) == RESIDENTS
    assert counts.get(FAILED, 0) <= 1
    assert len(addresses) >= RESIDENTS - 1
