"""The one place that formats money, dates and account numbers the Polish way."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.numbers import format_currency
from flask import Flask

WARSAW = ZoneInfo("Europe/Warsaw")


def money(amount: Decimal | int | str | None) -> str:
    """``1 234,56 zł`` (never a float on the way)."""
    if amount is None:
        return ""
    return format_currency(Decimal(amount), "PLN", locale="pl_PL")


def day(value: date | datetime | None) -> str:
    """``21.11.2026``."""
    return value.strftime("%d.%m.%Y") if value else ""


def daytime(value: datetime | None) -> str:
    """``21.11.2026 14:05`` in Polish time."""
    if value is None:
        return ""
    return value.astimezone(WARSAW).strftime("%d.%m.%Y %H:%M")


def nrb(number: str | None) -> str:
    """``12 3456 7890 1234 5678 9012 3456``: a 26-digit account number in groups."""
    digits = "".join(ch for ch in (number or "") if ch.isdigit())
    if len(digits) != 26:
        return number or ""
    return " ".join([digits[:2]] + [digits[i : i + 4] for i in range(2, 26, 4)])


def init_app(app: Flask) -> None:
    """Expose the formatters to templates as filters."""
    app.add_template_filter(money, "money")
    app.add_template_filter(day, "day")
    app.add_template_filter(daytime, "daytime")
    app.add_template_filter(nrb, "nrb")
