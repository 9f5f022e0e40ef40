"""Figures at 10 million appeals a year on PostgreSQL, measured on count tables of that size.

    .venv/bin/python bench/analytics_tables.py [--appeals-per-year 10000000] [--fine-days 30]

Writing ten million appeals with their events takes hours here, and the figures read only the
count tables, so this script writes the tables as they would be at that size, straight in SQL
(``generate_series``), into a fresh database ``jishiban_bench_analytics_tables``:

* ``UnitDayCount`` (day × county × unit × counter) for a whole year, every county with every
  city unit and each of its own units on every day and every counter (the table's worst case —
  at 27,400 appeals a day nearly every pair is busy every day);
* ``UnitMonthCount``, the same by month (what whole months and the rankings read);
* ``DailyCount`` (the fine table) for ``--fine-days`` days, with as many distinct keys per day
  as 27,400 appeals make (≈ 10 per appeal, random town, category, channel, type; duplicates
  merge, as they would).

Then times (median of 5) what the pages, reports and the ranking ask: every metric of a month
city-wide, by county and by unit (coarse table), a month of one top category's subtree (fine
table), both rankings of a month (``services.assess``) and the monthly bulletin .docx.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = "jishiban_bench_analytics_tables"


def setup(db: str, reuse: bool) -> bool:
    """Connect to ``db`` (created afresh unless ``reuse`` and it exists); whether it is new."""
    import psycopg

    os.environ.setdefault("SECRET_KEY", "bench-secret-key-that-is-long-enough-for-django")
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone() is not None
        if not (reuse and exists):
            conn.execute(f"DROP DATABASE IF EXISTS {db}")
            conn.execute(f"CREATE DATABASE {db}")
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{db}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "jishiban.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if reuse and exists:
        return False
    from jishiban.testing import load_reference_data

    load_reference_data()
    return True


ONLY: set[str] = set()
PROFILE = ""


def timed(label: str, fn, *, repeat: int = 5, extra: str = ""):
    if ONLY and label not in ONLY:
        return
    if PROFILE == label:
        import cProfile

        fn()  # warm
        cProfile.runctx("fn()", globals(), {"fn": fn}, f"/tmp/{label}.prof")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    print(f"{label:<20} {statistics.median(times):8.3f} s  (min {min(times):.3f}, max {max(times):.3f})  {extra}",
          flush=True)


def write_tables(first: date, days: int, fine_days: int, per_day: int) -> None:
    from django.db import connection

    from jishiban.analytics import metrics
    from jishiban.organisations.models import Organisation
    from jishiban.regions.models import Region
    from jishiban.taxonomy.models import Category

    counters = list(metrics.COUNTERS)
    counties = list(Region.objects.counties().values_list("id", flat=True))
    towns = list(Region.objects.towns().values_list("id", "parent_id"))
    units = Organisation.objects.exclude(kind="centre").filter(is_active=True)
    city = list(units.filter(level="city").values_list("id", flat=True))
    pairs = []
    for county in counties:
        here = {county} | {t for t, parent in towns if parent == county}
        own = list(units.filter(region_id__in=here).exclude(level="city").values_list("id", flat=True))
        pairs += [(county, u) for u in city + own]
    categories = list(Category.objects.filter(level=3).values_list("id", flat=True))
    with connection.cursor() as cur:
        cur.execute("CREATE TEMP TABLE pairs (county int, unit int)")
        cur.executemany("INSERT INTO pairs VALUES (%s, %s)", pairs)
        cur.execute("CREATE TEMP TABLE counters (name text)")
        cur.executemany("INSERT INTO counters VALUES (%s)", [(c,) for c in counters])
        started = time.perf_counter()
        cur.execute(
            "INSERT INTO analytics_unitdaycount (day, counter, county, unit, n) "
            "SELECT %s::date + d, c.name, p.county, p.unit, 1 + floor(random() * 20)::int "
            "FROM generate_series(0, %s - 1) d, pairs p, counters c", [first, days])
        print(f"coarse rows          {cur.rowcount:9d}  written in {time.perf_counter() - started:.1f} s "
              f"({len(pairs)} county × unit pairs × {len(counters)} counters × {days} days)", flush=True)
        started = time.perf_counter()
        cur.execute("INSERT INTO analytics_unitmonthcount (month, counter, county, unit, n) "
                    "SELECT date_trunc('month', day)::date, counter, county, unit, sum(n) "
                    "FROM analytics_unitdaycount GROUP BY 1, 2, 3, 4")
        print(f"month rows           {cur.rowcount:9d}  written in {time.perf_counter() - started:.1f} s", flush=True)
        cur.execute("CREATE TEMP TABLE towns_ (i int, town int, county int)")
        cur.executemany("INSERT INTO towns_ VALUES (%s, %s, %s)", [(i, t, c) for i, (t, c) in enumerate(towns)])
        cur.execute("CREATE TEMP TABLE cats (i int, id int)")
        cur.executemany("INSERT INTO cats VALUES (%s, %s)", list(enumerate(categories)))
        cur.execute("CREATE TEMP TABLE units_ (i int, id int)")
        cur.executemany("INSERT INTO units_ VALUES (%s, %s)", list(enumerate(sorted({u for _c, u in pairs}))))
        cur.execute("CREATE TEMP TABLE counters_ (i int, name text)")
        cur.executemany("INSERT INTO counters_ VALUES (%s, %s)", list(enumerate(counters)))
        month_start = date(first.year, first.month, 1) + timedelta(days=31 * 9)
        month_start = month_start.replace(day=1)
        started, total = time.perf_counter(), 0
        for d in range(fine_days):
            cur.execute(
                "INSERT INTO analytics_dailycount (day, counter, county, town, category, channel, appeal_type, unit, n) "
                "SELECT %s::date, k.name, t.county, t.town, c.id, 1 + (r.g %% 12), "
                "(ARRAY['complaint','help','consult','report'])[1 + (r.g %% 4)], u.id, count(*) "
                "FROM (SELECT g, floor(random() * (SELECT count(*) FROM towns_))::int AS ti, "
                "      floor(random() * (SELECT count(*) FROM cats))::int AS ci, "
                "      floor(random() * (SELECT count(*) FROM units_))::int AS ui, "
                "      floor(random() * (SELECT count(*) FROM counters_))::int AS ki "
                "      FROM generate_series(1, %s) g) r "
                "JOIN towns_ t ON t.i = r.ti JOIN cats c ON c.i = r.ci JOIN units_ u ON u.i = r.ui "
                "JOIN counters_ k ON k.i = r.ki "
                "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8",
                [month_start + timedelta(days=d), per_day * 10])
            total += cur.rowcount
            print(f"  fine day {d + 1}/{fine_days}: ETA {(time.perf_counter() - started) / (d + 1) * (fine_days - d - 1):.0f} s",
                  flush=True)
        cur.execute("ANALYZE analytics_unitdaycount")
        cur.execute("ANALYZE analytics_unitmonthcount")
        cur.execute("ANALYZE analytics_dailycount")
        print(f"fine rows            {total:9d}  written in {time.perf_counter() - started:.1f} s "
              f"({fine_days} days from {month_start})", flush=True)
    return month_start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--appeals-per-year", type=int, default=10_000_000)
    ap.add_argument("--fine-days", type=int, default=30)
    ap.add_argument("--db", default=DB, help="the PostgreSQL database to (re)create")
    ap.add_argument("--reuse", action="store_true", help="keep the tables of an earlier run of the same --db")
    ap.add_argument("--only", default="", help="comma-separated names of the timings to run (default: all)")
    ap.add_argument("--profile", default="", help="a timing's name: write its cProfile to /tmp/<name>.prof")
    ap.add_argument("--fill-day", type=int, default=0, metavar="N",
                    help="then write a day of N appeals with their events (27400: a day at 10 M a year) after the "
                         "tables' year and time its fill into tables of this size")
    args = ap.parse_args()
    fresh = setup(args.db, args.reuse)
    from jishiban.analytics import documents, metrics, reports, selectors, services
    from jishiban.analytics.borrowed import FigureScope
    from jishiban.taxonomy.models import Category

    first = date(2025, 12, 1)
    if fresh:
        month_start = write_tables(first, 365, args.fine_days, args.appeals_per_year // 365)
    else:
        month_start = (date(first.year, first.month, 1) + timedelta(days=31 * 9)).replace(day=1)
    global ONLY, PROFILE
    ONLY, PROFILE = {x for x in args.only.split(",") if x}, args.profile
    month = month_start.strftime("%Y-%m")
    start, end = services.month_bounds(month)
    everything = FigureScope("everything")
    timed("month_city", lambda: metrics.evaluate_all(selectors.totals(everything, start, end)))
    timed("month_by_county", lambda: {k: metrics.evaluate_all(v) for k, v in
                                      selectors.totals(everything, start, end, group="county").items()})
    timed("month_by_unit", lambda: {k: metrics.evaluate_all(v) for k, v in
                                    selectors.totals(everything, start, end, group="unit").items()})
    county = next(iter(selectors.totals(everything, start, end, group="county")))
    timed("month_one_county", lambda: metrics.evaluate_all(selectors.totals(FigureScope("county", county), start, end)))
    cat = Category.objects.filter(level=1).order_by("code").first()
    timed("month_category", lambda: metrics.evaluate_all(selectors.totals(
        everything, start, end, selectors.Filter(category=cat.pk))), extra=f"subtree of {cat.name}, fine table")
    timed("ranking_both", lambda: (services.assess(month, "county"), services.assess(month, "unit")),
          extra="this month and last month, counties and city units")
    timed("bulletin_docx", lambda: documents.render(reports.monthly(everything, month), "docx"), repeat=2,
          extra="月通报 with both rankings and charts")
    if args.fill_day:
        fill_day(first + timedelta(days=365), args.fill_day)


def fill_day(day: date, n: int) -> None:
    """Write ``n`` appeals of ``day`` with their events (the figures benchmark's generator) and time their fill."""
    from analytics_figures import Writer
    from django.utils import timezone

    from jishiban.analytics import rollup

    rollup.fill(now=timezone.now())  # the watermark past the tables' own (event-less) year
    started = time.perf_counter()
    events = Writer(seed=13).write(day, n)
    print(f"wrote day          {time.perf_counter() - started:9.1f} s  {n} appeals, {events} events", flush=True)
    timed("fill_day", lambda: rollup.fill(now=timezone.now()), repeat=1,
          extra=f"{n} appeals, {events} events, into count tables of this size")


if __name__ == "__main__":
    main()
