"""Cells and files of the spreadsheet exports (CSV and XLSX), shared by every export."""

from __future__ import annotations

from django.utils import timezone

from .xmltext import xml_safe

# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text that a spreadsheet would take for a formula gets a leading apostrophe, characters
    XML cannot carry (XLSX is XML) become U+FFFD; other values pass unchanged."""
    if isinstance(value, str):
        value = xml_safe(value)
        if value[:1] in FORMULA_STARTS:
            return "'" + value
    return value


def local_minute(value) -> str:
    """A datetime as local ``YYYY-MM-DD HH:MM``; empty for ``None``."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def write_xlsx(stream, title: str, header: list, rows) -> int:
    """One sheet (``title``) of ``header`` and ``rows``, cells made safe, written to the binary
    ``stream`` without holding the workbook in memory; returns the number of rows."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=str(title))
    sheet.append([str(h) for h in header])
    count = 0
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
        count += 1
    book.save(stream)
    return count
