"""Every kind of e-mail, built as the outbox builds it and read back as a mail program would:
the subject arrives exactly as written (no space lost where an encoded header is folded), and
every message to a person opens with the office's greeting."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest

from iok_saas.mail.messages import KINDS, render
from iok_saas.mail.models import OutboxMessage
from iok_saas.mail.outbox import build_email
from iok_saas.tenancy.info import get_tenant_info


@pytest.mark.parametrize("slug", ["zielone-wzgorza", "baltyk"])
def test_every_subject_reads_back_exactly_and_every_message_says_good_day(app, ctx, slug):
    from tests.helpers import tenant_ref

    info = get_tenant_info(tenant_ref(slug).id)
    assert KINDS, "no message kinds registered"
    for name, kind in KINDS.items():
        message = OutboxMessage(id="00000000-0000-0000-0000-000000000000", template=name,
                                recipient="anna.kowalska@example.org", context=kind.sample,
                                created_at=datetime(2026, 11, 30, tzinfo=UTC))
        with app.test_request_context():
            intended = render(info, name, kind.sample)
            raw = build_email(info, message).as_bytes()
        read = message_from_bytes(raw, policy=policy.default)
        assert read["Subject"] == intended.subject, name
        assert info.short_name in read["Subject"], name
        text = read.get_body(("plain",)).get_content()
        if "name" in kind.sample:  # to a person: the office's greeting, no "Szanowna Pani"
            assert text.startswith("Dzień dobry,"), name
        assert "Szanown" not in text, name
