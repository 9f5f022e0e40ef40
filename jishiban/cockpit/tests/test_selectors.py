"""The cockpit's figures equal plain queries over the appeals, in each reader's scope."""

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count

from jishiban.appeals.filters import day_bounds
from jishiban.appeals.models import Appeal
from jishiban.cockpit import selectors, services
from jishiban.cockpit.models import DayFigure
from jishiban.supervision.models import SupervisionOrder
from jishiban.taxonomy.models import Category

from .stock import fill, make_stock

Z = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 15, tzinfo=Z)
pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(personas):
    make_stock(personas, NOW)
    fill(NOW)
    return personas


def received(start, end, **flt):
    a, _x = day_bounds(start, Z)
    _y, b = day_bounds(end, Z)
    return Appeal.objects.filter(received_at__gte=a, received_at__lt=b, **flt)


def test_intake_of_today_this_month_and_last_month_equals_counting_appeals(stocked):
    data = selectors.cockpit(stocked.leader, now=NOW)
    p = selectors.periods(NOW.date())
    for key in ("today", "month", "last_same", "last"):
        assert data["intake"][key]["n"] == received(p[key].start, p[key].end).count(), key
    assert data["intake"]["month"]["n"] > 0 and data["intake"]["last"]["n"] > 0


def test_channels_categories_places_and_counties_equal_grouped_queries(stocked):
    data = selectors.cockpit(stocked.leader, now=NOW)
    p = selectors.periods(NOW.date())["month"]
    month = received(p.start, p.end)
    channels = {r["channel__name"]: r["n"] for r in month.values("channel__name").annotate(n=Count("pk"))}
    assert {c["name"]: c["n"] for c in data["channels"]} == channels
    lift = {}
    for c in Category.objects.all():
        node = c
        while node.level > 2:
            node = node.parent
        lift[c.pk] = node.name
    assert {c["name"]: c["n"] for c in data["categories"]} == dict(Counter(lift[a.category_id] for a in month))
    towns = {r["town__name"] or "未指定": r["n"] for r in month.values("town__name").annotate(n=Count("pk"))}
    assert {c["name"]: c["n"] for c in data["places"]} == towns
    per_county = {r["county__code"]: r["n"] for r in month.values("county__code").annotate(n=Count("pk"))}
    rows = {c["code"]: c for c in data["counties"]}
    assert len(rows) == 14 and {k: v["received"] for k, v in rows.items() if v["received"]} == per_county
    assert rows["370811"]["per10k"] == round(per_county["370811"] / 107.75, 2)


def test_sla_health_is_the_one_definition_of_due_yellow_and_overdue(stocked):
    data = selectors.cockpit(stocked.supervisor, now=NOW)
    sla = data["sla"]
    assert sla["red"] == Appeal.objects.overdue(NOW).count() > 0
    assert sla["yellow"] == Appeal.objects.with_card("yellow", NOW).count()
    assert sla["due_today"] == Appeal.objects.due_between(NOW, day_bounds(NOW.date(), Z)[1]).count()
    assert sla["in_hand"] == Appeal.objects.in_hand().count()
    by_unit = {r["lead_unit__name"]: r["n"] for r in Appeal.objects.overdue(NOW).values("lead_unit__name")
               .annotate(n=Count("pk"))}
    assert {u["name"]: u["n"] for u in sla["by_unit"]} == by_unit


def test_supervision_figures_count_supervised_appeals_and_the_solved_among_them(stocked):
    data = selectors.cockpit(stocked.leader, now=NOW)
    p = selectors.periods(NOW.date())
    months = {"month": p["month"], "last": p["last"]}
    for key, period in months.items():
        a, _x = day_bounds(period.start, Z)
        _y, b = day_bounds(period.end, Z)
        first = {}
        for o in SupervisionOrder.objects.order_by("created_at"):
            first.setdefault(o.appeal_id, o.created_at)
        ids = [i for i, at in first.items() if a <= at < b]
        assert data["supervision"][key]["supervised"] == len(ids), key
    assert data["supervision"]["month"]["supervised"] + data["supervision"]["last"]["supervised"] > 0


def test_county_staff_see_their_county_only_and_no_ranking(stocked):
    data = selectors.cockpit(stocked.county_rencheng, now=NOW)
    p = selectors.periods(NOW.date())["month"]
    assert data["intake"]["month"]["n"] == received(p.start, p.end, county__code="370811").count() > 0
    assert [c["code"] for c in data["counties"]] == ["370811"]
    assert data["ranking"] is None
    assert data["sla"]["red"] == Appeal.objects.filter(county__code="370811").overdue(NOW).count()


def test_refresh_twice_gives_the_same_rows(stocked):
    before = sorted(DayFigure.objects.values_list("day", "county", "dim", "key", "counter", "n"))
    start, end = services.window(NOW.date())
    services.refresh(start, end, now=NOW)
    assert sorted(DayFigure.objects.values_list("day", "county", "dim", "key", "counter", "n")) == before


def test_every_period_number_links_to_the_appeals_behind_it(stocked, client):
    data = selectors.cockpit(stocked.leader, now=NOW)
    client.force_login(stocked.leader)
    page = client.get(data["intake"]["month"]["url"])
    assert page.status_code == 200
    assert page.context["total"] == data["intake"]["month"]["n"]
    county = next(c for c in data["counties"] if c["code"] == "370812")
    assert client.get(county["received_url"]).context["total"] == county["received"]


def test_period_figures_are_read_from_the_analytics_coarse_table(stocked):
    """GIVEN the analytics fill, WHEN its coarse day × county × unit table says more (a late
    correction the fill wrote), THEN the cockpit shows it: it keeps no copy of those counts."""
    from jishiban.analytics.models import UnitDayCount

    before = selectors.cockpit(stocked.leader, now=NOW)["intake"]["month"]["n"]
    row = UnitDayCount.objects.filter(counter="received", day=NOW.date()).first()
    UnitDayCount.objects.filter(pk=row.pk).update(n=row.n + 5)
    assert selectors.cockpit(stocked.leader, now=NOW)["intake"]["month"]["n"] == before + 5
    assert not DayFigure.objects.exclude(dim__in=["category", "town", "channel"]).exists()


def test_refresh_asks_the_same_few_queries_whatever_the_days(stocked):
    """Three grouped reads for every county at once: a refresh of the whole window (50-odd days,
    every county) asks no more queries than one of a single day."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    start, end = services.window(NOW.date())
    with CaptureQueriesContext(connection) as one_day:
        services.refresh(end, end, now=NOW)
    with CaptureQueriesContext(connection) as window:
        services.refresh(start, end, now=NOW)
    assert (end - start).days > 40 and len(window) == len(one_day) <= 15


def test_open_warnings_are_counted_in_the_database_not_from_a_short_list(stocked):
    from jishiban.regions.models import Region
    from jishiban.warnings.models import EarlyWarning

    county = Region.objects.get(code="370812")
    EarlyWarning.objects.bulk_create([
        EarlyWarning(kind="risk", key=f"risk:t{i}", title=f"风险{i}", why="测试", county=county, raised_at=NOW,
                     updated_at=NOW) for i in range(230)])
    data = selectors.cockpit(stocked.leader, now=NOW)
    assert data["warning_total"] == 230 and data["warning_counts"]["risk"] == 230
    assert next(c for c in data["counties"] if c["code"] == "370812")["warnings"] == 230
    assert len(data["warnings"]) == selectors.TOP
