"""The workbench's list export (CSV and XLSX): the appeal exporter's columns, masked as the
reader may see them (``intake.exporter``), and logged as a web export."""

from __future__ import annotations

import io

from django.conf import settings

from jishiban.intake.exporter import csv_lines, log_export, rows, write_xlsx_rows
from jishiban.intake.exports import may_export
from jishiban.intake.models import ExportVia

__all__ = ["csv_stream", "export_limit", "log", "may_export", "xlsx_bytes"]

DEFAULT_LIMIT = 50000


def export_limit() -> int:
    return int(getattr(settings, "JISHIBAN_WEB_EXPORT_LIMIT", DEFAULT_LIMIT))


def csv_stream(user, appeals):
    """Lines of the CSV of ``appeals`` for ``user`` (streamed)."""
    return csv_lines(rows(user, appeals))


def xlsx_bytes(user, appeals) -> bytes:
    out = io.BytesIO()
    write_xlsx_rows(out, rows(user, appeals))
    return out.getvalue()


def log(user, *, filters: dict, fmt: str, row_count: int) -> None:
    log_export(user, via=ExportVia.WEB, filters=filters, fmt=fmt, row_count=row_count)
