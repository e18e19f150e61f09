"""The announcement e-mail (sent through the outbox, on the bulk queue)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from iok_saas.mail.messages import MessageKind, register

register(MessageKind(
    name="announcement",
    subject=_l("Announcement: %(title)s"),
    description=_l("Sent when staff publish an announcement with e-mail, to residents it is "
                   "meant for who asked for announcements by e-mail."),
    sample={"name": "Anna Kowalska", "title": "Wyłączenie wody w budynku ul. Morska 12",
            "when": "od poniedziałku 7.12 od 8:00 do wtorku 8.12 do 14:00",
            "body": "Z powodu wymiany zaworów wody nie będzie.",
            "body_html": "<p>Z powodu wymiany zaworów wody nie będzie.</p>",
            "link": "https://example.org/ogloszenia/1"},
))
