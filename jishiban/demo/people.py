"""The demo's accounts and grids (演示账号与网格).

Every account gets the password ``settings.DEMO_PASSWORD``; the hash is computed once and
shared, so creating a few hundred unit accounts stays fast. Running again updates the rows
instead of duplicating them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from jishiban.accounts.models import Role, User
from jishiban.accounts.roles import assign_role_group, group_name
from jishiban.organisations.models import Organisation
from jishiban.regions.models import Region, RegionLevel

from . import texts


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    name: str
    org: str | None = None
    region: str | None = None
    phone: str = ""


# 任城区 towns that get grids: (town code, lon, lat) of the south-west corner of their block.
GRID_TOWNS = (
    ("370811011", 116.560, 35.405),  # 古槐街道
    ("370811013", 116.590, 35.405),  # 阜桥街道
    ("370811014", 116.560, 35.395),  # 越河街道
    ("370811012", 116.590, 35.395),  # 济阳街道
)
GRIDS_PER_TOWN = 3
GRID_SIZE = 0.01  # degrees, about 1 km
# One community per town holds its three grids; codes follow the grid code scheme (``grid/codes.py``).
GRID_COMMUNITY = "001"
GRID_WORKER_GRID = "370811011001001"

ACCOUNTS = (
    Account("admin", Role.ADMIN, "赵建国", org="centre-city"),
    Account("operator", Role.OPERATOR, "李晓梅", org="centre-city"),
    Account("dispatcher", Role.DISPATCHER, "王志强", org="centre-city"),
    Account("supervisor", Role.SUPERVISOR, "孙丽华", org="centre-city"),
    Account("analyst", Role.ANALYST, "周文静", org="centre-city"),
    Account("leader", Role.LEADER, "张宏伟", org="centre-city"),
    Account("county_rencheng", Role.COUNTY_STAFF, "刘海燕", org="centre-370811", region="370811"),
    Account("dept_water", Role.HANDLER, "陈立新", org="city-water"),
    Account("dept_power", Role.HANDLER, "马振东", org="ent-power"),
    Account("grid_worker", Role.GRID_WORKER, "韩春梅", org="town-370811011", region=GRID_WORKER_GRID),
    Account("town_guhuai", Role.HANDLER, "王建军", org="town-370811011"),  # 古槐街道: the town inbox
    Account("citizen", Role.CITIZEN, "郭明", phone="13805370001"),
)
# Which demo account acts for an actor key of ``history``; units act as ``unit:<code>`` and grid
# workers report as ``grid:<code>`` (see ``ensure_unit_accounts`` / ``ensure_grid_workers``).
ACTOR_ACCOUNTS = {"operator": "operator", "dispatcher": "dispatcher", "supervisor": "supervisor",
                  "county": "county_rencheng", "citizen": "citizen"}
UNIT_ACCOUNT_PREFIX = "unit-"


def grid_features() -> list[dict]:
    """The square grids of ``GRID_TOWNS`` as GeoJSON features for the grid import."""
    towns = {r.code: r for r in Region.objects.filter(code__in=[code for code, _, _ in GRID_TOWNS])}
    features = []
    for code, lon0, lat0 in GRID_TOWNS:
        town = towns[code]
        community = f"{code}{GRID_COMMUNITY}"
        for j in range(GRIDS_PER_TOWN):
            west, south = round(lon0 + j * GRID_SIZE, 6), lat0
            east, north = round(west + GRID_SIZE, 6), round(south + GRID_SIZE, 6)
            ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
            features.append({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}, "properties": {
                "code": f"{community}{j + 1:03d}", "name": f"{town.name}第{j + 1}网格",
                "community": community, "community_name": f"{town.short_name or town.name}社区",
                "zongzhi": f"ZZ{community}{j + 1:02d}", "jingwu": f"JW{community[-5:]}{j + 1:02d}",
                "chengguan": f"CG{community[-6:]}-{j + 1}", "chuangcheng": f"CC{community[-4:]}{j + 1:02d}",
                "residents": 1500 + 300 * j, "households": 500 + 100 * j, "units": 20 + 5 * j}})
    return features


def ensure_grids(now=None) -> list[Region]:
    """The square grids under a few 任城区 towns, written by the grid import (``grid.services``:
    a ``Grid`` with its boundary for each level-5 region, like every other grid); idempotent."""
    from jishiban.grid.services import import_geojson

    features = grid_features()
    import_geojson({"type": "FeatureCollection", "features": features}, source="demo", now=now)
    codes = [f["properties"]["code"] for f in features]
    return list(Region.objects.filter(code__in=codes, level=RegionLevel.GRID).select_related("parent__parent")
                .order_by("code"))


def grid_box(grid: Region) -> tuple[float, float, float, float]:
    """(west, south, east, north) of a square grid."""
    ring = grid.geometry["coordinates"][0]
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    return min(lons), min(lats), max(lons), max(lats)


def _upsert(username: str, *, password: str, role: str, name: str, org: Organisation | None,
            region: Region | None, phone: str = "", superuser: bool = False) -> User:
    # Only the administrator is staff (opens the admin); every other account works in the workbench.
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={"password": password, "role": role, "first_name": name, "last_name": "", "organisation": org,
                  "region": region, "phone": phone, "is_staff": superuser, "is_superuser": superuser, "is_active": True},
    )
    assign_role_group(user)
    return user


def password_hash() -> str:
    return make_password(settings.DEMO_PASSWORD)


def ensure_accounts(hashed: str) -> dict[str, User]:
    """The named demo accounts (``ACCOUNTS``), by username."""
    orgs = {o.code: o for o in Organisation.objects.filter(code__in=[a.org for a in ACCOUNTS if a.org])}
    regions = {r.code: r for r in Region.objects.filter(code__in=[a.region for a in ACCOUNTS if a.region])}
    users = {}
    with transaction.atomic():
        for a in ACCOUNTS:
            users[a.username] = _upsert(
                a.username, password=hashed, role=a.role, name=a.name, org=orgs.get(a.org),
                region=regions.get(a.region), phone=a.phone, superuser=a.role == Role.ADMIN,
            )
    return users


def ensure_grid_workers(grids: list[Region], hashed: str, named: dict[str, User], now=None) -> dict[str, User]:
    """A grid worker per grid, by grid code: ``grid_worker`` for its grid, ``grid-<code>`` for the
    others, each the grid's responsible worker (``grid.services.assign_worker``, from ``now``)."""
    from jishiban.grid.models import Assignment, Duty, Grid
    from jishiban.grid.services import assign_worker

    workers = {GRID_WORKER_GRID: named["grid_worker"]}
    towns = {o.region_id: o for o in Organisation.objects.filter(region__in=[g.parent.parent_id for g in grids], kind="town")}
    profiles = {g.region_id: g for g in Grid.objects.filter(region__in=grids)}
    staffed = set(Assignment.objects.filter(grid__in=profiles.values(), ended_at=None, duty=Duty.RESPONSIBLE)
                  .values_list("grid_id", flat=True))
    with transaction.atomic():
        for grid in grids:
            if grid.code not in workers:
                workers[grid.code] = _upsert(
                    f"grid-{grid.code}", password=hashed, role=Role.GRID_WORKER, region=grid,
                    name=texts.person_name(random.Random(grid.code)), org=towns.get(grid.parent.parent_id),
                )
            if profiles[grid.pk].pk not in staffed:
                assign_worker(profiles[grid.pk], workers[grid.code], now=now)
    return workers


def ensure_unit_accounts(codes, hashed: str, named: dict[str, User], rng: random.Random) -> dict[str, User]:
    """A handler account per unit in ``codes`` (``unit-<code>``), reusing a named account of the
    unit when there is one (dept_water for city-water). Returns unit code → user."""
    by_unit = {u.organisation.code: u for u in named.values() if u.role == Role.HANDLER and u.organisation_id}
    orgs = {o.code: o for o in Organisation.objects.filter(code__in=set(codes) - by_unit.keys())}
    existing = {u.username: u for u in User.objects.filter(username__in=[UNIT_ACCOUNT_PREFIX + c for c in orgs])}
    new = []
    for code, org in sorted(orgs.items()):
        user = existing.get(UNIT_ACCOUNT_PREFIX + code)
        if user is None:
            user = User(username=UNIT_ACCOUNT_PREFIX + code, password=hashed, role=Role.HANDLER, organisation=org,
                        first_name=texts.person_name(rng))
            new.append(user)
        by_unit[code] = user
    if existing:
        User.objects.filter(pk__in=[u.pk for u in existing.values()]).update(password=hashed, is_active=True, is_staff=False)
    if new:
        User.objects.bulk_create(new, batch_size=500)
        group, _ = Group.objects.get_or_create(name=group_name(Role.HANDLER))
        created = list(User.objects.filter(username__in=[u.username for u in new]))
        # New accounts have no group yet: the same result as assign_role_group, in one query.
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=u.pk, group_id=group.pk) for u in created], batch_size=500)
        for user in created:
            by_unit[user.username[len(UNIT_ACCOUNT_PREFIX):]] = user
    return by_unit


def account_table(users: dict[str, User]) -> list[tuple[str, str, str, str]]:
    """(username, role, unit/region, name) rows for the accounts printed after loading."""
    rows = []
    for a in ACCOUNTS:
        user = users[a.username]
        where = " / ".join(str(x) for x in (user.organisation, user.region) if x is not None)
        rows.append((user.username, str(Role(user.role).label), where, user.first_name))
    return rows
