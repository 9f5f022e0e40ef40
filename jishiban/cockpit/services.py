"""The one write of the cockpit: its day summary (``DayFigure``), recomputed from the analytics
app's figures (``analytics.selectors.totals``, the whole city's scope) for whole days.

A day is replaced in one transaction (deleted and written again), so a refresh that stops half
way leaves the day as it was, and running it twice gives the same rows. The schedule
(``jobs.py``) refreshes the last days every five minutes and the whole window the cockpit shows
(this month and the last) every night, which takes in late events (a callback weeks later).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from jishiban.analytics import selectors as figures
from jishiban.analytics.borrowed import FigureScope
from jishiban.analytics.models import FillState
from jishiban.taxonomy.models import Category

from .models import DayFigure, Dim, Refresh

CITY = FigureScope("everything")
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


def _day_rows(day: date, lift: dict[int, int]) -> list[DayFigure]:
    rows = []
    for county in figures.totals(CITY, day, day, group="county"):
        flt = figures.Filter(county=county)
        for counter, n in figures.totals(CITY, day, day, flt).items():
            if n:
                rows.append(DayFigure(day=day, county=county, dim=Dim.ALL, key=0, counter=counter, n=n))
        for dim, group in GROUPS:
            merged: dict[int, int] = {}
            for key, sums in figures.totals(CITY, day, day, flt, group=group).items():
                n = sums.get(INTAKE, 0)
                if n:
                    k = lift.get(key, key) if dim == Dim.CATEGORY else key
                    merged[k or 0] = merged.get(k or 0, 0) + n
            rows += [DayFigure(day=day, county=county, dim=dim, key=k, counter=INTAKE, n=n) for k, n in merged.items()]
    return rows


def refresh(start: date, end: date, *, now=None) -> int:
    """Recompute the summary of the days ``start`` … ``end``; the number of rows written."""
    lift = second_level()
    written = 0
    day = start
    while day <= end:
        rows = _day_rows(day, lift)
        with transaction.atomic():
            DayFigure.objects.filter(day=day).delete()
            DayFigure.objects.bulk_create(rows, batch_size=2000)
        written += len(rows)
        day += timedelta(days=1)
    as_of = FillState.objects.filter(name="default").values_list("as_of", flat=True).first()
    Refresh.objects.update_or_create(name="default", defaults={"at": now or timezone.now(), "fill_as_of": as_of})
    return written


def window(today: date) -> tuple[date, date]:
    """The days the cockpit shows: from the first of last month (and 30 days back) to today."""
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    return min(first, today - timedelta(days=30)), today
