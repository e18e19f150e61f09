"""The kinds of documents delivered to units and the dates the law sets for them.

Art. 4 of the housing cooperatives act (ustawa o spółdzielniach mieszkaniowych), as amended by
Dz.U. 2009 nr 202 poz. 1550:

* ust. 7 — "O zmianie wysokości opłat spółdzielnia jest obowiązana zawiadomić osoby […] co
  najmniej na 3 miesiące naprzód na koniec miesiąca kalendarzowego": the notice period is
  three whole months and ends at a month's end, so a notice delivered in December makes a
  change lawful from 1 April at the earliest (``earliest_fee_change``);
* ust. 7¹ — a change of the fees covering costs independent of the cooperative (energy, gas,
  water, sewage, waste): "co najmniej na 14 dni przed upływem terminu do wnoszenia opłat, ale
  nie później niż ostatniego dnia miesiąca poprzedzającego ten termin";
* ust. 6 — fees are paid monthly in advance by the 10th (the statute may set another day:
  the tenant file's ``delivery.payment_day``).

The notice counts as delivered the day it is made available in the portal (the consent's
rules say so); for those who did not consent the office delivers it on paper, and the date
of that delivery is what counts for them.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l

FEE_CHANGE, FEE_CHANGE_INDEPENDENT = "fee_change", "fee_change_independent"
SETTLEMENT, MEETING_NOTICE, CERTIFICATE, INVOICE, OTHER = (
    "settlement", "meeting_notice", "certificate", "invoice", "other")


@dataclass(frozen=True)
class Kind:
    """A kind of document: its name for people, the words a manifest may use for it."""

    name: str
    label: Any
    words: tuple[str, ...]
    needs_date: bool = False  # the manifest must give its effective date
    needs_ksef: bool = False


KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind(FEE_CHANGE, _l("Notice of a change of fees"),
         ("zawiadomienie o zmianie opłat", "zmiana opłat", "zmiana_oplat"), needs_date=True),
    Kind(FEE_CHANGE_INDEPENDENT,
         _l("Notice of a change of fees for costs independent of the cooperative"),
         ("zmiana opłat niezależnych", "zmiana opłat niezależnych od spółdzielni",
          "zmiana_oplat_niezaleznych"), needs_date=True),
    Kind(SETTLEMENT, _l("Settlement"), ("rozliczenie",)),
    Kind(MEETING_NOTICE, _l("Notice of the general meeting"),
         ("zawiadomienie o walnym zgromadzeniu", "walne zgromadzenie", "walne"),
         needs_date=True),
    Kind(CERTIFICATE, _l("Certificate"), ("zaświadczenie",)),
    Kind(INVOICE, _l("Invoice"), ("faktura",), needs_ksef=True),
    Kind(OTHER, _l("Other document"), ("inne", "inny dokument")),
)}


def plain(word: str) -> str:
    """A word as compared: lower case, single spaces, Polish letters kept."""
    return " ".join(word.lower().replace("_", " ").split())


WORDS = {plain(word): kind.name for kind in KINDS.values() for word in (*kind.words, kind.name)}


def kind_of(word: str) -> str | None:
    """The kind a manifest's word names, or None."""
    return WORDS.get(plain(word))


def _month_start(year: int, month: int) -> date:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year, month, 1)


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def earliest_fee_change(delivered: date) -> date:
    """Art. 4 ust. 7: the first day a change notified on ``delivered`` may take effect — the
    day after the end of the month that closes three whole months of notice."""
    return _month_start(delivered.year, delivered.month + 4)


def independent_deadline(effective: date, payment_day: int) -> date:
    """Art. 4 ust. 7¹: the last day to notify a change of independent costs taking effect on
    ``effective`` — 14 days before that month's fees are due, and not after the last day of
    the month before."""
    due = effective.replace(day=payment_day)
    return min(due - timedelta(days=14), effective.replace(day=1) - timedelta(days=1))


def earliest_independent(delivered: date, payment_day: int) -> date:
    """Art. 4 ust. 7¹: the first month's first day a change of independent costs notified on
    ``delivered`` may take effect."""
    month = _month_start(delivered.year, delivered.month)
    while independent_deadline(month, payment_day) < delivered:
        month = _month_start(month.year, month.month + 1)
    return month


def latest_notice(kind: str, effective: date, payment_day: int) -> date | None:
    """The last day a notice of ``kind`` taking effect on ``effective`` may be delivered
    (None: the law sets no date for this kind)."""
    if kind == FEE_CHANGE:
        return _month_end(_month_start(effective.year, effective.month - 4))
    if kind == FEE_CHANGE_INDEPENDENT:
        return independent_deadline(effective, payment_day)
    return None


def earliest_effective(kind: str, delivered: date, payment_day: int) -> date | None:
    """The earliest lawful effective date of a notice of ``kind`` delivered on ``delivered``
    (None: the law sets none)."""
    if kind == FEE_CHANGE:
        return earliest_fee_change(delivered)
    if kind == FEE_CHANGE_INDEPENDENT:
        return earliest_independent(delivered, payment_day)
    return None


def too_late(kind: str, effective: date | None, delivered: date, payment_day: int) -> Any:
    """Why a notice of ``kind`` taking effect on ``effective`` cannot be delivered on
    ``delivered`` (a message naming the dates), or None."""
    if effective is None:
        return None
    last = latest_notice(kind, effective, payment_day)
    if last is None or delivered <= last:
        return None
    earliest = earliest_effective(kind, delivered, payment_day)
    if kind == FEE_CHANGE:
        return _l("a change of fees from %(effective)s had to be notified by %(last)s (art. 4 "
                  "ust. 7: three months ahead, to the end of a calendar month); delivered "
                  "today, it may take effect from %(earliest)s at the earliest",
                  effective=_day(effective), last=_day(last), earliest=_day(earliest))
    return _l("a change of fees for independent costs from %(effective)s had to be notified by "
              "%(last)s (art. 4 ust. 7¹: 14 days before the fees are due, and within the month "
              "before); delivered today, it may take effect from %(earliest)s at the earliest",
              effective=_day(effective), last=_day(last), earliest=_day(earliest))


def _day(value: date) -> str:
    return f"{value:%d.%m.%Y}"
