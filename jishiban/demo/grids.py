"""The demo's grid work (网格化): a few hundred grids under generated communities of ten towns,
a worker per grid (some with a substitute), a year of grid events and the demo appeals located
in them. Grids go through the grid import (``grid.services.import_geojson``: the same checks as a
city's file); workers, events and steps are bulk-written like the demo's appeals, each event a
legal walk of the grid event table.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from django.db import transaction

from jishiban.accounts.models import Role, User
from jishiban.appeals.models import Appeal
from jishiban.grid import selectors, services
from jishiban.grid.models import AppealLocation, Assignment, EventStep, Grid, GridEvent, Task
from jishiban.grid.workflow import next_state
from jishiban.regions.models import Region, RegionLevel
from jishiban.smart.geocode.grid import GridIndex

from . import texts
from .cases import CENTRES, URBAN_UNITS
from .people import GRID_TOWNS

# Towns whose grids are drawn here (the four 任城区 towns of ``people.ensure_grids`` have theirs
# already, imported the same way, with their workers; they get events and located appeals here too).
TOWNS = ("370811005", "370811006", "370811002", "370812001", "370812003", "370883001", "370881001",
         "370829001", "370830001", "370826001")
COMMUNITIES = 4  # per town, 2 × 2
GRIDS = 6  # per community, 3 × 2
EVENTS_PER_GRID = 6  # a year
COMMUNITY_NAMES = ("幸福", "和平", "建设", "光明", "东风", "振兴", "永安", "文昌")
TITLES = {
    "opinion": ("居民反映小区停车难", "群众反映夜间施工扰民", "居民希望增设健身器材"),
    "info": ("新迁入住户登记", "楼道堆放杂物存在火灾隐患", "沿街商铺关停"),
    "mediation": ("邻里漏水纠纷", "物业费纠纷", "宅基地边界纠纷"),
    "errand": ("代办老年人优待证", "代办医保报销", "代办残疾人补贴申请"),
    "urban": ("井盖破损", "占道经营", "违规张贴小广告", "绿化带缺株"),
}
SUBJECT = {"info": ("household", "hazard", "shop"), "urban": ("part-01", "event-04", "event-02", "part-04")}


def _town_centre(town: Region) -> tuple[float, float]:
    """(lat, lon) where the demo's appeals of the town cluster (the same draw as ``cases``)."""
    county = town.ancestor(RegionLevel.COUNTY)
    base_lat, base_lon = CENTRES[county.code]
    spread = 0.04 if county.code in URBAN_UNITS else 0.15
    spot = random.Random(town.code)
    return base_lat + spot.uniform(-spread, spread), base_lon + spot.uniform(-spread, spread)


def _box(west, south, dx, dy):
    ring = [[west, south], [west + dx, south], [west + dx, south + dy], [west, south + dy], [west, south]]
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


def _features(towns: list[Region], rng: random.Random) -> list[dict]:
    feats = []
    for town in towns:
        lat, lon = _town_centre(town)
        size = 0.012  # a community, about 1.2 km across
        west, south = lon - size, lat - size
        feats.append({"type": "Feature", "properties": {"level": "town", "code": town.code},
                      "geometry": _box(west - 0.002, south - 0.002, 2 * size + 0.004, 2 * size + 0.004)})
        for c in range(COMMUNITIES):
            cw, cs = west + (c % 2) * size, south + (c // 2) * size
            community = f"{town.code}{c + 1:03d}"
            name = f"{COMMUNITY_NAMES[(int(town.code[-3:]) + c) % len(COMMUNITY_NAMES)]}社区"
            for g in range(GRIDS):
                gw, gs = cw + (g % 3) * size / 3, cs + (g // 3) * size / 2
                residents = rng.randint(800, 3500)
                feats.append({"type": "Feature", "geometry": _box(gw, gs, size / 3, size / 2), "properties": {
                    "code": f"{community}{g + 1:03d}", "name": f"{town.name}{name}第{g + 1}网格",
                    "community": community, "community_name": name,
                    "zongzhi": f"ZZ{community}{g + 1:02d}", "jingwu": f"JW{community[-5:]}{g + 1:02d}",
                    "chengguan": f"CG{community[-6:]}-{g + 1}", "chuangcheng": f"CC{community[-4:]}{g + 1:02d}",
                    "residents": residents, "households": residents // 3, "units": rng.randint(5, 80)}})
    return feats


def load(now: datetime, hashed: str, *, seed: int = 12345) -> dict[str, int]:
    """Idempotent for grids and workers; events are added only to grids that have none."""
    rng = random.Random(seed + 17)
    towns = list(Region.objects.filter(code__in=TOWNS).select_related("parent"))
    services.import_geojson({"type": "FeatureCollection", "features": _features(towns, rng)}, source="demo",
                            now=now - timedelta(days=366))
    grids = list(Grid.objects.filter(town__in=towns).select_related("region", "town", "county"))
    workers = _workers(grids, hashed, now)
    square = list(Grid.objects.filter(town__code__in=[code for code, _, _ in GRID_TOWNS])
                  .select_related("region", "town", "county"))
    workers.update(selectors.workers_on_duty(square))
    events = _events(square + grids, workers, now, rng)
    located = _locate_appeals(square + grids, now)
    return {"grids": len(square) + len(grids), "workers": len(workers), "events": events, "located": located}


def _workers(grids: list[Grid], hashed: str, now: datetime) -> dict[int, User]:
    names = {f"gw-{g.region.code}": g for g in grids}
    existing = {u.username: u for u in User.objects.filter(username__in=names)}
    new = [User(username=n, password=hashed, role=Role.GRID_WORKER, region=g.region,
                first_name=texts.person_name(random.Random(n))) for n, g in names.items() if n not in existing]
    User.objects.bulk_create(new, batch_size=500)
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    by_grid = {g.pk: users[f"gw-{g.region.code}"] for g in grids}
    if not Assignment.objects.filter(grid__in=grids).exists():
        started = now - timedelta(days=366)
        rows = [Assignment(grid=g, worker=by_grid[g.pk], started_at=started, employment="full" if i % 4 else "part")
                for i, g in enumerate(grids)]
        # Every sixth grid has the next grid's worker as a substitute for leave.
        rows += [Assignment(grid=g, worker=by_grid[grids[(i + 1) % len(grids)].pk], duty="substitute",
                            started_at=started, note="休假替岗") for i, g in enumerate(grids) if i % 6 == 0]
        Assignment.objects.bulk_create(rows, batch_size=500)
    return by_grid


def _walk(kind: str, rng: random.Random) -> list[str]:
    roll = rng.random()
    if roll < 0.05:
        return ["collect", "invalidate"]
    if roll < 0.6 or kind in ("opinion", "errand"):
        return ["collect", "file", "solve_on_spot"] + (["evaluate"] if rng.random() < 0.5 else [])
    walk = ["collect", "file", "escalate_town", "start", "feed_back"]
    if rng.random() < 0.12:
        walk += ["rework", "feed_back"]
    return walk + (["verify"] if rng.random() < 0.9 else [])


def _events(grids: list[Grid], workers: dict[int, User], now: datetime, rng: random.Random) -> int:
    done = set(GridEvent.objects.filter(grid__in=grids).values_list("grid_id", flat=True))
    events, steps, tasks = [], [], []
    for grid in grids:
        if grid.pk in done:
            continue
        worker = workers[grid.pk]
        for _ in range(EVENTS_PER_GRID):
            kind = rng.choice(list(TITLES))
            at = now - timedelta(days=rng.uniform(1, 365), minutes=rng.randint(0, 600))
            at = at.replace(hour=rng.randint(8, 17))
            event = GridEvent(id=uuid.UUID(int=rng.getrandbits(128), version=4), grid=grid, reporter=worker,
                              kind=kind, subject=rng.choice(SUBJECT.get(kind, ("",))), title=rng.choice(TITLES[kind]),
                              description=f"{grid.region.name}：{rng.choice(TITLES[kind])}，已现场查看。",
                              state="", reported_at=at)
            state = None
            for action in _walk(kind, rng):
                to = next_state(state, action)
                at = at + timedelta(hours=rng.uniform(0.2, 30))
                if at > now:
                    break
                payload = {}
                if action == "solve_on_spot":
                    event.solved_on_spot, event.result, event.closed_at = True, "已现场处理完毕", at
                elif action == "escalate_town":
                    event.escalation = "town"
                elif action == "feed_back":
                    event.result, event.verify_deadline = "街道已安排处理", at + timedelta(hours=30)
                elif action == "rework":
                    event.rework_count += 1
                elif action == "verify":
                    payload = {"on_time": at <= event.verify_deadline}
                    event.verified_at = event.closed_at = at
                elif action == "evaluate":
                    event.rating = rng.randint(3, 5)
                steps.append(EventStep(event_id=event.id, action=action, from_state=state or "", to_state=to,
                                       actor=worker if action in ("collect", "file", "solve_on_spot", "escalate_town",
                                                                  "verify", "rework") else None,
                                       payload=payload, at=at))
                state = to
            event.state = state
            if state == "fed_back":
                tasks.append(Task(kind="verify_event", grid=grid, worker=worker, event_id=event.id,
                                  reason="请到现场核查处理结果", created_at=at, due_at=event.verify_deadline))
            events.append(event)
    with transaction.atomic():
        GridEvent.objects.bulk_create(events, batch_size=500)
        EventStep.objects.bulk_create(steps, batch_size=1000)
        Task.objects.bulk_create(tasks, batch_size=500)
    return len(events)


def _locate_appeals(grids: list[Grid], now: datetime) -> int:
    """The demo appeals whose coordinates fall in these grids get them (as the after-intake hook
    would); those handed in with a grid (the grid channel's) get their location row."""
    by_region = {g.region_id: g for g in grids}
    given = [AppealLocation(appeal_id=pk, grid=by_region[grid_id], boundary_version=by_region[grid_id].boundary_version,
                            method="given", at=at)
             for pk, grid_id, at in Appeal.objects.filter(grid__in=list(by_region), grid_location=None)
             .values_list("pk", "grid_id", "received_at")]
    AppealLocation.objects.bulk_create(given, batch_size=500, ignore_conflicts=True)
    index = GridIndex([{"id": g.pk, "geometry": g.region.geometry} for g in grids])
    by_pk = {g.pk: g for g in grids}
    appeals = list(Appeal.objects.filter(grid=None, lat__isnull=False, county__in={g.county_id for g in grids})
                   .only("pk", "lat", "lon", "received_at"))
    hits = index.locate_many([(float(a.lat), float(a.lon)) for a in appeals])
    located, rows = [], []
    for appeal, gid in zip(appeals, hits, strict=True):
        if gid is None:
            continue
        appeal.grid_id = by_pk[gid].region_id
        located.append(appeal)
        rows.append(AppealLocation(appeal=appeal, grid=by_pk[gid], boundary_version=1, method="coordinates",
                                   at=appeal.received_at))
    with transaction.atomic():
        Appeal.objects.bulk_update(located, ["grid"], batch_size=500)
        AppealLocation.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(located) + len(given)
