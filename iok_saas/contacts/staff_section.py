"""The contacts' section of the staff account page: what the resident receives by e-mail,
contact details from a paper request, and the history of both."""

from __future__ import annotations

from typing import Any

from flask import g

from iok_saas.audit import services as audit
from iok_saas.audit.models import (
    CONSENT_CHANGED,
    CONTACTS_CHANGED,
    EMAIL_CHANGE_ASKED,
    EMAIL_CHANGED,
)
from iok_saas.auth.models import RESIDENT
from iok_saas.contacts import consents
from iok_saas.contacts.forms import ContactsOnPaperForm
from iok_saas.web.phones import shown

CONTACT_EVENTS = (CONTACTS_CHANGED, EMAIL_CHANGE_ASKED, EMAIL_CHANGED, CONSENT_CHANGED)


def load(person: Any, given: dict[str, Any]) -> dict[str, Any] | None:
    """For residents: their choices (with since when), the paper form (the one given back with
    its errors, or filled with today's details) and the changes of both."""
    if person.role != RESIDENT:
        return None
    form = given.get("contacts_form") or ContactsOnPaperForm(data={
        "mobile": shown(person.phone), "landline": shown(person.landline),
        "email": person.email})
    return {"choices": consents.offered(g.tenant), "since": consents.since(person.id),
            "choice_labels": {c.name: c.label for c in consents.CHOICES.values()},
            "contacts_form": form, "history": audit.events_about(person.id, CONTACT_EVENTS)}
