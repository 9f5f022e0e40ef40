"""County centre staff dispatch only to their county's units and the city units marked
县级可派; the city centre's desk dispatches anywhere. The service refuses with a clear Chinese
message and writes nothing (the role policy's ``dispatch_units`` decides)."""

import pytest

from jishiban.accounts.policy import dispatch_units, may_dispatch_to
from jishiban.appeals import services
from jishiban.appeals.errors import ActionForbidden, AppealValidationError
from jishiban.appeals.models import Appeal
from jishiban.organisations.models import Organisation
from jishiban.testing import make_appeal

pytestmark = pytest.mark.django_db


def unit(code):
    return Organisation.objects.get(code=code)


def test_county_staff_dispatch_to_their_county_and_its_towns(personas):
    appeal = services.dispatch(make_appeal(), by=personas.county_rencheng, lead_unit=unit("370811-water"),
                               co_units=[unit("town-370811005")])
    assert appeal.status == "dispatched" and appeal.lead_unit.code == "370811-water"
    assert [u.code for u in appeal.co_units.all()] == ["town-370811005"]


def test_county_staff_dispatch_to_city_units_marked_for_county_dispatch(personas):
    heating = unit("ent-heating")
    assert heating.county_dispatch  # the reference file marks the city-wide utilities
    appeal = services.dispatch(make_appeal(), by=personas.county_rencheng, lead_unit=heating)
    assert appeal.lead_unit == heating


def test_county_staff_refused_a_city_department_with_a_clear_message_and_nothing_written(personas):
    appeal = make_appeal()
    with pytest.raises(AppealValidationError) as refused:
        services.dispatch(appeal, by=personas.county_rencheng, lead_unit=personas.water)
    message = refused.value.errors["lead_unit"][0]
    assert "任城区" in message and "济宁市城乡水务局" in message and "县级可派" in message
    stored = Appeal.objects.get(pk=appeal.pk)
    assert (stored.status, stored.lead_unit_id, stored.version) == ("received", None, appeal.version)
    assert list(stored.events.values_list("action", flat=True)) == ["receive"]


def test_county_staff_refused_a_co_handler_of_another_county(personas):
    appeal = make_appeal()
    with pytest.raises(AppealValidationError) as refused:
        services.dispatch(appeal, by=personas.county_rencheng, lead_unit=unit("370811-water"),
                          co_units=[unit("370812-water")])
    assert set(refused.value.errors) == {"co_units"} and unit("370812-water").name in refused.value.errors["co_units"][0]
    assert Appeal.objects.get(pk=appeal.pk).status == "received"


def test_the_admin_flag_opens_a_city_unit_to_county_dispatch(personas):
    Organisation.objects.filter(code="city-water").update(county_dispatch=True)
    appeal = services.dispatch(make_appeal(), by=personas.county_rencheng, lead_unit=unit("city-water"))
    assert appeal.lead_unit.code == "city-water"


@pytest.mark.parametrize("who", ["dispatcher", "supervisor", "admin"])
def test_the_city_desk_dispatches_to_any_unit(personas, who):
    for code in ("city-water", "370812-water", "town-370811005"):
        assert may_dispatch_to(getattr(personas, who), unit(code))
    appeal = services.dispatch(make_appeal(), by=getattr(personas, who), lead_unit=unit("370812-water"))
    assert appeal.lead_unit.code == "370812-water"


def test_county_staff_of_another_county_are_refused_the_appeal_itself(personas):
    with pytest.raises(ActionForbidden):
        services.dispatch(make_appeal(), by=personas.county_other, lead_unit=unit("370812-water"))


@pytest.mark.parametrize("who", ["handler", "operator", "citizen", "leader", "grid_worker"])
def test_who_may_not_dispatch_may_dispatch_to_no_unit(personas, who):
    user = getattr(personas, who)
    assert not Organisation.objects.filter(dispatch_units(user)).exists()
    assert not may_dispatch_to(user, unit("370811-water"))


def test_the_filter_and_the_single_check_agree(personas):
    user = personas.county_rencheng
    allowed = set(Organisation.objects.filter(dispatch_units(user)).values_list("code", flat=True))
    assert {"370811-water", "370811-housing", "town-370811005", "ent-heating", "ent-gas"} <= allowed
    assert not allowed & {"city-water", "city-housing", "370812-water", "town-370812001"}
    for row in Organisation.objects.exclude(kind="centre"):
        assert may_dispatch_to(user, row) == (row.code in allowed)
