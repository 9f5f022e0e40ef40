"""The demo's grid work: a few hundred grids under communities with the national code scheme,
a worker on each, a year of legal grid events, and demo appeals located in the grids."""

from collections import defaultdict

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from jishiban.appeals.models import Appeal
from jishiban.grid.codes import split_grid_code
from jishiban.grid.models import AppealLocation, Assignment, EventStep, Grid, GridEvent
from jishiban.grid.workflow import next_state

NOW = timezone.now()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from jishiban.demo.loader import load_demo

    with django_db_blocker.unblock(), override_settings(DEMO=True):
        with transaction.atomic():
            yield load_demo(300, seed=7, now=NOW)
            transaction.set_rollback(True)


def test_a_few_hundred_grids_follow_the_code_scheme_and_each_has_one_worker(demo, db):
    grids = list(Grid.objects.select_related("region", "community", "town"))
    assert 200 <= len(grids) <= 400
    for g in grids:
        county, street, community, _serial = split_grid_code(g.region.code)
        assert g.community.code == county + street + community and g.town.code == county + street
        assert g.residents > 0 and g.zongzhi_code and g.chengguan_code
    responsible = Assignment.objects.filter(duty="responsible", ended_at=None)
    assert responsible.count() == len(grids) == responsible.values("grid").distinct().count()
    assert Assignment.objects.filter(duty="substitute").exists()


def test_a_year_of_grid_events_each_a_legal_walk(demo, db):
    steps = defaultdict(list)
    for s in EventStep.objects.order_by("at", "pk"):
        steps[s.event_id].append(s)
    events = list(GridEvent.objects.all())
    assert len(events) > 1000
    assert min(e.reported_at for e in events) < NOW - timezone.timedelta(days=300)
    for e in events:
        state = None
        for s in steps[e.pk]:
            assert next_state(state, s.action) == s.to_state
            state = s.to_state
        assert state == e.state
    assert {e.state for e in events} >= {"closed", "invalid", "evaluated"}


def test_demo_appeals_in_the_grids_are_located_and_visible_to_their_worker(demo, db):
    located = AppealLocation.objects.select_related("appeal", "grid__region")
    assert located.exists()
    loc = located.filter(appeal__confidential=False).first()
    assert loc.appeal.grid_id == loc.grid.region_id
    worker = Assignment.objects.get(grid=loc.grid, duty="responsible", ended_at=None).worker
    assert Appeal.objects.visible_to(worker).filter(pk=loc.appeal_id).exists()


def test_every_demo_grid_is_one_grid_with_its_worker(demo, db):
    """One notion of grid (docs/adr/0002-one-grid.md): every level-5 region of the demo has its
    ``Grid`` and boundary, and the demo's ``grid_worker`` answers for the grid its account names."""
    from jishiban.accounts.models import User
    from jishiban.demo.people import GRID_WORKER_GRID
    from jishiban.grid.selectors import on_duty
    from jishiban.regions.models import Region, RegionLevel

    assert not Region.objects.filter(level=RegionLevel.GRID, grid_profile=None).exists()
    assert not Grid.objects.filter(boundaries=None).exists()
    worker = User.objects.get(username="grid_worker")
    grid = Grid.objects.get(region__code=GRID_WORKER_GRID)
    assert worker.region_id == grid.region_id and on_duty(grid).worker == worker
    assert GridEvent.objects.filter(grid=grid).exists()
    assert AppealLocation.objects.filter(grid=grid).exists()


def test_the_demo_town_account_has_a_town_inbox(demo, db):
    from jishiban.accounts.models import User
    from jishiban.grid.selectors import town_inbox

    found = town_inbox(User.objects.get(username="town_guhuai"))
    assert found["town"] is not None
    assert found["waiting"].exists() or found["checking"].exists()
