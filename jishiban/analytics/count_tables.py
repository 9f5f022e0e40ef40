"""Adding differences to the two count tables, in a few statements (called by ``rollup`` only).

A fill batch's difference is applied as ``INSERT … ON CONFLICT (key) DO UPDATE SET n = n +
excluded.n`` — one prepared statement over the rows sorted by the unique key, the same SQL on
SQLite (3.24+) and PostgreSQL — and the rows that reach zero (only a negative difference can
bring one there) are deleted by key. That replaces reading every row of the touched days
and writing them back one by one through the ORM, which was most of the fill's time.

``DailyCount`` keys are ``(counter, day, county, town, category, channel, type, unit)``;
``UnitDayCount`` keys are ``(counter, day, county, unit)``, the sums of the former (``coarse``);
``UnitMonthCount`` keys ``(counter, month, county, unit)``, their sums by month (``monthly``).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from operator import itemgetter

from django.db import connection
from django.db.models import Sum
from django.db.models.functions import TruncMonth

from .models import DailyCount, UnitDayCount, UnitMonthCount

FINE = ("counter", "day", "county", "town", "category", "channel", "appeal_type", "unit")
COARSE = ("counter", "day", "county", "unit")
MONTHLY = ("counter", "month", "county", "unit")


def coarse(delta: Counter) -> Counter:
    """The day × county × unit sums of fine keys."""
    out: Counter = Counter()
    for (counter, day, county, _town, _category, _channel, _type, unit), n in delta.items():
        out[(counter, day, county, unit)] += n
    return Counter({k: v for k, v in out.items() if v})


def whole_months(start: date, end: date) -> tuple[date | None, date | None]:
    """First days of the first and the last calendar month lying wholly in [start, end];
    ``(None, None)`` when none does."""
    first = start if start.day == 1 else (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    after = end + timedelta(days=1)
    stop = after if after.day == 1 else end.replace(day=1)  # the 1st after the last whole month
    if first >= stop:
        return None, None
    return first, (stop - timedelta(days=1)).replace(day=1)


def _first_of_month(d) -> date:
    return (d if isinstance(d, date) else date.fromisoformat(d)).replace(day=1)


def monthly(coarse_delta: Counter) -> Counter:
    """The month × county × unit sums of coarse keys (a month is its first day)."""
    out: Counter = Counter()
    firsts: dict = {}
    for (counter, day, county, unit), n in coarse_delta.items():
        if day not in firsts:
            firsts[day] = _first_of_month(day)
        out[(counter, firsts[day], county, unit)] += n
    return Counter({k: v for k, v in out.items() if v})


def _add(model, fields: tuple[str, ...], delta: Counter) -> None:
    """Upsert ``delta`` in the order of the table's unique key, so consecutive rows land on
    neighbouring index pages instead of jumping across the whole table (on a busy day most of
    the fill's time was that jumping), with one prepared single-row statement run over all rows
    (``executemany``: no SQL text of thousands of parameters to build and translate per chunk).
    Only keys whose difference is negative can reach zero; those keys' rows at zero are then
    deleted by key — no scan of the days' rows."""
    if not delta:
        return
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    cols = [q(f) for f in fields] + [q("n")]
    key = ", ".join(q(f) for f in fields)
    # Names are the model's own and quoted; every value is a bound parameter.
    day_at = fields.index("month" if "month" in fields else "day")
    order = itemgetter(day_at, *(i for i in range(len(fields)) if i != day_at))  # the unique key's order
    # SQLite stores a date as its ISO text: passing the text spares the driver's date adapter
    # (a million calls on a busy day); PostgreSQL takes date objects.
    as_text = connection.vendor == "sqlite"
    days_: dict = {}
    rows = []
    for k, n in delta.items():
        d = k[day_at]
        if d not in days_:
            if as_text:
                days_[d] = d.isoformat() if isinstance(d, date) else d
            else:
                days_[d] = d if isinstance(d, date) else date.fromisoformat(d)
        rows.append((*k[:day_at], days_[d], *k[day_at + 1:], n))
    rows.sort(key=order)
    marks = ", ".join(["%s"] * len(cols))
    upsert = (f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks}) "  # noqa: S608
              f"ON CONFLICT ({key}) DO UPDATE SET {q('n')} = {table}.{q('n')} + excluded.{q('n')}")
    where = " AND ".join(f"{q(f)} = %s" for f in fields)
    negative = [r[:-1] for r in rows if r[-1] < 0]
    if connection.vendor == "postgresql":
        types = [pg_array_type(model._meta.get_field(f)) for f in (*fields, "n")]
        upsert_rows(table, cols, types, rows, f"ON CONFLICT ({key}) DO UPDATE SET {q('n')} = {table}.{q('n')} + "
                                              f"excluded.{q('n')}")
        if negative:
            keys = ", ".join(cols[:-1])
            for part in _chunks(negative):
                with connection.cursor() as cursor:
                    cursor.execute(f"DELETE FROM {table} WHERE {q('n')} = 0 AND ({keys}) IN "  # noqa: S608
                                   f"(SELECT * FROM unnest({', '.join(f'%s::{t}[]' for t in types[:-1])}))",
                                   [list(c) for c in zip(*part, strict=True)])
        return
    with connection.cursor() as cursor:
        cursor.executemany(upsert, rows)
        if negative:
            cursor.executemany(f"DELETE FROM {table} WHERE {q('n')} = 0 AND {where}", negative)  # noqa: S608


def _chunks(rows: list, size: int = 20000):
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def pg_array_type(f) -> str:
    """The PostgreSQL element type an ``unnest`` array of field ``f``'s values is cast to."""
    from django.db import models

    if isinstance(f, models.DateField):
        return "date"
    if isinstance(f, models.JSONField):
        return "jsonb"
    if isinstance(f, models.IntegerField | models.BigIntegerField | models.PositiveIntegerField):
        return "bigint"
    return "text"


def upsert_rows(table: str, cols: list[str], types: list[str], rows: list, conflict: str) -> None:
    """PostgreSQL: ``rows`` inserted by one statement per 20,000 — the columns passed as arrays
    and unnested — instead of one round trip per row (``executemany``)."""
    arrays = ", ".join(f"%s::{t}[]" for t in types)
    sql = f"INSERT INTO {table} ({', '.join(cols)}) SELECT * FROM unnest({arrays}) {conflict}"  # noqa: S608
    with connection.cursor() as cursor:
        for part in _chunks(rows):
            cursor.execute(sql, [list(c) for c in zip(*part, strict=True)])


def add(delta: Counter) -> int:
    """Add a fine difference to the three tables; returns the number of fine keys changed."""
    _add(DailyCount, FINE, delta)
    c = coarse(delta)
    _add(UnitDayCount, COARSE, c)
    _add(UnitMonthCount, MONTHLY, monthly(c))
    return len(delta)


def replace_days(start: date, end: date, sums: Counter) -> None:
    """Rewrite [start, end] of the tables with ``sums`` (fine keys): the day tables' rows are
    replaced, then the month table's rows of every month [start, end] touches are made again
    as the sums of those months' ``UnitDayCount`` rows (so a damaged month row is repaired too)."""
    DailyCount.objects.filter(day__gte=start, day__lte=end).delete()
    UnitDayCount.objects.filter(day__gte=start, day__lte=end).delete()
    new = Counter({k: v for k, v in sums.items() if v})
    _add(DailyCount, FINE, new)
    _add(UnitDayCount, COARSE, coarse(new))
    first = start.replace(day=1)
    stop = (end.replace(day=28) + timedelta(days=4)).replace(day=1)  # the 1st after end's month
    UnitMonthCount.objects.filter(month__gte=first, month__lt=stop).delete()
    rows = (UnitDayCount.objects.filter(day__gte=first, day__lt=stop).annotate(m=TruncMonth("day"))
            .values("m", "counter", "county", "unit").annotate(total=Sum("n")).order_by())
    UnitMonthCount.objects.bulk_create([UnitMonthCount(month=r["m"], counter=r["counter"], county=r["county"],
                                                       unit=r["unit"], n=r["total"])
                                        for r in rows.iterator(chunk_size=5000) if r["total"]], batch_size=2000)


def month_counts(first: date, last: date) -> Counter:
    """The month table's rows of the months whose first days lie in [first, last]."""
    out: Counter = Counter()
    for counter, month, county, unit, n in (UnitMonthCount.objects.filter(month__gte=first, month__lte=last)
                                            .values_list(*MONTHLY, "n").iterator(chunk_size=5000)):
        out[(counter, month, county, unit)] += n
    return out


def coarse_counts(start: date, end: date) -> Counter:
    out: Counter = Counter()
    for counter, day, county, unit, n in (UnitDayCount.objects.filter(day__gte=start, day__lte=end)
                                          .values_list(*COARSE, "n").iterator(chunk_size=5000)):
        out[(counter, day.isoformat(), county, unit)] += n
    return out

