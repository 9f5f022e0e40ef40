"""Everything the wall screen shows, in the reader's scope, each number with the link to the
appeals behind it.

* Period figures (today, this month against last month, counties, supervision, the trend) are
  the analytics app's coarse day × county × unit sums (``analytics.selectors.totals``, which reads
  ``UnitDayCount`` for them); the intake by channel, category and town is the cockpit's own
  breakdown (``DayFigure``, refreshed from the daily table). Both become values through
  ``analytics.metrics`` and link to the analytics page of the appeals behind a counter
  (``analytics:appeals``, which applies the access rules).
* Live figures (due today, yellow and red cards, overdue by unit) are ``appeals.figures`` through
  ``Appeal.objects.visible_to``; they link to the workbench list or to the cockpit's own list.
* The county ranking is the latest one the analytics app published; warnings and hot events are
  the warnings app's selectors.

Scope: ``analytics.borrowed.figure_scope``: the city, or one county for county staff (the
cockpit's page admits no unit-scoped reader).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.accounts import policy
from jishiban.analytics import borrowed, metrics
from jishiban.analytics import selectors as figures
from jishiban.analytics.models import Ranking
from jishiban.appeals.filters import day_bounds
from jishiban.channels.models import Channel
from jishiban.regions.models import Region
from jishiban.taxonomy.models import Category
from jishiban.warnings import selectors as warnings

from .models import DayFigure, Dim, Refresh

DATA = Path(__file__).resolve().parent / "data"
TOP = 8
TREND_DAYS = 30
MAP_MODES = ("per10k", "overdue_share", "warnings")


@dataclass(frozen=True)
class Period:
    start: date
    end: date


def periods(today: date) -> dict[str, Period]:
    """Today, this month so far, the same days of last month, and all of last month."""
    first = today.replace(day=1)
    last_end = first - timedelta(days=1)
    last_first = last_end.replace(day=1)
    same = last_first + timedelta(days=min(today.day, last_end.day) - 1)
    return {"today": Period(today, today), "month": Period(first, today), "last_same": Period(last_first, same),
            "last": Period(last_first, last_end), "trend": Period(today - timedelta(days=TREND_DAYS - 1), today)}


@cache
def units() -> dict[str, dict]:
    """The 14 management units with population (万人) and, for functional zones, the map anchor."""
    with open(DATA / "units.json", encoding="utf-8") as fh:
        data = json.load(fh)
    return {u["code"]: u for u in data["units"]}


def sums(scope, period: Period, by: str | None = None) -> dict:
    """Counter sums ``{counter: n}`` of the analytics tables in ``scope``; with ``by``
    (``county`` or ``day``) ``{value: {counter: n}}`` — the coarse table answers both."""
    return figures.totals(scope, period.start, period.end, group=by)


def breakdown(scope, period: Period, dim: str) -> dict[int, int]:
    """The intake ``{key: n}`` by ``dim`` (channel, second-level category, town) from the
    cockpit's breakdown."""
    qs = DayFigure.objects.filter(dim=dim, day__gte=period.start, day__lte=period.end)
    if scope.kind == "county":
        qs = qs.filter(county=scope.id)
    elif scope.kind != "everything":
        qs = qs.none()
    return {r["key"]: r["n"] for r in qs.values("key").annotate(n=Sum("n")).order_by()}


def behind(counter: str, period: Period, **flt) -> str:
    """The analytics page listing the appeals behind ``counter`` over ``period`` (ids in ``flt``)."""
    q = {"counter": counter, "start": period.start.isoformat(), "end": period.end.isoformat(),
         **{k: v for k, v in flt.items() if v}}
    return reverse("analytics:appeals") + "?" + urlencode(q)


def listing(**params) -> str:
    return reverse("web:appeal_list") + "?" + urlencode({k: v for k, v in params.items() if v})


def _value(name: str, totals: dict) -> dict:
    v = metrics.evaluate(name, totals)
    m = metrics.BY_NAME[name]
    return {"name": name, "label": m.label, "value": None if v.value is None else float(v.value),
            "numerator": int(v.numerator), "denominator": v.denominator, "unit": m.unit,
            "num_counter": m.numerator[0][0], "den_counter": m.denominator}


def _names(model, ids) -> dict[int, str]:
    return dict(model.objects.filter(pk__in=[i for i in ids if i]).values_list("pk", "name"))


def _top(scope, period: Period, dim: str, model, param: str) -> list[dict]:
    ranked = sorted(breakdown(scope, period, dim).items(), key=lambda kv: (-kv[1], kv[0]))
    shown = ranked[:TOP] if dim != Dim.CHANNEL else ranked
    names = _names(model, [k for k, _n in shown])
    return [{"name": names.get(k) or _("未指定"), "n": n,
             "url": behind("received", period, **{param: k}) if k else ""} for k, n in shown]


def _live(user, now: datetime) -> dict:
    visible = borrowed.visible_appeals(user)
    end_of_day = day_bounds(timezone.localdate(now))[1]
    overdue = visible.overdue(now)
    by_unit = list(overdue.order_by().values("lead_unit__code", "lead_unit__name").annotate(n=Count("pk"))
                   .order_by("-n", "lead_unit__code")[:TOP])
    in_hand = {r["county__code"]: r["n"] for r in visible.in_hand().order_by().values("county__code")
               .annotate(n=Count("pk"))}
    late = {r["county__code"]: r["n"] for r in overdue.order_by().values("county__code").annotate(n=Count("pk"))}
    return {
        "due_today": visible.due_between(now, end_of_day).count(), "due_today_url": reverse("cockpit:live", args=["due-today"]),
        "yellow": visible.with_card("yellow", now).count(), "yellow_url": listing(deadline="yellow"),
        "red": sum(late.values()), "red_url": listing(deadline="overdue"),
        "in_hand": sum(in_hand.values()), "in_hand_url": reverse("cockpit:live", args=["in-hand"]),
        "by_unit": [{"name": r["lead_unit__name"] or _("未指定"), "n": r["n"],
                     "url": listing(deadline="overdue", unit=r["lead_unit__code"])} for r in by_unit],
        "by_county": {code: {"in_hand": n, "overdue": late.get(code, 0)} for code, n in in_hand.items() if code},
    }


def _ranking(user) -> dict | None:
    if not policy.may_see_rankings(user):
        return None
    r = Ranking.objects.filter(level="county").order_by("-month").first()
    if r is None:
        return {"month": "", "rows": [], "url": reverse("analytics:ranking")}
    rows = [{"rank": x["rank"], "name": x["unit"], "score": x["score"], "grade": x.get("grade") or "",
             "movement": x.get("movement"), "lagging": x.get("lagging")} for x in r.rows]
    return {"month": r.month, "rows": rows, "url": reverse("analytics:ranking") + "?" + urlencode({"month": r.month})}


def _counties(scope, p: dict[str, Period], live: dict, warned: dict[str, int]) -> list[dict]:
    """One row per management unit: intake this month, per 10,000 residents, overdue share, open
    warnings (``warned``: county code → count), supervision; the map and the county table read
    these."""
    by_county = sums(scope, p["month"], by="county")
    out = []
    regions = Region.objects.counties().order_by("sort", "code")
    if scope.kind == "county":
        regions = regions.filter(pk=scope.id)
    for r in regions:
        t = by_county.get(r.pk, {})
        unit = units().get(r.code, {})
        received = t.get("received", 0)
        people = unit.get("population")
        held = live["by_county"].get(r.code, {"in_hand": 0, "overdue": 0})
        out.append({
            "code": r.code, "name": unit.get("name") or r.short_name or r.name, "population": people,
            "received": received, "received_url": behind("received", p["month"], county=r.pk),
            "per10k": round(received / people, 2) if people else None,
            "in_hand": held["in_hand"], "overdue": held["overdue"],
            "overdue_share": round(100 * held["overdue"] / held["in_hand"], 1) if held["in_hand"] else 0.0,
            "overdue_url": listing(deadline="overdue", county=r.code),
            "warnings": warned.get(r.code, 0),
            "anchor": unit.get("anchor"), "within": unit.get("within"),
        })
    return out


def cockpit(user, *, now: datetime | None = None) -> dict:
    """The whole wall screen for ``user`` (see the module's docstring)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    scope = borrowed.figure_scope(user)
    p = periods(today)
    month, last_same, last = sums(scope, p["month"]), sums(scope, p["last_same"]), sums(scope, p["last"])
    today_t = sums(scope, p["today"])

    def count(counter, period, totals):
        return {"n": totals.get(counter, 0), "url": behind(counter, period)}

    intake = {
        "today": count("received", p["today"], today_t),
        "month": count("received", p["month"], month),
        "last_same": count("received", p["last_same"], last_same),
        "last": count("received", p["last"], last),
    }
    prior = intake["last_same"]["n"]
    intake["change"] = round(100 * (intake["month"]["n"] - prior) / prior, 1) if prior else None
    rates = [_value(n, month) for n in ("response_rate", "on_time_rate", "solved_rate", "satisfaction_rate")]
    for v in rates:
        v["num_url"] = behind(v["num_counter"], p["month"])
        v["den_url"] = behind(v["den_counter"], p["month"]) if v["den_counter"] else ""
    supervision = {}
    for key, period, totals in (("month", p["month"], month), ("last", p["last"], last)):
        v = _value("supervised_solved_rate", totals)
        supervision[key] = {"supervised": totals.get("supervised", 0), "solved": totals.get("supervised_solved", 0),
                            "rate": v["value"], "supervised_url": behind("supervised", period),
                            "solved_url": behind("supervised_solved", period)}
    trend_rows = sums(scope, p["trend"], by="day")
    days = [p["trend"].start + timedelta(days=i) for i in range(TREND_DAYS)]
    year_ago = Period(p["trend"].start - timedelta(days=364), p["trend"].end - timedelta(days=364))
    before = sums(scope, year_ago, by="day")
    live = _live(user, now)
    open_w = warnings.open_warnings(user, limit=TOP)
    counts = warnings.open_counts(user)
    events = warnings.hot_events(user, limit=50)
    refreshed = Refresh.objects.filter(name="default").first()
    return {
        "now": now, "today": today, "scope": scope.kind,
        "county": Region.objects.filter(pk=scope.id).first() if scope.kind == "county" else None,
        "as_of": figures.counted_until(), "refreshed_at": refreshed.at if refreshed else None,
        "intake": intake, "rates": rates, "supervision": supervision,
        "channels": _top(scope, p["month"], Dim.CHANNEL, Channel, "channel"),
        "categories": _top(scope, p["month"], Dim.CATEGORY, Category, "category"),
        "places": _top(scope, p["month"], Dim.TOWN, Region, "town"),
        "counties": _counties(scope, p, live, warnings.open_by_county(user)),
        "ranking": _ranking(user),
        "sla": {k: v for k, v in live.items() if k != "by_county"},
        "warnings": open_w, "warning_total": sum(counts.values()), "warning_counts": counts,
        "warnings_url": reverse("warnings:list"),
        "events": events,
        "trend": {"labels": [d.strftime("%m-%d") for d in days],
                  "received": [trend_rows.get(d, {}).get("received", 0) for d in days],
                  "year_ago": [before.get(d - timedelta(days=364), {}).get("received", 0) for d in days],
                  "links": [behind("received", Period(d, d)) for d in days]},
        "month_label": p["month"].start.strftime("%Y-%m"),
    }


def map_data(data: dict) -> dict:
    """What the map script needs (JSON): the units' figures, hot events as points, the tile URL."""
    names = {"per10k": _("每万人诉求量"), "overdue_share": _("超期占比（%）"), "warnings": _("在办预警数")}
    return {
        "geojson": settings.STATIC_URL + "cockpit/jining-counties.geojson",
        "tiles": getattr(settings, "JISHIBAN_MAP_TILE_URL", ""),
        "modes": [{"key": k, "label": names[k]} for k in MAP_MODES],
        "units": [{k: c[k] for k in ("code", "name", "per10k", "overdue_share", "warnings", "received", "anchor",
                                     "received_url", "overdue_url")} for c in data["counties"]],
        "events": [{"name": e["title"], "value": [e["lon"], e["lat"], e["appeal_count"]], "url": e["url"]}
                   for e in data["events"] if e["lon"] is not None and e["lat"] is not None],
        "trend": data["trend"],
        "channels": [{"name": c["name"], "value": c["n"], "url": c["url"]} for c in data["channels"]],
        "labels": {"received": _("受理量"), "year_ago": _("去年同期"), "events": _("热点事件"),
                   "zone": _("功能区（无公开边界，以圆点标示）"), "other": _("其他")},
    }


LIVE_LISTS = ("due-today", "in-hand")


def live_list(user, what: str, now: datetime | None = None):
    """The appeals behind a live number the workbench list has no filter for: ``due-today`` (in
    a unit's hands, reply deadline in the rest of today) or ``in-hand`` (held by a unit)."""
    now = now or timezone.now()
    visible = borrowed.visible_appeals(user)
    if what == "due-today":
        qs = visible.due_between(now, day_bounds(timezone.localdate(now))[1])
    elif what == "in-hand":
        qs = visible.in_hand()
    else:
        raise ValueError(what)
    return qs.select_related("county", "lead_unit").order_by("reply_deadline", "id")
