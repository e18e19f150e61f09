"""Dates people plan around, in words: "od poniedziałku 7.12 od 8:00 do wtorku 8.12 do 14:00"."""

from __future__ import annotations

from datetime import datetime

from flask_babel import get_locale

from iok_saas.web.formatting import WARSAW

# Polish weekdays: genitive ("od poniedziałku", "do wtorku") and accusative ("w środę").
_GENITIVE = ("poniedziałku", "wtorku", "środy", "czwartku", "piątku", "soboty", "niedzieli")
_ACCUSATIVE = ("poniedziałek", "wtorek", "środę", "czwartek", "piątek", "sobotę", "niedzielę")
_ENGLISH = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _polish() -> bool:
    locale = get_locale()
    return locale is None or locale.language == "pl"


def when(starts: datetime | None, ends: datetime | None = None) -> str:
    """From when to when, in the reader's language, Polish time."""
    if starts is None:
        return ""
    start = starts.astimezone(WARSAW)
    end = ends.astimezone(WARSAW) if ends is not None else None
    day = f"{start.day}.{start.month:02d}"
    if _polish():
        on = f"{'we' if start.weekday() == 1 else 'w'} {_ACCUSATIVE[start.weekday()]} {day}"
        if end is None:
            return f"{on} o {start:%-H:%M}"
        if end.date() == start.date():
            return f"{on} od {start:%-H:%M} do {end:%-H:%M}"
        return (f"od {_GENITIVE[start.weekday()]} {day} od {start:%-H:%M} "
                f"do {_GENITIVE[end.weekday()]} {end.day}.{end.month:02d} do {end:%-H:%M}")
    if end is None:
        return f"on {_ENGLISH[start.weekday()]} {day} at {start:%-H:%M}"
    if end.date() == start.date():
        return f"on {_ENGLISH[start.weekday()]} {day} from {start:%-H:%M} to {end:%-H:%M}"
    return (f"from {_ENGLISH[start.weekday()]} {day} at {start:%-H:%M} "
            f"to {_ENGLISH[end.weekday()]} {end.day}.{end.month:02d} at {end:%-H:%M}")
