"""lat/lon → grid over the grids' polygons (level-5 regions with their ``grid.Grid``, written by
the grid import); rebuilt when grids change."""

import pytest

from jishiban.regions.models import Region, RegionLevel
from jishiban.smart.geocode_db import locate_grid
from jishiban.smart.models import Suggestion

pytestmark = pytest.mark.django_db

TOWN = "370811016"  # 南苑街道, 任城区


def square(west, south, size=0.01):
    east, north = west + size, south + size
    return {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]]}


@pytest.fixture
def grids(reference_data):
    from jishiban.grid.services import import_geojson

    import_geojson({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": square(116.50 + 0.01 * n, 35.40),
         "properties": {"code": f"{TOWN}001{n:03d}", "name": f"南苑第{n}网格", "community_name": "南苑社区"}}
        for n in (1, 2)]})
    return list(Region.objects.filter(level=RegionLevel.GRID, code__startswith=TOWN).order_by("code"))


def test_point_finds_its_grid(grids):
    assert locate_grid(35.405, 116.515) == grids[0]
    assert locate_grid(35.405, 116.525) == grids[1]
    assert locate_grid(36.0, 117.0) is None
    assert locate_grid(None, 116.5) is None


def test_a_moved_grid_is_found_at_its_new_place(grids):
    assert locate_grid(35.505, 116.515) is None
    grids[0].geometry = square(116.51, 35.50)
    grids[0].save()
    assert locate_grid(35.505, 116.515) == grids[0]


def test_a_grid_with_a_broken_polygon_is_skipped_not_fatal(grids):
    from jishiban.grid.models import Grid

    bad = Region.objects.create(code=f"{TOWN}001009", name="坏网格", level=RegionLevel.GRID, parent=grids[0].parent,
                                geometry={"type": "Point", "coordinates": [116.5, 35.4]})
    g = grids[0].grid_profile
    Grid.objects.create(region=bad, community=g.community, town=g.town, county=g.county)
    assert locate_grid(35.405, 116.515) == grids[0]


def test_a_level5_region_without_its_grid_is_not_a_grid(grids):
    """One notion of grid: a polygon drawn into the region tree alone is not looked up."""
    Region.objects.create(code=f"{TOWN}-G9", name="区划树中的方格", level=RegionLevel.GRID, parent=grids[0].parent,
                          geometry=square(116.70, 35.40))
    assert locate_grid(35.405, 116.705) is None


def test_appeal_with_coordinates_gets_grid_town_and_county(grids, intake):
    appeal = intake("楼下路灯不亮", lat=35.405, lon=116.525)
    assert appeal.grid == grids[1]
    assert (appeal.town.code, appeal.county.code) == (TOWN, "370811")
    region = Suggestion.objects.get(appeal=appeal).region
    assert region["source"] == "grid" and any("网格" in e for e in region["evidence"])


def test_grid_of_another_county_is_not_written(grids, intake):
    appeal = intake("楼下路灯不亮", lat=35.405, lon=116.525, county="370812")
    assert appeal.grid is None and appeal.county.code == "370812"
