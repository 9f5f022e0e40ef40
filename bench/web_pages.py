"""Server time of the workbench pages with the demo data and with a million appeals.

    .venv/bin/python bench/web_pages.py                       # demo data, then 1,000,000 appeals
    .venv/bin/python bench/web_pages.py --appeals 200000      # a smaller run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_web .venv/bin/python bench/web_pages.py

Uses its own database (default: SQLite file var/bench-web.sqlite3, kept between runs so the
million rows are generated once). Step 1 loads the demo (``jishiban.demo``: accounts, a year of
appeals with full histories) and times every page; step 2 adds synthetic appeals with
``bulk_create`` up to ``--appeals`` and times the pages again. Each page is requested through
Django's test client as the persona who uses it: one warm-up, then ``--repeat`` timed requests;
the median and the worst wall time, the median CPU time of this process (the page's own work,
SQLite included, whatever else the machine is doing) and the query count are printed.
Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-web.sqlite3'}")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-bench-only-secret-key")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jishiban.settings")
os.environ.setdefault("JISHIBAN_DEMO", "1")
os.environ.setdefault("Q_SYNC", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from jishiban.accounts.models import User  # noqa: E402
from jishiban.appeals.models import Appeal  # noqa: E402
from jishiban.channels.models import Channel  # noqa: E402
from jishiban.organisations.models import Organisation  # noqa: E402
from jishiban.regions.models import Region, RegionLevel  # noqa: E402
from jishiban.taxonomy.models import Category  # noqa: E402

TEXTS = [
    "小区{n}号楼从昨天开始停水，至今没有恢复，家里有老人孩子，请尽快处理",
    "楼下烧烤店夜间经营噪音扰民，凌晨两点还很吵，多次沟通无果",
    "{n}路公交车到站不停，司机态度差，希望加强管理",
    "小区门口道路破损严重，雨天积水，行人车辆通行困难",
    "物业公司收费不透明，公共收益去向不明，请求有关部门核查",
    "路灯坏了很久没人修，晚上很黑，存在安全隐患",
    "企业拖欠工资三个月，工人多次讨要未果",
    "咨询新生儿医保办理流程和所需材料",
    "农贸市场周边占道经营，交通拥堵",
    "供暖温度不达标，室内只有十四度",
]
# State by age of the appeal, as in a running centre: the last week is still being handled,
# a few older ones are late, everything older than a month is finished.
STATES_BY_AGE = [
    (7, [("received", 4), ("dispatched", 20), ("accepted", 45), ("extension_requested", 2), ("returned", 2),
         ("replied", 17), ("answered", 10)]),
    (30, [("accepted", 2), ("replied", 3), ("callback_done", 5), ("closed", 80), ("answered", 10)]),
    (10_000, [("closed", 86), ("answered", 10), ("invalid", 2), ("merged", 2)]),
]
SPAN_DAYS = 730


def ensure_demo(demo_appeals: int) -> None:
    call_command("migrate", verbosity=0)
    if Appeal.objects.exists():
        return
    from jishiban.demo.loader import load_demo

    started = time.monotonic()
    load_demo(demo_appeals, seed=12345)
    print(f"demo loaded: {Appeal.objects.count():,} appeals in {time.monotonic() - started:.0f} s", flush=True)


def add_synthetic(total: int, *, seed: int = 7) -> None:
    """Insert appeals (no events) until the table holds ``total`` rows.

    Rows go in with one prepared INSERT and ``executemany`` (Django's ``bulk_create`` is held to
    20 rows per statement by SQLite's parameter limit with this 48-column table); values are
    prepared by the model fields themselves, so they are what the ORM would write.
    """
    have = Appeal.objects.count()
    if have >= total:
        return
    rng = random.Random(seed)
    now = timezone.now()
    channels = list(Channel.objects.values_list("pk", flat=True))
    leaves = list(Category.objects.filter(level=3).values_list("pk", flat=True))
    counties = list(Region.objects.filter(level=RegionLevel.COUNTY).values_list("pk", flat=True))
    towns: dict[int, list[int]] = {}
    for pk, parent in Region.objects.filter(level=RegionLevel.TOWN).values_list("pk", "parent_id"):
        towns.setdefault(parent, []).append(pk)
    units = list(Organisation.objects.exclude(kind="centre").values_list("pk", flat=True))
    water = Organisation.objects.get(code="city-water").pk
    phones = [f"1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d}" for _ in range(300000)]
    ages = [(limit, [st for st, _w in table], [w for _st, w in table]) for limit, table in STATES_BY_AGE]
    fields = [f for f in Appeal._meta.concrete_fields if not f.primary_key]
    template = Appeal(received_at=now, created_at=now, updated_at=now)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {connection.ops.quote_name(Appeal._meta.db_table)} ({columns}) VALUES ({marks})"

    base = [f.get_db_prep_save(getattr(template, f.attname), connection) for f in fields]
    position = {f.attname: i for i, f in enumerate(fields)}
    utc = UTC

    def convert(value):
        # What the fields' get_db_prep_save gives for these types, without the per-call overhead.
        if isinstance(value, datetime):
            return value if connection.vendor != "sqlite" else str(value.astimezone(utc).replace(tzinfo=None))
        if isinstance(value, list):
            return json.dumps(value)
        return value

    def prep(values: dict) -> tuple:
        row = base[:]
        for name, value in values.items():
            row[position[name]] = convert(value)
        return tuple(row)

    if connection.vendor == "sqlite":
        # About twenty indexes on the appeal table: a big page cache keeps the inserts fast.
        with connection.cursor() as cur:
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA cache_size=-1000000")
            cur.execute("PRAGMA temp_store=MEMORY")
    batch, made, started = [], 0, time.monotonic()
    for i in range(have, total):
        age = timedelta(minutes=rng.randint(0, 60 * 24 * SPAN_DAYS))
        names, weights = next((n, w) for limit, n, w in ages if age < timedelta(days=limit))
        state = rng.choices(names, weights)[0]
        received = now - age
        county = rng.choice(counties)
        deadline = received + timedelta(days=7) if state not in ("received", "answered", "invalid") else None
        lead = (water if rng.random() < 0.02 else rng.choice(units)) if deadline else None
        text = rng.choice(TEXTS).format(n=rng.randint(1, 30))
        batch.append(prep({
            "number": f"BM{i:010d}", "channel_id": rng.choice(channels), "received_at": received,
            "citizen_name": "张先生", "citizen_phone": rng.choice(phones), "title": text[:30], "content": text,
            "county_id": county, "town_id": rng.choice(towns.get(county) or [None]),
            "category_id": rng.choice(leaves), "appeal_type": "help", "status": state, "lead_unit_id": lead,
            "dispatched_at": received + timedelta(hours=1) if lead else None,
            "reply_deadline": deadline, "yellow_at": deadline - timedelta(days=1) if deadline else None,
            "return_deadline": received + timedelta(days=1) if deadline else None,
            "replied_at": received + timedelta(days=3) if state in ("replied", "callback_done", "closed") else None,
            "closed_at": received + timedelta(days=4) if state in ("closed", "answered") else None,
            "satisfaction": rng.choices(["satisfied", "basically", "dissatisfied"], [90, 7, 3])[0]
            if state in ("closed", "callback_done") else "",
            "return_count": rng.choice([0, 0, 0, 1, 2]) if state == "returned" else 0,
            "tags": ["risk:wage_arrears"] if rng.random() < 0.003 else [],
        }))
        if len(batch) >= 20000:
            with transaction.atomic(), connection.cursor() as cur:
                cur.executemany(sql, batch)
            made += len(batch)
            batch = []
            if made % 100000 == 0:
                rate = made / (time.monotonic() - started)
                print(f"  {have + made:,} appeals ({rate:,.0f}/s)", flush=True)
    if batch:
        with transaction.atomic(), connection.cursor() as cur:
            cur.executemany(sql, batch)
    print(f"synthetic appeals added: {total - have:,} in {time.monotonic() - started:.0f} s", flush=True)


def planner_statistics(analyze: bool) -> None:
    """PostgreSQL gathers statistics by itself (autovacuum): run ANALYZE. A SQLite deployment
    has none unless someone runs ANALYZE, and SQLite's statistics (without STAT4) only know
    averages, which mislead it on skewed columns such as ``status``; time it as deployed unless
    ``--analyze`` asks for the statistics."""
    with connection.cursor() as cur:
        if connection.vendor != "sqlite" or analyze:
            cur.execute("ANALYZE")
        else:
            cur.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cur.fetchone():
                cur.execute("DELETE FROM sqlite_stat1")
                cur.execute("ANALYZE sqlite_master")  # reload the (now empty) statistics


def pages() -> list[tuple[str, str, str]]:
    """(label, username, url) of every page to time."""
    some = (Appeal.objects.filter(status="replied", lead_unit__code="city-water").order_by("-received_at")
            .values_list("pk", "citizen_phone").first()
            or Appeal.objects.order_by("-received_at").values_list("pk", "citizen_phone").first())
    detail_pk, phone = some
    from jishiban.web.selectors.listing import keyset_page

    second = keyset_page(Appeal.objects.all(), size=50, count=False).next_cursor
    return [
        ("intake form", "operator", "/intake/"),
        ("intake: caller lookup", "operator", f"/intake/caller/?citizen_phone={phone}"),
        ("intake: duplicates+suggestions", "operator",
         "/intake/assist/?content=小区3号楼停水至今没有恢复&category=020101&county=370811"),
        ("dispatch queue", "dispatcher", "/dispatch/"),
        ("dispatch queue: returned", "dispatcher", "/dispatch/?tab=returned"),
        ("handler inbox", "dept_water", "/inbox/"),
        ("oversight: overdue", "supervisor", "/oversight/?list=overdue"),
        ("oversight: repeat", "supervisor", "/oversight/?list=repeat"),
        ("oversight: risk", "supervisor", "/oversight/?list=risk"),
        ("oversight (county)", "county_rencheng", "/oversight/"),
        ("callbacks", "supervisor", "/callbacks/"),
        ("extensions", "supervisor", "/extensions/"),
        ("list: all", "supervisor", "/appeals/"),
        ("list: page 2", "supervisor", f"/appeals/?after={second}"),
        ("list: county+open", "supervisor", "/appeals/?county=370811&status=open"),
        ("list: overdue by deadline", "supervisor", "/appeals/?deadline=overdue&sort=reply_deadline"),
        ("list: text search", "supervisor", "/appeals/?q=停水"),
        ("list: text search, no match", "supervisor", "/appeals/?q=不存在的词语"),
        ("list: handler", "dept_water", "/appeals/"),
        ("detail", "supervisor", f"/appeals/{detail_pk}/"),
        ("detail (handler)", "dept_water", f"/appeals/{detail_pk}/"),
        ("dashboard", "leader", "/dashboard/"),
        ("dashboard (county)", "county_rencheng", "/dashboard/"),
    ]


def time_pages(title: str, repeat: int) -> list[tuple]:
    clients: dict[str, Client] = {}
    rows = []
    for label, username, url in pages():
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(User.objects.get(username=username))
        client = clients[username]
        status = client.get(url).status_code  # warm-up
        times, cpu, queries = [], [], 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as ctx:
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            queries = len(ctx.captured_queries)
            status = response.status_code
        rows.append((label, statistics.median(times), max(times), statistics.median(cpu), queries, status))
    count = Appeal.objects.count()
    load = os.getloadavg()[0]
    print(f"\n## {title}: {count:,} appeals, {connection.vendor}, load average {load:.1f} on {os.cpu_count()} CPUs\n")
    print("| page | median ms | max ms | median CPU ms | queries | status |\n|---|---:|---:|---:|---:|---:|")
    for label, median, worst, cpu_ms, queries, status in rows:
        print(f"| {label} | {median:.0f} | {worst:.0f} | {cpu_ms:.0f} | {queries} | {status} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--appeals", type=int, default=1_000_000, help="total appeals for the large run")
    parser.add_argument("--demo-appeals", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-demo-timing", action="store_true")
    parser.add_argument("--analyze", action="store_true", help="SQLite: time with ANALYZE statistics")
    args = parser.parse_args()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    ensure_demo(args.demo_appeals)
    if not args.skip_demo_timing and Appeal.objects.count() <= args.demo_appeals + 1000:
        time_pages("demo data", args.repeat)
    if Appeal.objects.count() <= args.demo_appeals + 1000 >= args.appeals:
        return  # a demo-only run
    add_synthetic(args.appeals)
    planner_statistics(args.analyze)
    connection.close()  # a new connection plans with the statistics as they are now
    time_pages("large" + (" (after ANALYZE)" if args.analyze and connection.vendor == "sqlite" else ""), args.repeat)


if __name__ == "__main__":
    main()
