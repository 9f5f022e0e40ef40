"""Organisations: centres versus handling units, and which unit holds a domain where."""

import pytest

from jishiban.organisations.models import Organisation
from jishiban.organisations.selectors import pick_for_domain, unit_for_domain
from jishiban.regions.models import Region

pytestmark = pytest.mark.django_db


def test_the_centre_is_not_a_handling_unit(reference_data):
    assert Organisation.objects.get(code="centre-city").is_centre
    assert not Organisation.objects.get(code="city-water").is_centre
    assert str(Organisation.objects.get(code="centre-city")) == "市中心"  # the short name when there is one


def test_a_county_appeal_goes_to_the_countys_own_unit_and_a_city_one_to_the_city(reference_data):
    rencheng = Region.objects.get(code="370811")
    assert unit_for_domain("water", county=rencheng).code == "370811-water"
    assert unit_for_domain("water").code == "city-water"
    assert unit_for_domain("") is None
    assert unit_for_domain("no-such-domain", county=rencheng) is None


def test_a_town_affair_needs_the_towns_own_unit():
    city = Organisation(code="city-x", level="city", domain="town", region_id=1)
    assert pick_for_domain([city], "town", county_id=2, town_id=3) is None
