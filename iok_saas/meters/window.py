"""The reading window: the days of the month on which residents may submit readings."""

from __future__ import annotations

import calendar
from datetime import date

from flask_babel import lazy_gettext as _l

from iok_saas.tenancy.settings import Readings as ReadingRules
from iok_saas.web.formatting import day, local_today

today = local_today  # the date every reading check and message uses


def _day_in(year: int, month: int, number: int) -> date:
    return date(year, month, min(number, calendar.monthrange(year, month)[1]))


def window_open(rules: ReadingRules, on: date) -> bool:
    """Whether residents may submit readings on this day."""
    if rules.always_open:
        return True
    start = _day_in(on.year, on.month, rules.window_start_day)
    end = _day_in(on.year, on.month, rules.window_end_day)
    if start <= end:
        return start <= on <= end
    return on >= start or on <= end  # e.g. 25th to 5th of the next month


def window_opens(rules: ReadingRules, on: date) -> date | None:
    """The next day the window opens (None when it is open or always open)."""
    if window_open(rules, on):
        return None
    start = _day_in(on.year, on.month, rules.window_start_day)
    if start > on:
        return start
    year, month = (on.year + 1, 1) if on.month == 12 else (on.year, on.month + 1)
    return _day_in(year, month, rules.window_start_day)


def window_message(rules: ReadingRules) -> str | None:
    """Why residents cannot submit today (None: the window is open)."""
    opens = window_opens(rules, today())
    if opens is None:
        return None
    return _l("We accept readings from day %(start)d to day %(end)d of the month. The next "
              "period begins on %(date)s.", start=rules.window_start_day,
              end=rules.window_end_day, date=day(opens))
