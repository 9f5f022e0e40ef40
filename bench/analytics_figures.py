"""The figures at size: filling the daily tables, a day's increment, a month's figures.

    .venv/bin/python bench/analytics_figures.py --appeals 200000 --db sqlite
    .venv/bin/python bench/analytics_figures.py --appeals 1000000 --db postgres

In a fresh database of its own (SQLite file in /tmp, or PostgreSQL ``jishiban_bench_analytics``)
the script migrates, loads the reference data and writes a synthetic year of appeals with their
events straight into the tables (one prepared INSERT per table over pre-built rows, ``Writer.
write_rows``; ``--orm`` writes the very same rows through ``bulk_create``, twice the CPU; the mix of the real centre: ~10 % answered
directly, 2 % invalid, 1 % merged, the rest dispatched over the 14 counties and the city units,
with late sign-offs, returns and re-dispatches, approved extensions, callbacks of every
verdict, reopenings). It then times, each in this process:

* ``fill_all`` — ``rollup.fill`` over the whole history (appeals/s);
* ``fill_day`` — one more day of appeals and events (``--day-appeals``: 27,400 is a day of the
  centre at 10 million a year), then ``rollup.fill`` of that day;
* ``month_city`` / ``month_by_county`` / ``month_by_unit`` — every metric of one month from the
  count tables (``selectors.totals`` + ``metrics.evaluate_all``: the coarse county × unit table),
  the median of 5 runs; ``month_category`` the same for one top category's subtree (daily table);
* ``month_raw_count`` — for scale, a plain ``COUNT`` of the month's appeals by county;
* ``bulletin_docx`` — the monthly bulletin as .docx (figures, both rankings, charts).

Prints one line per measure; nothing is asserted.
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
H, D = timedelta(hours=1), timedelta(days=1)


SQLITE = Path("/tmp/jishiban-bench-analytics.sqlite3")


PG_DB = "jishiban_bench_analytics"


def setup(db: str, copy_of: str = "", pg_db: str = PG_DB) -> None:
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-that-is-long-enough-for-django")
    if db == "sqlite":
        path = SQLITE
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        if copy_of:
            import shutil

            shutil.copyfile(copy_of, path)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {pg_db}")
            conn.execute(f"CREATE DATABASE {pg_db}")
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{pg_db}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "jishiban.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if copy_of:
        return
    from jishiban.testing import load_reference_data

    load_reference_data()


def fill_day_only(saved: str, profile: str) -> None:
    """``--fill-day-from``: a fresh copy of a database saved by ``--save-day`` (history filled,
    the extra day written, not filled), then only that day's fill, timed (and profiled)."""
    setup("sqlite", saved)
    from django.utils import timezone

    import jishiban.smart.services  # noqa: F401
    from jishiban.analytics import rollup

    pending = rollup.pending_events()
    now = timezone.now()
    if profile:
        import cProfile

        started, cpu = time.perf_counter(), time.process_time()
        cProfile.runctx("rollup.fill(now=now)", globals(), {"rollup": rollup, "now": now}, profile)
        print(f"fill_day (profiled) {time.perf_counter() - started:9.3f} s  (cpu {time.process_time() - cpu:.3f} s, "
              f"load {os.getloadavg()[0]:.1f})  {pending} events", flush=True)
        return
    timed("fill_day", lambda: rollup.fill(now=now), extra=f"{pending} events")


class Writer:
    """Appeals and events as plain rows, written in bulk."""

    def __init__(self, seed: int = 12, bulk: bool = True):
        from jishiban.channels.models import Channel
        from jishiban.organisations.models import Organisation
        from jishiban.regions.models import Region
        from jishiban.taxonomy.models import Category

        self.rnd = random.Random(seed)
        self.counties = list(Region.objects.counties().values_list("id", flat=True))
        self.towns = {}
        for town_id, parent in Region.objects.towns().values_list("id", "parent_id"):
            self.towns.setdefault(parent, []).append(town_id)
        self.categories = list(Category.objects.filter(level=3).values_list("id", flat=True))
        self.channels = list(Channel.objects.values_list("id", flat=True))
        # A county's appeals go to the city's units or to that county's own (departments, towns).
        units = Organisation.objects.exclude(kind="centre").filter(is_active=True)
        self.city_units = list(units.filter(level="city").values_list("id", "code"))
        self.units_of = {}
        for county in self.counties:
            here = [county, *self.towns.get(county, [])]
            self.units_of[county] = (list(units.filter(region_id__in=here).exclude(level="city")
                                          .values_list("id", "code")) or self.city_units)
        self.serial = 0
        self.bulk = bulk

    def day(self, d: date, n: int) -> tuple[list, list]:
        from jishiban.appeals.models import Appeal

        appeals, plans = [], []
        base = datetime(d.year, d.month, d.day, 0, 30, tzinfo=UTC)  # 08:30 in 济宁
        for _ in range(n):
            self.serial += 1
            r = self.rnd
            t = base + timedelta(minutes=r.randrange(9 * 60))
            county = r.choice(self.counties)
            plan = self.plan(t, county)
            unit_id = plan["unit"][0] if plan.get("unit") else None
            appeals.append(Appeal(
                number=f"B{self.serial:012d}", channel_id=r.choice(self.channels), received_at=t,
                title="路灯不亮", content="小区路灯不亮已经三天", county_id=county,
                town_id=r.choice(self.towns.get(county) or [None]), category_id=r.choice(self.categories),
                appeal_type=r.choice(["complaint", "help", "consult", "report"]), status=plan["status"],
                lead_unit_id=unit_id, sign_deadline=plan.get("sign_due"), reply_deadline=plan.get("reply_due"),
                tags=["repeat"] if r.random() < 0.08 else [], dispatched_at=plan.get("dispatched"),
            ))
            plans.append(plan)
        return appeals, plans

    def unit(self, county: int):
        r = self.rnd
        return r.choice(self.city_units if r.random() < 0.3 else self.units_of[county])

    def plan(self, t: datetime, county: int) -> dict:
        r = self.rnd
        ev = [("receive", t, {})]
        x = r.random()
        if x < 0.10:
            return {"status": "answered", "events": ev + [("answer", t + 0.2 * H, {"text": "已解答"})]}
        if x < 0.12:
            return {"status": "invalid", "events": ev + [("invalidate", t + H, {})]}
        unit = self.unit(county)
        at = t + H
        if r.random() < 0.06:  # returned, then re-dispatched elsewhere
            ev += [("dispatch", at, {"lead_unit": unit[1]}), ("return", at + 2 * H, {"unit": unit[1]})]
            unit, at = self.unit(county), at + 3 * H
        ev.append(("dispatch", at, {"lead_unit": unit[1]}))
        sign_due, reply_due = at + 2 * H, at + 5 * D
        plan = {"unit": unit, "dispatched": at, "sign_due": sign_due, "reply_due": reply_due, "status": "dispatched"}
        if r.random() < 0.03:
            plan["events"] = ev
            return plan
        ev.append(("accept", at + (3 * H if r.random() < 0.1 else 0.5 * H), {}))
        if r.random() < 0.05:
            plan["reply_due"] = reply_due = reply_due + 3 * D
            ev += [("request-extension", at + D, {}),
                   ("decide-extension", at + 1.5 * D, {"approved": True, "new_deadline": reply_due.isoformat()})]
        reply_at = at + r.choice([1, 2, 3, 4, 6]) * D
        ev.append(("reply", reply_at, {"result_type": r.choice(["solved", "solved", "explained", "stepwise"]),
                                       "promise": "", "on_time": reply_at <= reply_due}))
        verdict = r.choices(["satisfied", "basically", "dissatisfied"], [80, 14, 6])[0]
        ev.append(("callback", reply_at + D, {"satisfaction": verdict, "solved": verdict != "dissatisfied"}))
        if verdict == "dissatisfied" and r.random() < 0.4:
            ev += [("reopen", reply_at + 2 * D, {"unit": unit[1]}), ("accept", reply_at + 2 * D + H, {}),
                   ("reply", reply_at + 4 * D, {"result_type": "solved"})]
            plan.update(status="replied", sign_due=reply_at + 2 * D + 2 * H, reply_due=reply_at + 7 * D)
        else:
            ev.append(("close", reply_at + 2 * D, {}))
            plan["status"] = "closed"
        plan["events"] = ev
        return plan

    def write(self, d: date, n: int) -> int:
        from django.db import transaction

        from jishiban.appeals.models import Appeal, AppealEvent

        appeals, plans = self.day(d, n)
        if self.bulk:
            return self.write_rows(appeals, plans)
        with transaction.atomic():
            Appeal.objects.bulk_create(appeals, batch_size=2000)
            if appeals[0].pk is None:  # SQLite before RETURNING: look the ids up by number
                ids = dict(Appeal.objects.filter(number__in=[a.number for a in appeals]).values_list("number", "id"))
                for a in appeals:
                    a.pk = ids[a.number]
            events = [AppealEvent(appeal_id=a.pk, action=action, at=at, payload=payload)
                      for a, plan in zip(appeals, plans, strict=True) for action, at, payload in plan["events"]]
            AppealEvent.objects.bulk_create(events, batch_size=5000)
        return len(events)

    def write_rows(self, appeals: list, plans: list) -> int:
        """The same appeals and events (same random draws) as plain rows: one prepared INSERT
        per table run over all of them (``executemany``), every column's value converted once
        per kind instead of through the ORM per field; ids looked up by number."""
        from django.db import transaction

        from jishiban.appeals.models import Appeal, AppealEvent

        with transaction.atomic():
            _insert_rows(Appeal, appeals, ("number", "channel_id", "received_at", "title", "content", "county_id",
                                           "town_id", "category_id", "appeal_type", "status", "lead_unit_id",
                                           "sign_deadline", "reply_deadline", "tags", "dispatched_at"))
            ids = dict(Appeal.objects.filter(number__in=[a.number for a in appeals]).values_list("number", "id"))
            events = [AppealEvent(appeal_id=ids[a.number], action=action, at=at, payload=payload)
                      for a, plan in zip(appeals, plans, strict=True) for action, at, payload in plan["events"]]
            _insert_rows(AppealEvent, events, ("appeal_id", "action", "at", "payload"))
        return len(events)


def _insert_rows(model, objs: list, varying: tuple[str, ...], chunk: int = 5000) -> None:
    """Insert ``objs`` (unsaved instances) with one prepared statement: the columns not in
    ``varying`` take the value a new instance gets (converted once), the others are converted
    by field kind (moments as the backend stores them, JSON as text)."""
    import json

    from django.db import connection, models

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    blank = model()
    fixed = {f.attname: f.get_db_prep_save(f.pre_save(blank, add=True), connection) for f in fields
             if f.attname not in varying}
    pg = connection.vendor == "postgresql"

    def converter(f):
        if isinstance(f, models.DateTimeField):
            return connection.ops.adapt_datetimefield_value
        if isinstance(f, models.JSONField):
            return json.dumps
        return None

    convert = {f.attname: converter(f) for f in fields if f.attname in varying}
    q = connection.ops.quote_name
    marks = ", ".join("%s::jsonb" if pg and isinstance(f, models.JSONField) else "%s" for f in fields)
    sql = (f"INSERT INTO {q(model._meta.db_table)} ({', '.join(q(f.column) for f in fields)}) "  # noqa: S608
           f"VALUES ({marks})")
    plan = [(f.attname, convert.get(f.attname)) for f in fields]
    rows = []
    for o in objs:
        row = []
        for name, conv in plan:
            if name in fixed:
                row.append(fixed[name])
            else:
                v = getattr(o, name)
                row.append(conv(v) if conv is not None and v is not None else v)
        rows.append(row)
    with connection.cursor() as cursor:
        for i in range(0, len(rows), chunk):
            cursor.executemany(sql, rows[i:i + chunk])


def timed(label: str, fn, *, repeat: int = 1, extra: str = ""):
    """Wall time and this process's CPU time (the steadier figure on a shared machine; on SQLite
    it includes the database's work, on PostgreSQL not the server's)."""
    times, cpus, result = [], [], None
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    print(f"{label:<18} {statistics.median(times):9.3f} s  (cpu {statistics.median(cpus):.3f} s, load "
          f"{os.getloadavg()[0]:.1f})  {extra}", flush=True)
    return result, statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--appeals", type=int, default=200_000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--day-appeals", type=int, default=0,
                    help="appeals of the extra day (default: a day of the history); 27400 is a day at 10 M a year")
    ap.add_argument("--orm", action="store_true", help="write the history through the ORM's bulk_create (slower)")
    ap.add_argument("--pg-db", default=PG_DB, help="PostgreSQL: the database to create afresh")
    ap.add_argument("--save-day", default="", help="SQLite: copy the database here once the extra day is written")
    ap.add_argument("--fill-day-from", default="", help="SQLite: only fill the day of a database saved by --save-day")
    ap.add_argument("--profile", default="", help="with --fill-day-from: write the fill's cProfile to this file")
    args = ap.parse_args()
    if args.fill_day_from:
        return fill_day_only(args.fill_day_from, args.profile)
    setup(args.db, pg_db=args.pg_db)
    from django.db.models import Count
    from django.utils import timezone

    from jishiban.analytics import metrics, rollup, selectors
    from jishiban.analytics.borrowed import FigureScope
    from jishiban.appeals.models import Appeal
    from jishiban.taxonomy.models import Category

    writer = Writer(bulk=not args.orm)
    first = date(2025, 11, 1)
    per_day = max(1, args.appeals // args.days)
    started, events = time.perf_counter(), 0
    for i in range(args.days):
        events += writer.write(first + timedelta(days=i), per_day)
        if (i + 1) % 10 == 0 and i + 1 < args.days:
            spent = time.perf_counter() - started
            print(f"  generating       day {i + 1}/{args.days}, {per_day * (i + 1)} appeals, "
                  f"eta {spent / (i + 1) * (args.days - i - 1):.0f} s", flush=True)
    print(f"generated          {time.perf_counter() - started:9.1f} s  {per_day * args.days} appeals, {events} events",
          flush=True)
    import jishiban.smart.services  # noqa: F401  (loaded once in a running worker; not the fill's cost)

    now = timezone.now()
    _, t_all = timed("fill_all", lambda: rollup.fill(now=now, batch=5000))
    print(f"{'':<18} {per_day * args.days / t_all:9.0f} appeals/s", flush=True)
    day = first + timedelta(days=args.days)
    day_appeals = args.day_appeals or per_day
    n_day = writer.write(day, day_appeals)
    if args.save_day and args.db == "sqlite":
        import shutil

        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copyfile(SQLITE, args.save_day)
        print(f"saved              {args.save_day}", flush=True)
    timed("fill_day", lambda: rollup.fill(now=now), extra=f"{day_appeals} appeals, {n_day} events")
    month = (date(2026, 9, 1), date(2026, 9, 30))
    everything = FigureScope("everything")
    timed("month_city", lambda: metrics.evaluate_all(selectors.totals(everything, *month)), repeat=5)
    timed("month_by_county", lambda: {k: metrics.evaluate_all(v) for k, v in
                                      selectors.totals(everything, *month, group="county").items()}, repeat=5)
    timed("month_by_unit", lambda: {k: metrics.evaluate_all(v) for k, v in
                                    selectors.totals(everything, *month, group="unit").items()}, repeat=5)
    lo, hi = rollup.day_bounds(*month)
    timed("month_raw_count", lambda: list(Appeal.objects.filter(received_at__gte=lo, received_at__lt=hi)
                                          .values("county_id").annotate(n=Count("id"))), repeat=5)
    from jishiban.analytics import documents, reports

    timed("bulletin_docx", lambda: documents.render(reports.monthly(everything, "2026-09"), "docx"), repeat=2,
          extra="月通报 with both rankings and charts")
    cat = Category.objects.filter(level=1).order_by("code").first()
    timed("month_category", lambda: metrics.evaluate_all(selectors.totals(
        everything, *month, selectors.Filter(category=cat.pk))), repeat=5, extra=f"subtree of {cat.name} (daily table)")
    from jishiban.analytics.models import DailyCount, UnitDayCount

    print(f"daily rows         {DailyCount.objects.count():9d}", flush=True)
    print(f"county×unit rows   {UnitDayCount.objects.count():9d}", flush=True)


if __name__ == "__main__":
    main()
