"""``jishiban grid import``: bad geometry is refused with the offending ids, nothing written."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jishiban.grid import services
from jishiban.grid.models import Boundary, Grid
from jishiban.regions.models import Region

from .conftest import C1, C2, TOWN, box, collection, feature, world_file

pytestmark = pytest.mark.django_db


def _refused(data) -> list[str]:
    before = (Grid.objects.count(), Region.objects.count(), Boundary.objects.count())
    with pytest.raises(services.GridError) as exc:
        services.import_geojson(data)
    assert (Grid.objects.count(), Region.objects.count(), Boundary.objects.count()) == before
    return exc.value.errors["__all__"]


def test_a_good_file_writes_grids_communities_layers_and_counts(reference_data):
    counts = services.import_geojson(world_file())
    assert counts == {"created": 3, "updated": 0, "boundaries": 3, "communities": 2}
    grid = Grid.objects.get(region__code=C1 + "001")
    assert (grid.community.name, grid.town.code, grid.county.code) == ("古槐社区", TOWN, "370811")
    assert (grid.zongzhi_code, grid.jingwu_code, grid.chengguan_code, grid.chuangcheng_code) == (
        "ZZ-01", "JW-01", "CG-01", "CC-01")
    assert (grid.residents, grid.households, grid.units) == (3200, 1100, 45)
    assert grid.region.parent == grid.community and grid.region.level == 5


def test_unclosed_and_self_intersecting_rings_are_named(reference_data):
    unclosed = box(116.56, 35.41)
    unclosed["coordinates"][0] = unclosed["coordinates"][0][:-1] + [[116.561, 35.41]]
    bowtie = {"type": "Polygon", "coordinates": [[[116.57, 35.41], [116.58, 35.42], [116.58, 35.41], [116.57, 35.42],
                                                  [116.57, 35.41]]]}
    problems = _refused(collection(feature(C1 + "001", unclosed, community_name="古槐社区"),
                                   feature(C1 + "002", bowtie, community_name="古槐社区")))
    assert any(p.startswith(f"网格 {C1}001：第 1 个环未闭合") for p in problems), problems
    assert any(p.startswith(f"网格 {C1}002：边界自相交") for p in problems), problems


def test_overlapping_grids_in_one_community_are_refused_but_neighbours_elsewhere_are_not(reference_data):
    problems = _refused(collection(feature(C1 + "001", box(116.56, 35.41), community_name="古槐社区"),
                                   feature(C1 + "002", box(116.565, 35.41), community_name="古槐社区")))
    assert problems == [f"网格 {C1}001 与网格 {C1}002 在社区 {C1} 内重叠"]
    services.import_geojson(collection(feature(C1 + "001", box(116.56, 35.41), community_name="古槐社区"),
                                       feature(C2 + "001", box(116.565, 35.41), community_name="竹竿巷社区")))


def test_overlap_with_a_stored_grid_of_the_community_is_refused(reference_data):
    services.import_geojson(world_file())
    problems = _refused(collection(feature(C1 + "003", box(116.565, 35.415))))
    assert f"网格 {C1}001 与网格 {C1}003 在社区 {C1} 内重叠" in problems or \
        f"网格 {C1}003 与网格 {C1}001 在社区 {C1} 内重叠" in problems, problems


def test_a_grid_outside_its_town_and_unknown_parents_are_refused(reference_data):
    services.import_geojson(collection({"type": "Feature", "properties": {"level": "town", "code": TOWN},
                                        "geometry": box(116.55, 35.40, 0.05)}))
    problems = _refused(collection(
        feature(C1 + "001", box(116.70, 35.41), community_name="古槐社区"),
        feature("370811999001001", box(116.56, 35.41)),
        feature(C2 + "001", box(116.56, 35.42)),
        feature("3708110110010", box(116.56, 35.42)),
    ))
    assert f"网格 {C1}001：超出所属乡镇街道 {TOWN} 的边界" in problems
    assert "网格 370811999001001：未知的上级社区/村 370811999001（乡镇街道 370811999 也不存在）" in problems
    assert f"网格 {C2}001：未知的上级社区/村 {C2}" in problems
    assert any(p.startswith("网格 3708110110010：编码不符合") for p in problems)


def test_a_boundary_change_keeps_the_old_version(reference_data):
    services.import_geojson(world_file())
    moved = world_file()
    moved["features"][1]["geometry"] = box(116.5605, 35.41, 0.0095)
    counts = services.import_geojson(moved)
    assert counts["boundaries"] == 1
    grid = Grid.objects.get(region__code=C1 + "001")
    versions = list(grid.boundaries.order_by("version").values_list("version", "valid_to"))
    assert grid.boundary_version == 2 and versions[0][1] is not None and versions[1] == (2, None)
    assert grid.region.geometry == moved["features"][1]["geometry"]


def test_the_command_prints_chinese_problems_and_exits_with_an_error(reference_data, tmp_path, capsys):
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps(collection(feature(C1 + "001", box(116.56, 35.41)),
                                         feature(C1 + "001", box(116.57, 35.41)))), encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("grid", "import", str(bad))
    assert "未写入任何数据" in str(exc.value)
    assert f"网格 {C1}001：编码在文件中重复" in capsys.readouterr().err
    good = tmp_path / "good.geojson"
    good.write_text(json.dumps(world_file()), encoding="utf-8")
    call_command("grid", "import", str(good))
    assert Grid.objects.count() == 3
