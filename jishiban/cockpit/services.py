"""The one write of the cockpit: its intake breakdown (``DayFigure``: the ``received`` counter
per day × county by second-level category, town and channel, which the analytics app's coarse
day × county × unit table does not hold), from ``analytics.selectors.received_by``. Every other
figure the cockpit shows is read from the analytics tables directly (``selectors.sums``).

The days of a refresh are replaced in one transaction (deleted and written again), so a refresh
that stops half way leaves them as they were, and running it twice gives the same rows. Three
grouped queries per refresh, whatever the number of days and counties. The schedule
(``jobs.py``) refreshes the last days every five minutes and the whole window the cockpit shows
(this month and the last) every night, which takes in late corrections.
"""
from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from jishiban.analytics import selectors as figures
from jishiban.analytics.models import FillState
from jishiban.taxonomy.models import Category

from .models import DayFigure, Dim, Refresh

INTAKE = "received"  # the one counter kept per category, town and channel
GROUPS = ((Dim.CATEGORY, "category"), (Dim.TOWN, "town"), (Dim.CHANNEL, "channel"))


def second_level() -> dict[int, int]:
    """Each category id → its second-level ancestor (itself at level 1 or 2)."""
    rows = {pk: (level, parent) for pk, level, parent in Category.objects.values_list("id", "level", "parent_id")}
    out = {}
    for pk, (level, parent) in rows.items():
        node = pk
        while level > 2 and parent:
            node = parent
            level, parent = rows.get(parent, (1, None))
        out[pk] = node
    return out


def _rows(start: date, end: date, lift: dict[int, int]) -> list[DayFigure]:
    rows = []
    for dim, key in GROUPS:
        merged: dict[tuple, int] = {}
        for r in figures.received_by(start, end, key):
            k = r[key] or 0
            k = lift.get(k, k) if dim == Dim.CATEGORY else k
            cell = (r["day"], r["county"] or 0, k or 0)
            merged[cell] = merged.get(cell, 0) + r["n"]
        rows += [DayFigure(day=d, county=c, dim=dim, key=k, counter=INTAKE, n=n)
                 for (d, c, k), n in merged.items() if n]
    return rows


def refresh(start: date, end: date, *, now=None) -> int:
    """Recompute the breakdown of the days ``start`` … ``end``; the number of rows written."""
    rows = _rows(start, end, second_level())
    with transaction.atomic():
        DayFigure.objects.filter(day__gte=start, day__lte=end).delete()
        DayFigure.objects.bulk_create(rows, batch_size=2000)
    as_of = FillState.objects.filter(name="default").values_list("as_of", flat=True).first()
    Refresh.objects.update_or_create(name="default", defaults={"at": now or timezone.now(), "fill_as_of": as_of})
    return len(rows)


def window(today: date) -> tuple[date, date]:
    """The days the cockpit shows: from the first of last month (and 30 days back) to today."""
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    return min(first, today - timedelta(days=30)), today
