"""Readable appeal numbers: prefix + receipt date + daily sequence (JN2026112700001)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import connection

from .models import NumberSequence

_TABLE = NumberSequence._meta.db_table


def allocate(day: date, count: int = 1) -> list[str]:
    """Reserve ``count`` consecutive numbers for ``day``.

    One statement, ``INSERT … ON CONFLICT (day) DO UPDATE … RETURNING`` (SQLite ≥ 3.35,
    PostgreSQL): it creates the day's counter or advances it and reads the new value at once,
    holding the day's row lock (PostgreSQL; SQLite serialises writers anyway) only while it
    runs. Called outside a transaction (live intake), the reservation commits at once, so
    concurrent intakes never queue behind each other's appeal transactions — an appeal that then
    fails leaves a gap in the day's numbers. Called inside one (bulk import), the numbers belong
    to it and are given back on rollback. Either way two callers never get the same number.
    """
    if count < 1:
        return []
    table, last, day_column = (connection.ops.quote_name(n) for n in (_TABLE, "last", "day"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({day_column}, {last}) VALUES (%s, %s) "  # noqa: S608
            f"ON CONFLICT ({day_column}) DO UPDATE SET {last} = {table}.{last} + excluded.{last} RETURNING {last}",
            [connection.ops.adapt_datefield_value(day), count],
        )
        last_number = cursor.fetchone()[0]
    first = last_number - count + 1
    stamp = day.strftime("%Y%m%d")
    prefix = settings.JISHIBAN["NUMBER_PREFIX"]
    return [f"{prefix}{stamp}{n:05d}" for n in range(first, last_number + 1)]
