"""Phone numbers: read the way people write them, kept in E.164, shown the Polish way.

``phonenumbers`` (Google's libphonenumber data) knows which Polish numbers are mobile and which
are landlines, and the length and ranges of every country's numbers — not something to guess
with a regular expression. Polish is the default region; a foreign number starts with +.
"""

from __future__ import annotations

import re

import phonenumbers
from flask_babel import lazy_gettext as _l
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

REGION = "PL"
MOBILE, LANDLINE = "mobile", "landline"
# What a person may type besides digits: spaces, dashes, dots, brackets, slashes, a leading +.
WRITTEN = re.compile(r"^\+?[0-9 ().\-/]+$")
_TYPES = {
    MOBILE: {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE},
    LANDLINE: {PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE,
               PhoneNumberType.VOIP},
}


class PhoneProblem(ValueError):
    """Why a number cannot be accepted (a translated message)."""


def normalise(raw: str, kind: str | None = None) -> str:
    """The number in E.164 (``+48601234567``), checked as a ``kind`` number when given."""
    text = raw.strip()
    if not WRITTEN.fullmatch(text):
        raise PhoneProblem(_l("Write the number with digits only (a foreign number starts "
                              "with +)."))
    digits = sum(ch.isdigit() for ch in text)
    if digits > 15:
        raise PhoneProblem(_l("This number is too long: a phone number has at most 15 digits."))
    try:
        number = phonenumbers.parse(text, REGION)
    except NumberParseException as exc:
        raise PhoneProblem(_l("This is not a phone number.")) from exc
    if not phonenumbers.is_valid_number(number):
        raise PhoneProblem(_l("There is no such phone number. Please check the digits (a Polish "
                              "number has 9 digits)."))
    kind_of = phonenumbers.number_type(number)
    if kind == MOBILE and kind_of not in _TYPES[MOBILE]:
        raise PhoneProblem(_l("This is a landline number: please enter it in the landline "
                              "field."))
    if kind == LANDLINE and kind_of not in _TYPES[LANDLINE]:
        raise PhoneProblem(_l("This is a mobile number: please enter it in the mobile field."))
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def shown(value: str | None) -> str:
    """A stored number as people write it: ``601 234 567``, ``58 123 45 67``, ``+44 7911
    123456``; anything unreadable (kept from before) as it was."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, REGION)
    except NumberParseException:
        return value
    if not phonenumbers.is_valid_number(number):
        return value
    if phonenumbers.region_code_for_number(number) == REGION:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def masked(value: str | None) -> str:
    """For lists: only the last three digits (``••• ••• 567``)."""
    digits = "".join(ch for ch in value or "" if ch.isdigit())
    return f"••• ••• {digits[-3:]}" if len(digits) > 3 else ("—" if not digits else "•••")
