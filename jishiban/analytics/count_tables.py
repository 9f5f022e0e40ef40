"""Adding differences to the two count tables, in a few statements (called by ``rollup`` only).

A fill batch's difference is applied as ``INSERT … ON CONFLICT (key) DO UPDATE SET n = n +
excluded.n`` in multi-row statements — the same SQL on SQLite (3.24+) and PostgreSQL — and the
rows that reach zero are deleted afterwards. That replaces reading every row of the touched days
and writing them back one by one through the ORM, which was most of the fill's time.

``DailyCount`` keys are ``(counter, day, county, town, category, channel, type, unit)``;
``UnitDayCount`` keys are ``(counter, day, county, unit)``, the sums of the former (``coarse``).
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.db import connection

from .models import DailyCount, UnitDayCount

FINE = ("counter", "day", "county", "town", "category", "channel", "appeal_type", "unit")
COARSE = ("counter", "day", "county", "unit")
# 9 columns × 400 rows stays well under SQLite's limit of bound parameters.
ROWS_PER_STATEMENT = 400


def coarse(delta: Counter) -> Counter:
    """The day × county × unit sums of fine keys."""
    out: Counter = Counter()
    for (counter, day, county, _town, _category, _channel, _type, unit), n in delta.items():
        out[(counter, day, county, unit)] += n
    return Counter({k: v for k, v in out.items() if v})


def _add(model, fields: tuple[str, ...], delta: Counter) -> None:
    if not delta:
        return
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    cols = [q(f) for f in fields] + [q("n")]
    key = ", ".join(q(f) for f in fields)
    # Names are the model's own and quoted; every value is a bound parameter.
    day_at = fields.index("day")
    days_: dict = {}
    items = []
    for k, n in delta.items():
        d = k[day_at]
        if d not in days_:
            days_[d] = d if isinstance(d, date) else date.fromisoformat(d)
        items.append((*k[:day_at], days_[d], *k[day_at + 1:], n))
    row = "(" + ", ".join(["%s"] * len(cols)) + ")"
    with connection.cursor() as cursor:
        for i in range(0, len(items), ROWS_PER_STATEMENT):
            chunk = items[i:i + ROWS_PER_STATEMENT]
            values = ", ".join([row] * len(chunk))
            sql = (f"INSERT INTO {table} ({', '.join(cols)}) VALUES {values} "  # noqa: S608
                   f"ON CONFLICT ({key}) DO UPDATE SET {q('n')} = {table}.{q('n')} + excluded.{q('n')}")
            cursor.execute(sql, [v for r in chunk for v in r])
        days = sorted({r[day_at] for r in items})
        for i in range(0, len(days), 500):
            part = days[i:i + 500]
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(f"DELETE FROM {table} WHERE {q('n')} = 0 AND {q('day')} IN ({marks})", part)  # noqa: S608


def add(delta: Counter) -> int:
    """Add a fine difference to both tables; returns the number of fine keys changed."""
    _add(DailyCount, FINE, delta)
    _add(UnitDayCount, COARSE, coarse(delta))
    return len(delta)


def replace_days(start: date, end: date, sums: Counter) -> None:
    """Rewrite [start, end] of both tables with ``sums`` (fine keys)."""
    DailyCount.objects.filter(day__gte=start, day__lte=end).delete()
    UnitDayCount.objects.filter(day__gte=start, day__lte=end).delete()
    add(Counter({k: v for k, v in sums.items() if v}))


def coarse_counts(start: date, end: date) -> Counter:
    out: Counter = Counter()
    for counter, day, county, unit, n in (UnitDayCount.objects.filter(day__gte=start, day__lte=end)
                                          .values_list(*COARSE, "n").iterator(chunk_size=5000)):
        out[(counter, day.isoformat(), county, unit)] += n
    return out

