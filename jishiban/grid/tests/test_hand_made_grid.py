"""A level-5 region made by hand (no ``Grid`` row) is not a grid (docs/adr/0002-one-grid.md): no
way of writing an appeal's grid takes it — intake, the API, a correction (``annotate``), smart
help, the point → grid lookup — each refusal in Chinese with nothing written; the admin cannot
write an appeal at all."""

from decimal import Decimal

import pytest
from django.contrib import admin

from jishiban.api.tests.conftest import ApiClient
from jishiban.appeals import services as appeals
from jishiban.appeals.errors import AppealValidationError
from jishiban.appeals.models import Appeal, AppealEvent
from jishiban.intake.pipeline import Citizen, Location, Submission, submit
from jishiban.regions.models import Region, RegionLevel
from jishiban.smart import services as smart
from jishiban.smart.geocode_db import invalidate, locate_grid
from jishiban.testing import make_appeal

from .conftest import C1, box

pytestmark = pytest.mark.django_db
HAND = "370811011001009"


@pytest.fixture
def hand_made(grid_world):
    """A level-5 region added by hand under 古槐社区, with a polygon but no Grid row."""
    region = Region.objects.create(code=HAND, name="手工网格", level=RegionLevel.GRID,
                                   parent=Region.objects.get(code=C1), geometry=box(116.58, 35.43))
    invalidate()
    return region


def _refused(errors):
    assert "不是网格" in errors["grid"][0] and "手工网格" in errors["grid"][0]


def test_intake_refuses_it_and_writes_nothing(hand_made):
    before = (Appeal.objects.count(), AppealEvent.objects.count())
    submission = Submission(channel="12345-web", content="井盖缺失，夜里很危险", citizen=Citizen(name="李四"),
                            location=Location(county="370811", grid=HAND), category="020101")
    with pytest.raises(AppealValidationError) as exc:
        submit(submission)
    _refused(exc.value.errors)
    with pytest.raises(AppealValidationError) as exc:
        make_appeal(grid=hand_made)  # given as the row itself
    _refused(exc.value.errors)
    assert (Appeal.objects.count(), AppealEvent.objects.count()) == before
    assert make_appeal(grid=C1 + "001").grid.code == C1 + "001"  # a real grid is taken


def test_the_api_answers_422_in_chinese(hand_made, personas):
    before = Appeal.objects.count()
    response = ApiClient(personas.operator).post("/appeals", {
        "channel": "12345-web", "content": "路灯不亮已经一周", "citizen": {"name": "李四", "phone": "13900001111"},
        "location": {"county": "370811", "grid": HAND}, "category": "020101"})
    assert response.status_code == 422
    _refused(response.json()["errors"])
    assert Appeal.objects.count() == before


def test_a_correction_and_smart_help_cannot_set_it(hand_made, grid_world):
    appeal = make_appeal()
    events = AppealEvent.objects.filter(appeal=appeal).count()
    with pytest.raises(AppealValidationError) as exc:
        appeals.annotate(appeal, by=grid_world["p"].dispatcher, reason="更正网格", grid=hand_made)
    _refused(exc.value.errors)
    with pytest.raises(AppealValidationError):
        appeals.annotate(appeal, by=None, grid=hand_made)
    appeal.refresh_from_db()
    assert appeal.grid_id is None and AppealEvent.objects.filter(appeal=appeal).count() == events

    result = {"region": {"county": {"id": appeal.county_id}, "grid": {"id": hand_made.pk}, "confidence": 1}}
    changes, _why = smart._safe_changes(appeal, result)
    assert "grid" not in changes


def test_the_point_lookup_never_finds_it(hand_made):
    assert locate_grid(Decimal("35.435"), Decimal("116.585")) is None  # inside its polygon
    assert locate_grid(Decimal("35.415"), Decimal("116.565")).code == C1 + "001"
    assert hand_made not in Region.objects.grids() and Region.objects.grids().filter(code=C1 + "001").exists()


def test_the_admin_cannot_write_an_appeals_grid(hand_made, grid_world):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = grid_world["p"].admin
    model_admin = admin.site._registry[Appeal]
    assert not model_admin.has_change_permission(request) and not model_admin.has_add_permission(request)
