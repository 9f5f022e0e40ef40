"""The region tree as loaded from the gazetteer: levels, parents and functional zones."""

import pytest

from jishiban.regions.models import Region, RegionLevel

pytestmark = pytest.mark.django_db


def test_a_town_climbs_to_its_county_and_city(reference_data):
    town = Region.objects.get(code="370811005")  # 李营街道, 任城区
    assert town.level == RegionLevel.TOWN
    assert town.ancestor(RegionLevel.COUNTY).code == "370811"
    assert town.ancestor(RegionLevel.CITY).code == "3708"
    assert town.ancestor(RegionLevel.TOWN) == town


def test_a_county_has_no_town_above_it(reference_data):
    assert Region.objects.get(code="370811").ancestor(RegionLevel.TOWN) is None


def test_a_town_managed_by_a_functional_zone_hangs_under_the_zone_with_its_own_code(reference_data):
    town = Region.objects.get(code="370811002")  # 许庄街道, managed by 太白湖新区
    zone = town.ancestor(RegionLevel.COUNTY)
    assert zone.code == "3708TB" and zone.is_statistical is False
    assert Region.objects.counties().filter(code__in=["370811", "3708TB", "3708JK"]).count() == 3
    assert not Region.objects.towns().filter(code="3708TB").exists()
