"""How dates and times of sessions are written, in French (Europe/Paris): « jeudi 1er octobre
2026 », « 9 h », « 9 h 30 »."""

from __future__ import annotations

import datetime
import zoneinfo

from django.utils import formats, translation

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def _fr() -> bool:
    return (translation.get_language() or "fr").startswith("fr")


def day_text(value: datetime.date | datetime.datetime) -> str:
    if isinstance(value, datetime.datetime):
        value = value.astimezone(PARIS).date()
    if not _fr():
        return formats.date_format(value, "l j F Y")
    day = "1er" if value.day == 1 else str(value.day)
    weekday, month = formats.date_format(value, "l"), formats.date_format(value, "F")
    return f"{weekday} {day} {month} {value.year}"


def time_text(value: datetime.datetime) -> str:
    local = value.astimezone(PARIS)
    if not _fr():
        return local.strftime("%H:%M")
    return f"{local.hour} h" if local.minute == 0 else f"{local.hour} h {local.minute:02d}"


def when_text(starts_at: datetime.datetime, ends_at: datetime.datetime | None = None) -> str:
    """« jeudi 1er octobre 2026 de 9 h à 12 h 30 » (Paris time)."""
    text = day_text(starts_at)
    if ends_at is None:
        return f"{text}, {time_text(starts_at)}"
    if ends_at.astimezone(PARIS).date() != starts_at.astimezone(PARIS).date():
        return f"{text}, {time_text(starts_at)} – {day_text(ends_at)}, {time_text(ends_at)}"
    return f"{text} de {time_text(starts_at)} à {time_text(ends_at)}"
