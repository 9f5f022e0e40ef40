"""Every appeal with coordinates (or a community in its address) gets its grid after intake, and
keeps it when the boundary changes; patterns in a grid make a visit task (未诉先办)."""

from decimal import Decimal

import pytest

from jishiban.appeals.models import Appeal
from jishiban.grid import receivers, services
from jishiban.grid.models import AppealLocation, Task, TaskKind
from jishiban.testing import make_appeal

from .conftest import C1, C2, world_file

pytestmark = pytest.mark.django_db


def test_an_appeal_with_coordinates_gets_its_grid_and_keeps_it(grid_world):
    appeal = make_appeal(lat=Decimal("35.415"), lon=Decimal("116.575"))
    receivers.after_intake(appeal.pk)
    appeal.refresh_from_db()
    assert appeal.grid.code == C1 + "002"
    loc = AppealLocation.objects.get(appeal=appeal)
    assert (loc.method, loc.boundary_version) == ("coordinates", 1)
    moved = world_file()
    moved["features"][2]["geometry"]["coordinates"][0] = [[116.57, 35.41], [116.575, 35.41], [116.575, 35.42],
                                                          [116.57, 35.42], [116.57, 35.41]]
    services.import_geojson(moved)
    receivers.after_intake(appeal.pk)
    appeal.refresh_from_db()
    assert appeal.grid.code == C1 + "002"  # the grid it was in when received


def test_an_address_resolved_to_a_community_gets_that_communitys_grid(grid_world):
    from jishiban.smart.models import Suggestion

    appeal = make_appeal(address="古槐街道竹竿巷社区3号楼")
    Suggestion.objects.create(appeal=appeal, computed_at=appeal.received_at, region={"community": {"code": C2, "name": "竹竿巷社区"}})
    receivers.after_intake(appeal.pk)
    assert Appeal.objects.get(pk=appeal.pk).grid.code == C2 + "001"
    assert AppealLocation.objects.get(appeal=appeal).method == "community"


def test_several_appeals_of_one_kind_in_a_few_days_suggest_a_visit_once(grid_world):
    for n in range(4):
        appeal = make_appeal(lat=Decimal("35.415"), lon=Decimal("116.565"), citizen_phone=f"1391234000{n}")
        receivers.after_intake(appeal.pk)
    tasks = Task.objects.filter(kind=TaskKind.VISIT)
    assert tasks.count() == 1
    task = tasks.get()
    assert task.worker == grid_world["worker"] and "建议上门走访" in task.reason
    services.complete_task(task, by=grid_world["worker"], result="走访 5 户，系管道老化，已报水务部门")
    assert Task.objects.get(pk=task.pk).done_at is not None


def test_a_repeat_complainant_suggests_one_visit(grid_world):
    for _ in range(3):
        appeal = make_appeal(lat=Decimal("35.415"), lon=Decimal("116.565"), citizen_phone="13912345678",
                             category="030101")
        receivers.after_intake(appeal.pk)
    task = Task.objects.get(kind=TaskKind.VISIT, pattern__startswith="repeat:")
    assert "重复诉求" in task.reason and "13912345678" not in task.pattern


def test_a_risk_flag_suggests_a_visit_but_a_confidential_appeal_does_not(grid_world):
    secret = make_appeal(lat=Decimal("35.415"), lon=Decimal("116.565"), confidential=True, tags=["risk:threat"])
    receivers.after_intake(secret.pk)
    assert not Task.objects.filter(kind=TaskKind.VISIT).exists()
    flagged = make_appeal(lat=Decimal("35.415"), lon=Decimal("116.565"), tags=["risk:threat"])
    receivers.after_intake(flagged.pk)
    assert Task.objects.get(kind=TaskKind.VISIT).appeal == flagged
