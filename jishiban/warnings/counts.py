"""The day counts the spike detector reads: appeals per day × county × category node (each of
the three levels, and "all"), the city as county 0, for ``HISTORY_DAYS`` before a moment and
the day so far; and the city's appeals per hour of day over the last four weeks.

Filled live from the analytics daily tables (whole days they hold) and one grouped query over
the appeals since, or from rows added as a replay walks forward (``add``), so both see the
appeals received before the moment judged.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

import numpy as np
from django.db.models import Count
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone

from jishiban.appeals.models import Appeal
from jishiban.sla.services import get_calendar
from jishiban.taxonomy.models import Category

from . import detect

# A year for the day factors and the season, plus the level, guard and dispersion windows.
HISTORY_DAYS = 364 + 7 + 56 + 28 + 14
HOUR_DAYS = 28


class Taxonomy:
    """Each category's chain up the tree (itself, parent, grandparent) and its subtree."""

    def __init__(self):
        rows = list(Category.objects.values_list("id", "parent_id", "code", "name"))
        self.parent = {pk: parent for pk, parent, _c, _n in rows}
        self.code = {pk: code for pk, _p, code, _n in rows}
        self.name = {pk: name for pk, _p, _c, name in rows}
        self.chain_of: dict[int, tuple[int, ...]] = {}
        children = defaultdict(list)
        for pk, parent, _c, _n in rows:
            children[parent].append(pk)
        self.children = children

    def chain(self, pk: int | None) -> tuple[int, ...]:
        if not pk:
            return ()
        got = self.chain_of.get(pk)
        if got is None:
            out, node = [], pk
            while node and len(out) < 5:
                out.append(node)
                node = self.parent.get(node)
            got = self.chain_of[pk] = tuple(out)
        return got

    def subtree(self, pk: int) -> list[int]:
        out, frontier = [pk], [pk]
        while frontier:
            frontier = [c for f in frontier for c in self.children.get(f, ())]
            out += frontier
        return out


class History:
    """Counts by cell ``(county id or 0, category id or 0)`` over the days from ``first``."""

    def __init__(self, first: date, last: date, taxonomy: Taxonomy):
        self.first, self.last = first, last
        self.n = (last - first).days + 1
        self.tax = taxonomy
        self.cells: dict[tuple[int, int], np.ndarray] = {}
        self.city_hours = np.zeros((self.n, 24))
        cal = get_calendar()
        self.groups = np.array([detect.day_group(d.weekday(), cal.is_working_day(d))
                                for d in (first + timedelta(days=i) for i in range(self.n))])

    def index(self, day: date) -> int:
        return (day - self.first).days

    def add(self, day: date, county_id: int | None, category_id: int | None, n: int = 1) -> None:
        i = self.index(day)
        if not 0 <= i < self.n:
            return
        for county in {county_id or 0, 0}:
            for cat in (*self.tax.chain(category_id), 0):
                arr = self.cells.get((county, cat))
                if arr is None:
                    arr = self.cells[(county, cat)] = np.zeros(self.n)
                arr[i] += n

    def add_hour(self, day: date, hour: int, n: int = 1) -> None:
        i = self.index(day)
        if 0 <= i < self.n:
            self.city_hours[i, hour] += n

    def hour_shares(self, upto: int) -> np.ndarray:
        """Cumulative share of a day's appeals by the end of each hour, from the weeks before day ``upto``."""
        return detect.hour_shares(self.city_hours[max(0, upto - HOUR_DAYS):upto].sum(axis=0))


def day_share(shares: np.ndarray, moment: datetime) -> float:
    """The share of a day's appeals usually in by ``moment`` (local time)."""
    local = timezone.localtime(moment)
    h = local.hour
    before = float(shares[h - 1]) if h else 0.0
    frac = (local.minute * 60 + local.second) / 3600
    return before + frac * (float(shares[h]) - before)


def live_history(now: datetime, taxonomy: Taxonomy | None = None, *, tables: bool = True) -> History:
    """The counts up to ``now``. Whole days the analytics daily tables already hold (up to the
    day before their last fill, so an appeal taken in late that day is not missed) come from
    them; the rest, and the day so far, from one grouped query over the stored appeals."""
    from jishiban.analytics import selectors as figures

    tax = taxonomy or Taxonomy()
    today = timezone.localdate(now)
    first = today - timedelta(days=HISTORY_DAYS)
    h = History(first, today, tax)
    cut = first
    counted = figures.counted_until() if tables else None
    if counted is not None:
        cut = max(first, min(today, timezone.localdate(counted) - timedelta(days=1)))
    if cut > first:
        for r in figures.received_grid(first, cut - timedelta(days=1)).iterator(chunk_size=5000):
            h.add(r["day"], r["county"] or None, r["category"] or None, r["n"])
    start = timezone.make_aware(datetime.combine(cut, datetime.min.time()))
    rows = (Appeal.objects.filter(received_at__gte=start, received_at__lte=now)
            .annotate(day=TruncDate("received_at")).values("day", "county_id", "category_id")
            .annotate(n=Count("id")).order_by())
    for r in rows.iterator(chunk_size=5000):
        h.add(r["day"], r["county_id"], r["category_id"], r["n"])
    hour_start = timezone.make_aware(datetime.combine(today - timedelta(days=HOUR_DAYS), datetime.min.time()))
    hours = (Appeal.objects.filter(received_at__gte=hour_start, received_at__lte=now)
             .annotate(day=TruncDate("received_at"), hour=ExtractHour("received_at")).values("day", "hour")
             .annotate(n=Count("id")).order_by())
    for r in hours:
        h.add_hour(r["day"], r["hour"], r["n"])
    return h
