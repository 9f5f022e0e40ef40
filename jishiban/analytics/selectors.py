"""Reading figures: sums of the daily tables for a period, a filter and the reader's scope.

``totals`` returns counter sums (optionally grouped by county, unit, category, channel, type or
day) — from the coarse day × county × unit table when the filter and the grouping need nothing
finer (its whole months from the month × county × unit table), else from the daily table; the
same sums either way. ``figures`` turns them into ``metrics.Value`` for each metric. Every figure a page,
report, API answer or ranking shows comes through here, restricted to ``borrowed.figure_scope``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Sum

from jishiban.taxonomy.models import Category

from . import borrowed, count_tables, metrics
from .borrowed import FigureScope
from .models import DailyCount, UnitDayCount, UnitMonthCount

GROUPS = ("county", "town", "unit", "category", "channel", "appeal_type", "day")


@dataclass(frozen=True)
class Filter:
    county: int | None = None
    town: int | None = None
    category: int | None = None  # a node: its whole subtree
    channel: int | None = None
    unit: int | None = None
    appeal_type: str | None = None
    # Any of these words in the title or text (topic reports): read from the appeals' footprints,
    # since the count tables keep no text — the same counters, so the same figures.
    keywords: tuple[str, ...] = ()


def category_subtree(category_id: int) -> list[int]:
    ids, frontier = [category_id], [category_id]
    while frontier:
        frontier = list(Category.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
        ids += frontier
    return ids


# What the coarse table (day × county × unit) can answer; anything finer reads the daily table.
COARSE_GROUPS = (None, "county", "unit", "day")


def _coarse(flt: Filter, group: str | None) -> bool:
    return group in COARSE_GROUPS and not flt.keywords and all(getattr(flt, name) in (None, "")
                                          for name in ("town", "category", "channel", "appeal_type"))


def _rows(scope: FigureScope, start: date, end: date, flt: Filter, group: str | None = None, *, model=None):
    model = model or (UnitDayCount if _coarse(flt, group) else DailyCount)
    when = "month" if model is UnitMonthCount else "day"
    qs = model.objects.filter(**{f"{when}__gte": start, f"{when}__lte": end})
    if scope.nothing:
        return qs.none()
    if scope.kind == "county":
        qs = qs.filter(county=scope.id)
    elif scope.kind == "unit":
        qs = qs.filter(unit=scope.id)
    for name in ("county", "town", "channel", "unit", "appeal_type"):
        value = getattr(flt, name)
        if value not in (None, ""):
            qs = qs.filter(**{name: value})
    if flt.category:
        qs = qs.filter(category__in=category_subtree(flt.category))
    return qs


def _summed(qs, group: str | None, out: dict | None = None) -> dict:
    """Add ``qs``'s counter sums (by ``group``) into ``out``."""
    out = {} if out is None else out
    if group is None:
        for counter, n in qs.values("counter").annotate(n=Sum("n")).order_by().values_list("counter", "n"):
            out[counter] = out.get(counter, 0) + n
        return out
    for key, counter, n in qs.values(group, "counter").annotate(n=Sum("n")).order_by().values_list(
            group, "counter", "n"):
        row = out.setdefault(key, {})
        row[counter] = row.get(counter, 0) + n
    return out


def totals(scope: FigureScope, start: date, end: date, flt: Filter | None = None,
           group: str | None = None) -> dict:
    """``{counter: n}``, or ``{group value: {counter: n}}`` when ``group`` is given. The whole
    calendar months of a coarse question are read from the month table, the days around them
    from the day table: the same sums, a thirtieth of the rows."""
    if group is not None and group not in GROUPS:
        raise ValueError(group)
    flt = flt or Filter()
    if flt.keywords:
        return _keyword_totals(scope, start, end, flt, group)
    first, last = count_tables.whole_months(start, end) if _coarse(flt, group) and group != "day" else (None, None)
    if first is None:
        return _summed(_rows(scope, start, end, flt, group), group)
    out = _summed(_rows(scope, first, last, flt, group, model=UnitMonthCount), group)
    after = (last.replace(day=28) + timedelta(days=4)).replace(day=1)
    for lo, hi in ((start, first - timedelta(days=1)), (after, end)):
        if lo <= hi:
            _summed(_rows(scope, lo, hi, flt, group, model=UnitDayCount), group, out)
    return out


def figures(totals_: dict, params: dict | None = None, names=None) -> dict[str, metrics.Value]:
    return metrics.evaluate_all(totals_, params, names)


def for_user(user, start: date, end: date, flt: Filter | None = None, group: str | None = None) -> dict:
    return totals(borrowed.figure_scope(user), start, end, flt, group)


def snapshot(user, now: datetime) -> dict:
    """Open and open-overdue appeals the user may see, with days overdue (not period figures)."""
    visible = borrowed.visible_appeals(user)
    overdue = list(borrowed.overdue_appeals(now, visible).values_list("reply_deadline", flat=True))
    days = [max(0, (now - d).days) for d in overdue]
    return {"open": borrowed.open_appeals(visible).count(), "overdue": len(overdue),
            "overdue_days_total": sum(days), "overdue_days_max": max(days, default=0)}


def appeals_behind(user, counter: str, start: date, end: date, flt: Filter | None = None, *, limit: int = 2000):
    """The appeals whose counters make up ``counter`` over [start, end] under ``flt``, within the
    user's figure scope — and then only those the user may open (``visible_appeals``). Read from
    the footprints, so the list is exactly the figure's appeals."""
    flt = flt or Filter()
    scope = borrowed.figure_scope(user)
    if scope.nothing or counter not in metrics.COUNTERS:
        return borrowed.visible_appeals(user).none(), 0
    match = _matcher(scope, start, end, flt)
    ids = []
    for appeal_id, entries in _footprints(start, end, flt):
        if any(e[0] == counter and match(e) for e in entries):
            ids.append(appeal_id)
    qs = borrowed.visible_appeals(user).filter(pk__in=ids[:limit]).order_by("-received_at", "-id")
    return qs, len(ids)


def received_grid(start: date, end: date):
    """Rows ``{day, county, category, n}`` of the ``received`` counter over [start, end] (ids, 0
    for none), the whole day × county × category grid at once: early warning's baselines."""
    return (DailyCount.objects.filter(counter="received", day__gte=start, day__lte=end)
            .values("day", "county", "category").annotate(n=Sum("n")).order_by())


def counted_until() -> datetime | None:
    """The moment the daily tables are true for (``FillState.as_of``); ``None`` before a fill."""
    from .models import FillState

    state = FillState.objects.filter(name="default").first()
    return state.as_of if state else None


def kept_reports(user):
    """The scheduled reports ``user`` may download, by the reader's figure scope: all for readers
    of every figure; for county staff their county's, for a department's head their unit's (and
    no city-wide ones); none otherwise."""
    from .models import KeptReport

    scope = borrowed.figure_scope(user)
    if scope.kind == "everything":
        return KeptReport.objects.all()
    if scope.kind in ("county", "unit"):
        return KeptReport.objects.filter(scope_kind=scope.kind, scope_id=scope.id)
    return KeptReport.objects.none()


FIELDS = {"county": 2, "town": 3, "category": 4, "channel": 5, "appeal_type": 6, "unit": 7, "day": 1}


def _matcher(scope: FigureScope, start: date, end: date, flt: Filter):
    """Whether a footprint entry [counter, day, county, town, category, channel, type, unit, n]
    lies in [start, end], the scope and the filter."""
    cats = set(category_subtree(flt.category)) if flt.category else None
    lo, hi = start.isoformat(), end.isoformat()
    wanted = [(FIELDS[name], getattr(flt, name)) for name in ("county", "town", "channel", "unit", "appeal_type")
              if getattr(flt, name) not in (None, "")]

    def match(e) -> bool:
        if not lo <= e[1] <= hi:
            return False
        if (scope.kind == "county" and e[2] != scope.id) or (scope.kind == "unit" and e[7] != scope.id):
            return False
        if any(e[i] != v for i, v in wanted):
            return False
        return cats is None or e[4] in cats
    return match


def _footprints(start: date, end: date, flt: Filter):
    from django.db.models import Q

    from .models import Footprint

    qs = Footprint.objects.filter(first_day__lte=end, last_day__gte=start)
    if flt.keywords:
        words = Q()
        for word in flt.keywords:
            words |= Q(title__icontains=word) | Q(content__icontains=word)
        qs = qs.filter(appeal_id__in=borrowed.all_appeals().filter(words).values("pk"))
    return qs.values_list("appeal_id", "entries").iterator(chunk_size=2000)


def _keyword_totals(scope: FigureScope, start: date, end: date, flt: Filter, group: str | None) -> dict:
    if scope.nothing:
        return {}
    match = _matcher(scope, start, end, flt)
    out: dict = defaultdict(lambda: defaultdict(int))
    for _appeal_id, entries in _footprints(start, end, flt):
        for e in entries:
            if match(e):
                key = None if group is None else (e[FIELDS[group]] if group != "day" else date.fromisoformat(e[1]))
                out[key][e[0]] += e[8]
    if group is None:
        return dict(out.get(None, {}))
    return {k: dict(v) for k, v in out.items()}


def received_by(start: date, end: date, key: str):
    """Rows ``{day, county, <key>, n}`` of the ``received`` counter over [start, end], ``key`` one
    of ``category``, ``town``, ``channel`` (ids, 0 for none): the whole grid at once, for the
    cockpit's intake breakdown (the coarse table has no such key)."""
    if key not in ("category", "town", "channel"):
        raise ValueError(key)
    return (DailyCount.objects.filter(counter="received", day__gte=start, day__lte=end)
            .values("day", "county", key).annotate(n=Sum("n")).order_by())
