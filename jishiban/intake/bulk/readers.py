"""Reading import files row by row: CSV (UTF-8 or GB18030), XLSX, JSON Lines, JSON arrays.

Each reader yields ``(row_number, dict)``; row numbers are what a person sees in the file
(the CSV/XLSX header is row 1, so the first record is row 2; JSONL counts lines from 1).
``estimate_rows`` gives a cheap total for the progress line (newlines, not parsed records).
"""

from __future__ import annotations

import codecs
import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path

FORMATS = ("csv", "xlsx", "jsonl", "json")
ENCODINGS = ("utf-8-sig", "gb18030")


class ReadError(Exception):
    """The file as a whole cannot be read (format, encoding, header)."""


def guess_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("csv", "txt", "tsv"):
        return "csv"
    if suffix in ("xlsx", "xlsm"):
        return "xlsx"
    if suffix in ("jsonl", "ndjson"):
        return "jsonl"
    if suffix == "json":
        with path.open("rb") as fh:
            head = fh.read(64).lstrip()
        return "json" if head.startswith(b"[") else "jsonl"
    raise ReadError(f"cannot tell the format of {path.name}; use --format")


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) unless the first 1 MB does not decode; then GB18030."""
    with path.open("rb") as fh:
        head = fh.read(1 << 20)
        complete = not fh.read(1)
    try:
        # Incremental: a multi-byte character cut at the end of the sample is not an error.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


def estimate_rows(path: Path, fmt: str) -> int | None:
    if fmt in ("csv", "jsonl"):
        count = 0
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 22), b""):
                count += chunk.count(b"\n")
        return max(0, count - (1 if fmt == "csv" else 0))
    return None


def read_csv(path: Path, encoding: str | None = None) -> Iterator[tuple[int, dict]]:
    csv.field_size_limit(min(sys.maxsize, 1 << 28))
    encoding = encoding or detect_encoding(path)
    with path.open("r", encoding=encoding, newline="") as fh:
        reader = csv.reader(fh)
        try:
            header = [h.strip().lstrip("\ufeff") for h in next(reader)]
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            raise ReadError(f"encoding {encoding}: {exc}")
        width = len(header)
        try:
            for record in reader:
                if not record or (len(record) == 1 and not record[0].strip()):
                    continue
                if len(record) < width:
                    record = record + [""] * (width - len(record))
                row = dict(zip(header, record, strict=False))
                if len(record) > width:
                    row["__extra__"] = record[width:]
                yield reader.line_num, row
        except UnicodeDecodeError as exc:
            raise ReadError(f"encoding {encoding} fails after line {reader.line_num}: {exc}")


def read_xlsx(path: Path) -> Iterator[tuple[int, dict]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        try:
            header = [str(h).strip() if h is not None else "" for h in next(rows)]
        except StopIteration:
            return
        for number, values in enumerate(rows, start=2):
            if values is None or all(v in (None, "") for v in values):
                continue
            yield number, {h: v for h, v in zip(header, values, strict=False) if h}
    finally:
        book.close()


def read_jsonl(path: Path) -> Iterator[tuple[int, dict]]:
    with path.open("r", encoding="utf-8-sig") as fh:
        for number, line in enumerate(fh, start=1):
            line = line.strip()
            if not line:
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, {"__error__": f"JSON: {exc.msg}"}
                continue
            yield number, value if isinstance(value, dict) else {"__error__": "not a JSON object"}


def read_json_array(path: Path) -> Iterator[tuple[int, dict]]:
    with path.open("r", encoding="utf-8-sig") as fh:
        try:
            data = json.load(fh)
        except json.JSONDecodeError as exc:
            raise ReadError(f"JSON: {exc.msg} (line {exc.lineno})")
    if not isinstance(data, list):
        raise ReadError("a JSON file must hold an array of objects (or use JSON Lines)")
    for number, value in enumerate(data, start=1):
        yield number, value if isinstance(value, dict) else {"__error__": "not a JSON object"}


def read(path: Path, fmt: str, encoding: str | None = None) -> Iterator[tuple[int, dict]]:
    if fmt == "csv":
        return read_csv(path, encoding)
    if fmt == "xlsx":
        return read_xlsx(path)
    if fmt == "jsonl":
        return read_jsonl(path)
    if fmt == "json":
        return read_json_array(path)
    raise ReadError(f"unknown format {fmt}")
