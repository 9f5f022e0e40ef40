"""How every page shows a time or a date: local time, the year only when it is not this year.

``12-09 17:30`` for this year, ``2025-12-09 17:30`` for another; dates likewise
(``12-09`` / ``2025-12-09``). Templates use the ``when`` filter (a builtin of every template,
``core/templatetags/when.py``); code that writes text for a page calls ``when`` here.
Spreadsheet cells keep their full ``YYYY-MM-DD HH:MM`` (``core.spreadsheets.local_minute``):
a file is read later and elsewhere.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone


def _parsed(text: str):
    """An ISO date or datetime string as a ``date``/``datetime``; the text itself when it is neither."""
    try:
        return datetime.fromisoformat(text) if ("T" in text or " " in text) else date.fromisoformat(text)
    except ValueError:
        return text


def when(value, *, today: date | None = None) -> str:
    """``value`` (an aware datetime, a date, or an ISO string of either) as pages show it; ``—``
    when empty, the text unchanged when it is no date."""
    if value in (None, ""):
        return "—"
    if isinstance(value, str):
        value = _parsed(value)
        if isinstance(value, str):
            return value
    today = today or timezone.localdate()
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        pattern = "%m-%d %H:%M" if value.year == today.year else "%Y-%m-%d %H:%M"
        return value.strftime(pattern)
    if isinstance(value, date):
        return value.strftime("%m-%d" if value.year == today.year else "%Y-%m-%d")
    return str(value)


def day(value, *, today: date | None = None) -> str:
    """Only the day of ``value`` (a date, or a datetime in local time), the year when not this year."""
    if value in (None, ""):
        return "—"
    if isinstance(value, str):
        value = _parsed(value)
        if isinstance(value, str):
            return value
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return when(value, today=today)
