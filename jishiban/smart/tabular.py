"""Reading citizens' CSV exports: encoding detection and column handling shared by the commands.

Exports arrive as UTF-8 (with or without BOM) or GB18030 (Excel on Chinese Windows). Reading
never guesses silently: a file that is neither raises ``ValueError`` naming the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

ENCODINGS = ("utf-8-sig", "gb18030")


def read_text(path: str | Path) -> str:
    raw = Path(path).read_bytes()
    for enc in ENCODINGS:
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ValueError(f"{path}: neither UTF-8 nor GB18030")


def read_rows(path: str | Path, *, header_only: bool = False) -> tuple[list[str], list[dict[str, str]]]:
    """(header, rows) of a CSV file; cells are stripped strings, missing cells are ``""``."""
    csv.field_size_limit(16 * 1024 * 1024)
    reader = csv.DictReader(io.StringIO(read_text(path), newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if header_only:
        return header, []
    rows = []
    for row in reader:
        rows.append({(k or "").strip(): (v or "").strip() if isinstance(v, str) else "" for k, v in row.items()})
    return header, rows


def split_columns(value: str | None) -> list[str]:
    return [c.strip() for c in (value or "").split(",") if c.strip()]


_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d")


def parse_time(value: str, tz: dt.tzinfo) -> dt.datetime | None:
    """A timestamp in one of the common export formats, as an aware datetime in ``tz``."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        parsed = None
        for fmt in _TIME_FORMATS:
            try:
                parsed = dt.datetime.strptime(value, fmt)  # noqa: DTZ007 - made aware just below
                break
            except ValueError:
                continue
    if parsed is None:
        raise ValueError(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
