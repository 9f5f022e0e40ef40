"""The whole-city map draws towns: their shapes (the imported boundary, else the hull of their
grids) from a cacheable, versioned URL, apart from their counts, which are small and fresh."""

import uuid

import pytest
from django.urls import reverse

from jishiban.grid import mapshapes, services
from jishiban.testing import make_appeal

from .conftest import C1, TOWN, box, client_for, collection, feature

pytestmark = pytest.mark.django_db
OTHER_TOWN, OTHER_COMMUNITY = "370811012", "370811012001"  # 济阳街道: grids, but no boundary imported


def _shapes(client, **params):
    return client.get(reverse("grid:map_towns"), params)


def test_towns_come_as_boundary_or_hull_with_an_etag_and_their_counts_apart(grid_world):
    p = grid_world["p"]
    services.import_geojson(collection(feature(OTHER_COMMUNITY + "001", box(116.70, 35.40), community_name="济阳社区"),
                                       feature(OTHER_COMMUNITY + "002", box(116.71, 35.41), community_name="济阳社区")))
    county = client_for(p.county_rencheng)
    page = county.get(reverse("grid:map")).content.decode()
    version = mapshapes.version()
    assert f"?v={version}" in page

    shapes = _shapes(county, v=version)
    assert shapes.status_code == 200 and "immutable" in shapes["Cache-Control"]
    features = {f["properties"]["name"]: f for f in shapes.json()["features"]}
    assert set(features) == {TOWN, OTHER_TOWN}
    assert features[TOWN]["properties"]["hull"] is False
    assert features[TOWN]["geometry"] == box(116.55, 35.40, 0.05)  # the imported town boundary
    hull = features[OTHER_TOWN]
    assert hull["properties"]["hull"] is True and hull["geometry"]["type"] == "Polygon"
    xs = {round(x, 3) for x, _y in hull["geometry"]["coordinates"][0]}
    assert min(xs) == 116.70 and max(xs) == 116.72  # spans both grids
    assert "appeals" not in shapes.content.decode()  # no figures in the shapes

    again = county.get(reverse("grid:map_towns"), {"v": version}, headers={"If-None-Match": shapes["ETag"]})
    assert again.status_code == 304 and not again.content
    assert "no-cache" in _shapes(county)["Cache-Control"]  # unversioned: always asks again

    make_appeal(grid=C1 + "001")
    services.report_event(by=grid_world["worker"], event_id=uuid.uuid4(), kind="info", title="井盖缺失",
                          description="路口井盖缺失")
    counts = county.get(reverse("grid:map_town_counts"))
    assert "no-store" in counts["Cache-Control"]
    assert counts.json()["towns"] == {TOWN: {"grids": 3, "appeals": 1, "events": 1},
                                      OTHER_TOWN: {"grids": 2, "appeals": 0, "events": 0}}


def test_a_boundary_change_gives_new_shapes_and_the_scope_is_the_readers(grid_world):
    p = grid_world["p"]
    county = client_for(p.county_rencheng)
    before = mapshapes.version()
    etag = _shapes(county, v=before)["ETag"]
    services.import_geojson(collection(feature(C1 + "002", box(116.575, 35.41), community_name="古槐社区")))
    after = mapshapes.version()
    assert after != before
    fresh = county.get(reverse("grid:map_towns"), {"v": after}, headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh["ETag"] != etag
    services.import_geojson({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"level": "town", "code": TOWN}, "geometry": box(116.54, 35.39, 0.07)}]})
    assert mapshapes.version() != after
    geometry = _shapes(county, v=mapshapes.version()).json()["features"][0]["geometry"]
    assert geometry == box(116.54, 35.39, 0.07)

    other = client_for(p.county_other)
    assert _shapes(other).json()["features"] == [] and other.get(reverse("grid:map_town_counts")).json()["towns"] == {}
    assert client_for(grid_world["worker"]).get(reverse("grid:map_towns")).status_code == 403
    assert client_for(grid_world["worker"]).get(reverse("grid:map_town_counts")).status_code == 403


def test_the_warm_up_builds_the_city_shapes_so_a_leader_waits_for_no_hull(grid_world):
    from unittest import mock

    from django.core.cache import cache

    from jishiban.core.warmup import warm_up

    cache.clear()
    warm_up(duplicates=False)
    leader = client_for(grid_world["p"].leader)
    with mock.patch.object(mapshapes, "build", wraps=mapshapes.build) as built:
        shapes = _shapes(leader, v=mapshapes.version())
    assert shapes.status_code == 200 and TOWN in {f["properties"]["name"] for f in shapes.json()["features"]}
    assert built.call_count == 0  # served from the shapes the warm-up built
