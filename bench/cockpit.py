"""The cockpit's data at the size of 10 million appeals a year, on PostgreSQL.

    .venv/bin/python bench/cockpit.py                      # 10,000,000 appeals a year
    .venv/bin/python bench/cockpit.py --per-year 2000000 --in-hand 20000

In a fresh database of its own (``jishiban_bench_cockpit``) the script migrates, loads the
reference data and writes, without creating the appeals themselves:

* for 400 days, what the fill and ``cockpit refresh`` would leave at ``--per-year`` appeals: the
  analytics app's coarse table (``UnitDayCount``: every county × counter × 20 units a county),
  which the cockpit's counts read, and the cockpit's intake breakdown (``DayFigure``: every
  second-level category, town and channel with intake on every day — at 27,000 appeals a day
  every key is present, so it has its largest size; it grows with the keys, not the appeals);
* one day of the analytics daily table (``DailyCount``) at that size (≈ 14 rows per appeal, the
  ratio measured at 60,000 appeals), to time the five-minute refresh of a day from it;
* ``--in-hand`` appeals held by units (the live part: due today, yellow and red cards, overdue by
  unit and county) among ``--closed`` finished ones, straight into the appeals table;
* a published county ranking and 50 open warnings, 20 of them hot events.

Then it times (median of 5, in this process): ``selectors.cockpit`` for a leader (the whole
screen), its parts (period figures from the summary; the live SLA part), for county staff, and
``services.refresh`` of one day from the daily table. Prints one line per measure (with an ETA for
the writing); nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = os.environ.get("JISHIBAN_BENCH_DB", "jishiban_bench_cockpit")  # the database it creates (and leaves)
COUNTERS_PER_APPEAL = {  # counter → mean count per received appeal (the centre's mix, roughly)
    "received": 1, "valid_received": .97, "invalid": .02, "merged": .01, "repeat": .08, "answered": .1,
    "first_contact": .1, "dispatched": .87, "dispatches": .93, "returned": .05, "sign_due": .9, "sign_on_time": .86,
    "accepted": .88, "sign_minutes": 40, "reply_due": .88, "reply_on_time": .83, "replied": .86,
    "reply_minutes": 1500, "extension_approved": .04, "reopened": .02, "cb_answered": .7, "cb_solved": .62,
    "cb_stepwise": .01, "cb_rated": .7, "cb_satisfied": .56, "cb_basically": .1, "cb_dissatisfied": .04,
    "supervised": .01, "supervised_solved": .008,
}


def setup() -> None:
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-that-is-long-enough-for-django")
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB}")
        conn.execute(f"CREATE DATABASE {DB}")
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "jishiban.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from jishiban.testing import load_reference_data

    load_reference_data()


def timed(label: str, fn, *, repeat: int = 5, extra: str = ""):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    print(f"{label:<24} {statistics.median(times):9.3f} s  (min {min(times):.3f}, max {max(times):.3f}) {extra}",
          flush=True)
    return result


def write_summary(rnd, per_day: int, first: date, days: int) -> int:
    from jishiban.analytics.models import UnitDayCount
    from jishiban.channels.models import Channel
    from jishiban.cockpit.models import DayFigure
    from jishiban.regions.models import Region
    from jishiban.taxonomy.models import Category

    counties = list(Region.objects.counties().values_list("id", flat=True))
    towns: dict[int, list[int]] = {}
    for town, parent in Region.objects.towns().values_list("id", "parent_id"):
        towns.setdefault(parent, []).append(town)
    cats = list(Category.objects.filter(level__lte=2).values_list("id", flat=True))
    channels = list(Channel.objects.values_list("id", flat=True))
    share = per_day / len(counties)
    written, started = 0, time.perf_counter()
    units = 20  # units handling a county's appeals (ids 1…20 stand for them; the table keeps ids)
    for i in range(days):
        day, rows, coarse = first + timedelta(days=i), [], []
        for county in counties:
            n = max(1, int(rnd.gauss(share, share * .2)))
            coarse += [UnitDayCount(day=day, county=county, unit=u, counter=c, n=max(0, round(n * k / units)))
                       for c, k in COUNTERS_PER_APPEAL.items() for u in range(1, units + 1)]
            for dim, keys in (("category", cats), ("channel", channels), ("town", towns.get(county) or [0])):
                rows += [DayFigure(day=day, county=county, dim=dim, key=k, counter="received",
                                   n=max(1, n // len(keys) + rnd.randrange(3))) for k in keys]
        DayFigure.objects.bulk_create(rows, batch_size=5000)
        UnitDayCount.objects.bulk_create(coarse, batch_size=5000)
        written += len(rows) + len(coarse)
        if i % 50 == 49:
            left = (time.perf_counter() - started) / (i + 1) * (days - i - 1)
            print(f"  summary day {i + 1}/{days}, {written} rows, ETA {left:.0f} s", flush=True)
    return written


def write_daily_table(rnd, per_day: int, day: date) -> int:
    """One day of ``DailyCount`` at ``per_day`` appeals, ≈ 14 rows per appeal."""
    from jishiban.analytics.models import DailyCount
    from jishiban.channels.models import Channel
    from jishiban.organisations.models import Organisation
    from jishiban.regions.models import Region
    from jishiban.taxonomy.models import Category

    towns = list(Region.objects.towns().values_list("id", "parent_id"))
    cats = list(Category.objects.filter(level=3).values_list("id", flat=True))
    channels = list(Channel.objects.values_list("id", flat=True))
    units = list(Organisation.objects.exclude(kind="centre").values_list("id", flat=True))
    names = list(COUNTERS_PER_APPEAL)
    keys: dict[tuple, int] = {}
    for _ in range(per_day * 14):
        town, county = rnd.choice(towns)
        key = (rnd.choice(names), county, town, rnd.choice(cats), rnd.choice(channels),
               rnd.choice(["complaint", "help", "consult", "report"]), rnd.choice(units))
        keys[key] = keys.get(key, 0) + 1
    rows = [DailyCount(day=day, counter=k[0], county=k[1], town=k[2], category=k[3], channel=k[4], appeal_type=k[5],
                       unit=k[6], n=n) for k, n in keys.items()]
    DailyCount.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def write_appeals(rnd, now: datetime, in_hand: int, closed: int) -> None:
    from jishiban.appeals.models import Appeal
    from jishiban.channels.models import Channel
    from jishiban.organisations.models import Organisation
    from jishiban.regions.models import Region

    counties = list(Region.objects.counties().values_list("id", flat=True))
    units = list(Organisation.objects.exclude(kind="centre").values_list("id", flat=True))
    channel = Channel.objects.values_list("id", flat=True).first()
    started, serial, total = time.perf_counter(), 0, in_hand + closed
    while serial < total:
        batch = []
        for _ in range(min(10_000, total - serial)):
            serial += 1
            holding = serial <= in_hand
            t = now - timedelta(minutes=rnd.randrange(60 * 24 * (10 if holding else 365)))
            due = t + timedelta(days=5)
            batch.append(Appeal(
                number=f"C{serial:012d}", channel_id=channel, received_at=t, title="路灯不亮", content="小区路灯不亮",
                county_id=rnd.choice(counties), lead_unit_id=rnd.choice(units),
                status=rnd.choice(["dispatched", "accepted"]) if holding else "closed", dispatched_at=t,
                reply_deadline=due, yellow_at=due - timedelta(days=1)))
        Appeal.objects.bulk_create(batch, batch_size=5000)
        left = (time.perf_counter() - started) / serial * (total - serial)
        print(f"  appeals {serial}/{total}, ETA {left:.0f} s", flush=True)


def write_ranking_and_warnings(rnd, now: datetime) -> None:
    from jishiban.analytics import services
    from jishiban.analytics.models import Ranking
    from jishiban.regions.models import Region
    from jishiban.warnings.models import EarlyWarning

    counties = list(Region.objects.counties())
    rows = [{"unit": r.name, "code": r.code, "unit_id": r.pk, "rank": i + 1, "score": 95 - i, "grade": "",
             "movement": 0, "lagging": i > 11} for i, r in enumerate(counties)]
    month = (now.date().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    Ranking.objects.create(month=month, level="county", scheme=services.current_scheme(), rows=rows, published_at=now)
    for i in range(50):
        EarlyWarning.objects.create(
            kind="event" if i < 20 else rnd.choice(["spike", "risk", "repeat"]), key=f"bench:{i}", title=f"预警{i}",
            why="bench", county=rnd.choice(counties), raised_at=now - timedelta(hours=i), updated_at=now,
            first_at=now - timedelta(hours=i + 5), latest_at=now - timedelta(hours=i),
            lat=35.4 + rnd.random() / 5, lon=116.5 + rnd.random() / 2)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-year", type=int, default=10_000_000)
    ap.add_argument("--days", type=int, default=400)
    ap.add_argument("--in-hand", type=int, default=100_000)
    ap.add_argument("--closed", type=int, default=400_000)
    args = ap.parse_args()
    setup()
    from django.db import connection
    from django.utils import timezone

    from jishiban.analytics.models import DailyCount
    from jishiban.cockpit import selectors, services
    from jishiban.testing import make_user

    rnd = random.Random(13)
    now = timezone.now()
    today = timezone.localdate(now)
    per_day = args.per_year // 365
    first = today - timedelta(days=args.days - 1)
    started = time.perf_counter()
    n = write_summary(rnd, per_day, first, args.days)
    print(f"{'summary written':<24} {time.perf_counter() - started:9.1f} s  {n} rows, {per_day} appeals a day", flush=True)
    started = time.perf_counter()
    day = today - timedelta(days=1)
    n = write_daily_table(rnd, per_day, day)
    print(f"{'daily table, one day':<24} {time.perf_counter() - started:9.1f} s  {n} rows", flush=True)
    write_appeals(rnd, now, args.in_hand, args.closed)
    write_ranking_and_warnings(rnd, now)
    with connection.cursor() as c:
        c.execute("ANALYZE")
    leader = make_user("bench_leader", "leader", org="centre-city")
    county = make_user("bench_county", "county_staff", org="centre-370811", region="370811")
    scope = selectors.borrowed.figure_scope(leader)
    p = selectors.periods(today)
    timed("cockpit, leader", lambda: selectors.cockpit(leader, now=now), extra="the whole screen")
    timed("  period figures (UnitDayCount, DayFigure)", lambda: [selectors.sums(scope, p[k]) for k in ("today", "month", "last_same", "last")]
          + [selectors.sums(scope, p["month"], by="county"), selectors.sums(scope, p["trend"], by="day")]
          + [selectors._top(scope, p["month"], d, m, "x") for d, m in (
              ("channel", selectors.Channel), ("category", selectors.Category), ("town", selectors.Region))])
    timed("  live SLA part", lambda: selectors._live(leader, now), extra=f"{args.in_hand} in hand of "
          f"{args.in_hand + args.closed} appeals")
    timed("cockpit, county staff", lambda: selectors.cockpit(county, now=now))
    timed("refresh one day", lambda: services.refresh(day, day, now=now), repeat=3,
          extra=f"{DailyCount.objects.filter(day=day).count()} daily-table rows")
    from jishiban.cockpit.models import DayFigure

    print(f"{'summary rows':<24} {DayFigure.objects.count():9d}", flush=True)
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, "
          f"PostgreSQL {connection.cursor().connection.info.server_version}, at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")


if __name__ == "__main__":
    main()
