"""Password rules: the cooperative's own rule plus a platform floor no cooperative can lower.

Floor (NIST SP 800-63B in spirit): any Unicode, at least 64 characters accepted and nothing
truncated, common passwords refused (a shipped list that includes Polish ones), no identifier,
own name or cooperative name inside, not the initial password again.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import ngettext

from iok_saas.tenancy.settings import PasswordPolicy

MAX_LENGTH = 1024  # far above the 64 the floor promises; stops 10 000-character denial of service
COMMON_FILE = Path(__file__).with_name("common_passwords.txt")
GENERIC_NAME_WORDS = {"spółdzielnia", "spoldzielnia", "mieszkaniowa", "mieszkaniowej", "osiedle"}
_FOLD = str.maketrans("ąćęłńóśźż", "acelnoszz")


def fold(text: str) -> str:
    """Lower case without Polish diacritics, for comparisons people would call 'the same'."""
    return unicodedata.normalize("NFKC", text).lower().translate(_FOLD)


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, folded."""
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(fold(line) for line in lines if line and not line.startswith("#"))


def _is_common(password: str) -> bool:
    folded = fold(password)
    core = folded.strip("0123456789!@#$%^&*()_-+=.,;:?~ ")
    return folded in common_passwords() or (len(core) >= 4 and core in common_passwords()
                                            and len(folded) - len(core) <= 4)


def describe(policy: PasswordPolicy) -> str:
    """The cooperative's rule in plain Polish, e.g. for Zielone Wzgórza:
    'Hasło musi mieć co najmniej 6 znaków i zawierać co najmniej 1 cyfrę.'"""
    needs = [label for flag, label in (
        (policy.require_lower, _("a lower-case letter")),
        (policy.require_upper, _("an upper-case letter")),
        (policy.require_digit, _("a digit")),
        (policy.require_special, _("a special character (e.g. ! or #)")),
    ) if flag]
    length = ngettext("The password must be at least %(num)d character long",
                      "The password must be at least %(num)d characters long",
                      policy.min_length)
    if not needs:
        return f"{length}."
    listed = needs[0] if len(needs) == 1 else _("%(items)s and %(last)s",
                                               items=", ".join(needs[:-1]), last=needs[-1])
    return _("%(length)s and contain at least %(needs)s.", length=length, needs=listed)


def floor_text() -> str:
    """The platform floor in plain Polish."""
    return _("It must not contain your identifier, your name or the cooperative's name, and must "
             "not be a commonly used password.")


def _names(identifier: str, personal: list[str], cooperative: list[str]) -> list[str]:
    words = [identifier, *personal]
    for name in cooperative:
        words.extend(name.replace("„", " ").replace("”", " ").replace('"', " ").split())
    return [fold(w) for w in words if len(w) >= 3 and fold(w) not in GENERIC_NAME_WORDS]


def problems(password: str, policy: PasswordPolicy, *, identifier: str = "",
             personal_names: list[str] | None = None, cooperative_names: list[str] | None = None,
             ) -> list[str]:
    """Everything wrong with ``password``, in Polish; empty when it may be used."""
    found: list[str] = []
    if len(password) > MAX_LENGTH:
        return [_("The password is too long (at most %(num)d characters).", num=MAX_LENGTH)]
    if any(unicodedata.category(ch) == "Cc" for ch in password):
        return [_("The password must not contain control characters.")]
    if len(password) < policy.min_length:
        found.append(ngettext("It is shorter than %(num)d character.",
                              "It is shorter than %(num)d characters.", policy.min_length))
    for flag, test, message in (
        (policy.require_lower, str.islower, _("It has no lower-case letter.")),
        (policy.require_upper, str.isupper, _("It has no upper-case letter.")),
        (policy.require_digit, str.isdigit, _("It has no digit.")),
        (policy.require_special, lambda ch: not ch.isalnum() and not ch.isspace(),
         _("It has no special character.")),
    ):
        if flag and not any(test(ch) for ch in password):
            found.append(message)
    folded = fold(password)
    if any(name in folded for name in _names(identifier, personal_names or [],
                                             cooperative_names or [])):
        found.append(_("It contains your identifier, your name or the cooperative's name."))
    if _is_common(password):
        found.append(_("It is a commonly used password, easy to guess."))
    return found
