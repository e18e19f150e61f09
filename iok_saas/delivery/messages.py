"""The e-mail telling a person a document was delivered to their unit (no content, a link)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from iok_saas.delivery.services import MAIL, mail_accepted
from iok_saas.mail.messages import MessageKind, register

UNIT_DOCUMENT = register(MessageKind(
    name=MAIL,
    subject=_l("A new document for your unit"),
    description=_l("Sent to each person who consented to electronic delivery when a document "
                   "is delivered to their unit: the kind and the unit, and a link — never the "
                   "document's content."),
    sample={"document": 1, "unit": "ul. Polna 3 m. 12, 62-095 Murowana Goślina",
            "kind": "Zawiadomienie o zmianie opłat",
            "url": "https://example.invalid/moje-dokumenty?lokal=1"},
    on_sent=mail_accepted,
))
