"""Routing on the demo data: learning from past dispatches, and suggestions per appeal.

    .venv/bin/python bench/routing_learn.py                        # SQLite var/bench-routing.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_routing .venv/bin/python bench/routing_learn.py

Uses its own database (kept between runs; the demo's 20,000 appeals with full histories are
loaded once). Prints: the time of the learning aggregate (one query) and of the whole rebuild
of ``LearnedRoute``, its size, and the time of ``suggest_units`` per appeal — one at a time and
with one shared ``Advisor`` (a queue page) — before and after seeding the catalogue, with the
sources the suggestions came from and how often the first suggestion names the unit that
finally kept the appeal. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-routing.sqlite3'}")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-bench-only-secret-key")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jishiban.settings")
os.environ.setdefault("JISHIBAN_DEMO", "1")
os.environ.setdefault("Q_SYNC", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from jishiban.appeals.models import Appeal, AppealEvent  # noqa: E402
from jishiban.routing.models import DispatchRule, LearnedRoute  # noqa: E402
from jishiban.routing.services import Advisor, learn, seed_catalogue, suggest_units  # noqa: E402
from jishiban.routing.services.learning import dispatch_outcomes, learn_days  # noqa: E402


def ensure_demo(appeals: int) -> None:
    call_command("migrate", verbosity=0)
    if Appeal.objects.exists():
        return
    from jishiban.demo.loader import load_demo

    started = time.monotonic()
    load_demo(appeals, seed=12345)
    if connection.vendor == "postgresql":  # as autovacuum would, before the planner sees the rows
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"demo loaded: {Appeal.objects.count():,} appeals in {time.monotonic() - started:.0f} s", flush=True)


def timed(func, repeat: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - started)
    return times, result


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:.1f} ms, worst {max(values) * 1000:.1f} ms"


def bench_learning(repeat: int) -> None:
    since = timezone.now() - timezone.timedelta(days=learn_days())
    dispatches = AppealEvent.objects.filter(action="dispatch").count()
    times, rows = timed(lambda: list(dispatch_outcomes(since=since)), repeat)
    print(f"aggregate over {dispatches:,} dispatch events: {len(rows):,} groups, {ms(times)} "
          f"(database defaults, e.g. PostgreSQL JIT)")
    times, summary = timed(learn, repeat)
    print(f"learn() (aggregate + roll-up + rewrite): {summary['rows']:,} rows from {summary['dispatches']:,} "
          f"dispatches, {ms(times)}")


def kept_unit(appeal) -> int | None:
    return appeal.lead_unit_id if appeal.accepted_at or appeal.status in ("replied", "callback_done", "closed") \
        else None


def bench_suggestions(label: str, sample: list[Appeal]) -> None:
    per_appeal = []
    sources: Counter = Counter()
    queries = []
    hits = total = 0
    for appeal in sample:
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            found = suggest_units(appeal)
            per_appeal.append(time.perf_counter() - started)
        queries.append(len(ctx.captured_queries))
        sources[found[0].source if found else "none"] += 1
        final = kept_unit(appeal)
        if final is not None:
            total += 1
            hits += bool(found) and found[0].lead_unit.pk == final
    advisor = Advisor()
    started = time.perf_counter()
    for appeal in sample:
        suggest_units(appeal, advisor=advisor)
    shared = time.perf_counter() - started
    print(f"{label}: suggest_units per appeal {ms(per_appeal)}, median {statistics.median(queries):.0f} queries; "
          f"{len(sample)} appeals with one Advisor {shared * 1000:.0f} ms")
    print(f"  first suggestion from: {dict(sources.most_common())}; names the unit that kept the appeal in "
          f"{hits}/{total} ({100 * hits / max(total, 1):.0f}%)")


def bench_holdout(share: float = 0.2, sample_size: int = 1000) -> None:
    """Top-1 / top-3 of the learned suggestion on held-back history: ``LearnedRoute`` is rebuilt
    from the dispatches before the cut (the newest ``share`` of appeals by received time), and
    the appeals received after it are suggested for, against the unit that kept each one."""
    kept_qs = Appeal.objects.filter(category__isnull=False, lead_unit__isnull=False)
    n = kept_qs.count()
    cut = kept_qs.order_by("-received_at").values_list("received_at", flat=True)[int(n * share)]
    learned = learn(now=cut)
    held = [a for a in kept_qs.filter(received_at__gt=cut).select_related("category__parent__parent", "county", "town",
                                                                           "channel").order_by("pk")[:sample_size]
            if kept_unit(a) is not None]
    advisor = Advisor()
    top1 = top3 = 0
    sources: Counter = Counter()
    for appeal in held:
        found = suggest_units(appeal, advisor=advisor, limit=3)
        units = [s.lead_unit.pk for s in found]
        top1 += bool(units) and units[0] == kept_unit(appeal)
        top3 += kept_unit(appeal) in units
        sources[found[0].source if found else "none"] += 1
    print(f"held-back history: learned from {learned['dispatches']:,} dispatches before {cut:%Y-%m-%d %H:%M}; "
          f"{len(held)} later appeals with a unit that kept them: top-1 {top1 / max(len(held), 1):.3f}, "
          f"top-3 {top3 / max(len(held), 1):.3f}; first suggestion from {dict(sources.most_common())}")
    learn()  # back to the full history


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appeals", type=int, default=20000, help="demo appeals to load on a fresh database")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sample", type=int, default=500, help="appeals to suggest units for")
    args = parser.parse_args()
    ensure_demo(args.appeals)
    print(f"database: {connection.vendor}, {Appeal.objects.count():,} appeals, "
          f"{AppealEvent.objects.count():,} events")
    bench_learning(args.repeat)
    sample = list(Appeal.objects.filter(category__isnull=False, lead_unit__isnull=False)
                  .select_related("category__parent__parent", "county", "town", "channel").order_by("?")[:args.sample])
    DispatchRule.objects.all().delete()
    bench_suggestions("empty catalogue (learned + domain)", sample)
    started = time.perf_counter()
    result = seed_catalogue()
    print(f"seed_catalogue: {result} in {(time.perf_counter() - started) * 1000:.0f} ms")
    bench_suggestions("seeded catalogue", sample)
    bench_holdout()
    DispatchRule.objects.all().delete()
    print("without the seeded catalogue (learned routes and unit domains only):")
    bench_holdout()
    print(f"LearnedRoute rows: {LearnedRoute.objects.count():,}")


if __name__ == "__main__":
    main()
