"""Row-level access: every role on the one queryset method, denied by default."""

import pytest
from django.contrib.auth.models import AnonymousUser

from jishiban.appeals.models import Appeal
from jishiban.regions.models import Region, RegionLevel
from jishiban.testing import advance, make_appeal, make_user

pytestmark = pytest.mark.django_db
GRID = "370811002001001"


@pytest.fixture
def world(personas):
    from jishiban.grid.services import import_geojson  # a grid is a level-5 region with its Grid (ADR 0002)

    ring = [[116.60, 35.40], [116.61, 35.40], [116.61, 35.41], [116.60, 35.41], [116.60, 35.40]]
    import_geojson({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
        "code": GRID, "name": "第一网格", "community_name": "第一社区"},
        "geometry": {"type": "Polygon", "coordinates": [ring]}}]})
    grid = Region.objects.get(code=GRID, level=RegionLevel.GRID)
    personas.grid_worker.region = grid
    personas.grid_worker.save()
    water = advance(make_appeal(), personas, "dispatched")  # 任城区, 市城乡水务局
    co = make_appeal(content="路面塌陷漏水")
    from jishiban.appeals import services

    co = services.dispatch(co, by=personas.dispatcher, lead_unit=personas.urban, co_units=[personas.water])
    yanzhou = make_appeal(county="370812", content="兖州区某小区停水")
    in_grid = make_appeal(grid=GRID, town="370811002", content="网格内井盖缺失")
    own = make_appeal(citizen_user=personas.citizen, county="370883", content="邹城市路灯不亮")
    return {"water": water, "co": co, "yanzhou": yanzhou, "grid": in_grid, "own": own}


def _visible(user):
    return set(Appeal.objects.visible_to(user).values_list("number", flat=True))


def _numbers(world, *keys):
    return {world[k].number for k in keys}


ALL = ("water", "co", "yanzhou", "grid", "own")


@pytest.mark.parametrize("who", ["admin", "operator", "dispatcher", "supervisor", "analyst", "leader"])
def test_centre_roles_and_leaders_see_everything(personas, world, who):
    assert _visible(getattr(personas, who)) == _numbers(world, *ALL)


def test_county_staff_see_only_their_county(personas, world):
    assert _visible(personas.county_rencheng) == _numbers(world, "water", "co", "grid")
    assert _visible(personas.county_other) == _numbers(world, "yanzhou")


def test_handlers_see_what_their_unit_leads_or_co_handles(personas, world):
    assert _visible(personas.handler) == _numbers(world, "water", "co")
    assert _visible(personas.dept_head) == _numbers(world, "water", "co")
    assert _visible(personas.other_handler) == _numbers(world, "co")
    assert _visible(personas.power_handler) == set()


def test_grid_worker_sees_their_grid(personas, world):
    assert _visible(personas.grid_worker) == _numbers(world, "grid")


def test_citizen_sees_only_their_own(personas, world):
    assert _visible(personas.citizen) == _numbers(world, "own")
    assert _visible(personas.other_citizen) == set()


def test_denied_by_default(personas, world):
    assert _visible(AnonymousUser()) == set()
    nobody = make_user("no_role", "")
    assert _visible(nobody) == set()
    unplaced_handler = make_user("lost_handler", "handler")
    assert _visible(unplaced_handler) == set()
    county_without_region = make_user("lost_county", "county_staff")
    assert _visible(county_without_region) == set()
    inactive = personas.dispatcher
    inactive.is_active = False
    assert _visible(inactive) == set()
