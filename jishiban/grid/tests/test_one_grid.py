"""One notion of grid (docs/adr/0002-one-grid.md) and one definition of the grid's worker.

A grid is a level-5 region with its ``Grid``; the data migration gives one to every level-5
region drawn into the tree alone. The grid's worker is ``selectors.on_duty`` — the responsible
worker, else the substitute on duty — for the appeal card and the hand-over alike.
"""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from jishiban.grid import selectors, services
from jishiban.grid.models import Assignment, Grid, Task
from jishiban.regions.models import Region, RegionLevel
from jishiban.smart.geocode_db import invalidate, locate_grid
from jishiban.testing import make_appeal, make_user

from .conftest import C1, TOWN, box, client_for

pytestmark = pytest.mark.django_db
migration = importlib.import_module("jishiban.grid.migrations.0002_grid17_one_grid")


def test_a_grid_drawn_into_the_region_tree_alone_gets_its_grid_worker_and_boundary(personas):
    """GIVEN a level-5 region straight under a town with a polygon and a grid worker pointing at it
    (how the first demo grids were written), WHEN the data migration runs, THEN it is a grid like
    any other: under a community of its town, with boundary version 1 and its worker on duty, and
    the point lookup finds it."""
    town = Region.objects.get(code=TOWN)
    old = Region.objects.create(code=f"{TOWN}-G01", name="古槐街道第1网格", level=RegionLevel.GRID, parent=town,
                                geometry=box(116.60, 35.40))
    worker = personas.grid_worker
    worker.region = old
    worker.save()
    invalidate()
    assert locate_grid(35.405, 116.605) is None  # not a grid yet: no Grid row

    migration.forwards(apps, None)

    grid = Grid.objects.select_related("region__parent", "community", "town", "county").get(region=old)
    assert grid.community.level == RegionLevel.COMMUNITY and grid.community.parent_id == town.pk
    assert grid.region.parent_id == grid.community.pk and grid.town == town and grid.county.code == "370811"
    assert grid.boundary_version == 1 and grid.boundaries.get(version=1, valid_to=None).geometry == old.geometry
    assert selectors.on_duty(grid).worker == worker
    invalidate()
    assert locate_grid(35.405, 116.605) == old
    migration.forwards(apps, None)  # a second run finds nothing left to do
    assert Grid.objects.filter(region=old).count() == 1 and Assignment.objects.filter(grid=grid).count() == 1


def test_imported_grids_are_left_as_they_are(grid_world):
    before = {g.pk: (g.region.parent_id, g.boundary_version) for g in Grid.objects.select_related("region")}
    migration.forwards(apps, None)
    assert {g.pk: (g.region.parent_id, g.boundary_version) for g in Grid.objects.select_related("region")} == before


def test_the_responsible_worker_is_on_duty_with_the_reason(grid_world):
    grid = grid_world["grids"][C1 + "001"]
    substitute = make_user("gw_sub", "grid_worker", first_name="李替岗")
    services.assign_worker(grid, substitute, duty="substitute")
    duty = selectors.on_duty(grid)
    assert duty.worker == grid_world["worker"] and duty.duty == "responsible" and "专属网格员" in duty.reason


def test_with_only_a_substitute_on_duty_the_card_shows_them_and_the_hand_over_goes_to_them(grid_world):
    """GIVEN a grid whose responsible worker left (only the substitute's duty is current), THEN the
    appeal card names the substitute with the reason and offers the hand-over, and the hand-over
    gives the task to the same person."""
    p = grid_world["p"]
    grid = grid_world["grids"][C1 + "001"]
    substitute = make_user("gw_sub", "grid_worker", first_name="李替岗")
    services.assign_worker(grid, substitute, duty="substitute")
    services.end_assignment(Assignment.objects.get(grid=grid, duty="responsible", ended_at=None))
    duty = selectors.on_duty(grid)
    assert duty.worker == substitute and duty.duty == "substitute" and "替岗网格员 李替岗 代岗" in duty.reason

    appeal = make_appeal(grid=C1 + "001")
    page = client_for(p.dispatcher).get(reverse("web:appeal_detail", args=[appeal.pk])).content.decode()
    assert "李替岗" in page and "代岗" in page and "交网格员" in page
    client_for(p.dispatcher).post(reverse("grid:assign", args=[appeal.number]), {"kind": "help_appeal", "reason": "请协助"})
    assert Task.objects.get(appeal=appeal).worker == substitute


def test_a_grid_nobody_works_has_no_hand_over(grid_world):
    p = grid_world["p"]
    appeal = make_appeal(grid=C1 + "002")  # no assignment on this grid
    assert selectors.on_duty(grid_world["grids"][C1 + "002"]) is None
    page = client_for(p.dispatcher).get(reverse("web:appeal_detail", args=[appeal.pk])).content.decode()
    assert "所在网格" in page and "交网格员" not in page
    with pytest.raises(services.GridError, match="不在任何有网格员的网格内"):
        services.assign_appeal(appeal, by=p.dispatcher)
