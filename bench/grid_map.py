"""The grid map at 20,000 grids (PostgreSQL or SQLite): what the whole-city map loads — the page,
the towns' shapes (``/grid/map/towns/``, cold: built; warm: from the cache; and the 304 of a
browser holding them) and their counts (``/grid/map/towns/counts/``) —, a town's grids (the
drill-down, ``/grid/map/data/?town=…``) and all grids at once (``/grid/map/data/``, no longer
what the city view loads).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/grid_map.py [--grids 20000]
    DATABASE_URL=sqlite:////tmp/<file>.sqlite3 .venv/bin/python bench/grid_map.py

In that database (migrated here; the reference data loaded) it writes ``--grids`` irregular
12-sided grids (the cells of ``bench/grid_lookup.py``) under the communities of ten towns of
任城区, with their ``Grid`` rows and boundaries, and one open grid event in every second grid,
straight into the tables (once: a second run reuses them). Then it times, median of 5 through
Django's test client as a superuser (the whole city in scope): the map data for all grids, for
one town, and the map page. Prints one line per measure with the payload size; nothing asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TOWNS = ("370811001", "370811002", "370811003", "370811004", "370811005", "370811006", "370811007",
         "370811008", "370811009", "370811011")


def setup() -> None:
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-that-is-long-enough-for-django")
    os.environ["DJANGO_SETTINGS_MODULE"] = "jishiban.settings"
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres", "sqlite")):
        sys.exit("DATABASE_URL must name a scratch PostgreSQL or SQLite database")
    import django

    django.setup()
    from django.core.management import call_command

    from jishiban.core.reference import load_reference

    call_command("migrate", verbosity=0)
    load_reference()


def write(n: int) -> None:
    import random

    from django.db import transaction
    from django.utils import timezone
    from grid_lookup import cells

    from jishiban.accounts.models import User
    from jishiban.grid.models import Boundary, EventStep, Grid, GridEvent
    from jishiban.regions.models import Region, RegionLevel

    if Grid.objects.filter(region__code__startswith="B").count() >= n:
        print(f"{n} bench grids already written")
        return
    t = time.perf_counter()
    now = timezone.now()
    towns = list(Region.objects.filter(code__in=TOWNS, level=RegionLevel.TOWN).select_related("parent"))
    feats = cells(n, random.Random(7))
    per_town = -(-n // len(towns))
    with transaction.atomic():
        communities = {}
        for k in range(0, n, 100):  # 100 grids a community
            town = towns[min(k // per_town, len(towns) - 1)]
            communities[k // 100] = Region(code=f"B{town.code}{k // 100:05d}", name=f"基准社区{k // 100}",
                                           level=RegionLevel.COMMUNITY, parent=town)
        Region.objects.bulk_create(communities.values(), batch_size=1000)
        regions = [Region(code=f"B{k:07d}", name=f"基准网格{k}", level=RegionLevel.GRID, parent=communities[k // 100],
                          geometry=f["geometry"]) for k, f in enumerate(feats)]
        Region.objects.bulk_create(regions, batch_size=1000)
        regions = list(Region.objects.filter(code__startswith="B0", level=RegionLevel.GRID).select_related(
            "parent__parent").order_by("code"))
        grids = [Grid(region=r, community=r.parent, town=r.parent.parent, county_id=r.parent.parent.parent_id,
                      residents=2000) for r in regions]
        Grid.objects.bulk_create(grids, batch_size=1000)
        grids = list(Grid.objects.filter(region__code__startswith="B0").select_related("region"))
        Boundary.objects.bulk_create([Boundary(grid=g, version=1, geometry=g.region.geometry, valid_from=now,
                                               source="bench") for g in grids], batch_size=1000)
        worker, _ = User.objects.get_or_create(username="bench-grid-worker", defaults={"role": "grid_worker"})
        events = [GridEvent(id=uuid.uuid4(), grid=g, reporter=worker, kind="urban", title="基准事件",
                            description="基准", state="filed", reported_at=now) for g in grids[::2]]
        GridEvent.objects.bulk_create(events, batch_size=1000)
        EventStep.objects.bulk_create([EventStep(event=e, action="file", to_state="filed", at=now) for e in events],
                                      batch_size=1000)
    print(f"wrote {len(grids)} grids, {len(events)} open events in {time.perf_counter() - t:.1f} s")


def timed(client, url: str, runs: int = 5, *, before=None, status: int = 200, **headers) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(runs):
        if before:
            before()
        t = time.perf_counter()
        response = client.get(url, headers=headers)
        body = response.content
        times.append(time.perf_counter() - t)
        assert response.status_code == status, (url, response.status_code)
        size = len(body)
    return statistics.median(times), size


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--grids", type=int, default=20000)
    args = ap.parse_args()
    setup()
    write(args.grids)
    from django.test import Client
    from django.test.utils import setup_test_environment

    from jishiban.accounts.models import User
    from jishiban.appeals.models import Appeal
    from jishiban.grid.models import Grid

    setup_test_environment()
    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"role": "admin", "is_superuser": True,
                                                                             "is_staff": True})
    client = Client()
    client.force_login(admin)
    total = Grid.objects.count()
    print(f"{total} grids in the database, {Appeal.objects.count()} appeals; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    from django.core.cache import cache

    from jishiban.grid import mapshapes

    shapes = f"/grid/map/towns/?v={mapshapes.version()}"
    etag = client.get(shapes)["ETag"]
    for label, url, options in (
            ("map page", "/grid/map/", {}),
            ("town shapes, cold", shapes, {"before": cache.clear}),
            ("town shapes, warm", shapes, {}),
            ("town shapes, 304", shapes, {"status": 304, "If-None-Match": etag}),
            ("town counts", "/grid/map/towns/counts/", {}),
            ("map data, one town", f"/grid/map/data/?town={TOWNS[1]}", {}),
            ("map data, all grids", "/grid/map/data/", {})):
        seconds, size = timed(client, url, **options)
        print(f"{label:<24} {seconds * 1000:8.0f} ms  {size / 1e6:6.2f} MB")


if __name__ == "__main__":
    main()
