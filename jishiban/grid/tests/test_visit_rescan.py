"""未诉先办 rescans: the schedule looks again at recent appeals in grids; running it again, or after
a visit was done, suggests nothing twice; a newer appeal after a finished visit does."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django_q.models import Schedule

from jishiban.appeals import services as appeals
from jishiban.appeals.models import Appeal
from jishiban.grid import jobs, patterns, receivers, services
from jishiban.grid.models import Task, TaskKind
from jishiban.testing import make_appeal

pytestmark = pytest.mark.django_db
HERE = {"lat": Decimal("35.415"), "lon": Decimal("116.565")}


def test_the_rescan_is_a_schedule_like_the_others():
    row = Schedule.objects.get(name=jobs.SCHEDULE)
    assert row.func == "jishiban.grid.jobs.rescan" and row.schedule_type == Schedule.MINUTES and row.repeats == -1


def test_a_risk_flag_set_after_intake_is_found_by_the_rescan_once(grid_world):
    appeal = make_appeal(**HERE)
    receivers.after_intake(appeal.pk)
    assert not Task.objects.filter(kind=TaskKind.VISIT).exists()
    appeal = Appeal.objects.get(pk=appeal.pk)
    appeals.annotate(appeal, tags=["risk:threat"])  # smart help's flag, after the hook ran
    assert jobs.rescan() == {"appeals": 1, "visits": 1}
    task = Task.objects.get(kind=TaskKind.VISIT)
    assert task.appeal == appeal and task.worker == grid_world["worker"]
    assert patterns.rescan() == {"appeals": 1, "visits": 0}
    services.complete_task(task, by=grid_world["worker"], result="已上门，情绪稳定")
    call_command("grid", "rescan")
    assert Task.objects.filter(kind=TaskKind.VISIT).count() == 1


def test_a_cluster_is_suggested_once_and_again_only_for_a_newer_appeal(grid_world):
    for n in range(3):
        receivers.after_intake(make_appeal(**HERE, citizen_phone=f"1391234000{n}").pk)
    first = Task.objects.get(kind=TaskKind.VISIT, pattern__startswith="cluster:")
    services.complete_task(first, by=grid_world["worker"], result="走访 5 户，系管道老化")
    assert patterns.rescan()["visits"] == 0  # the same appeals: already visited
    receivers.after_intake(make_appeal(**HERE, citizen_phone="13912340009").pk)
    visits = Task.objects.filter(kind=TaskKind.VISIT, pattern=first.pattern)
    assert visits.count() == 2 and visits.filter(done_at=None).count() == 1
    assert patterns.rescan()["visits"] == 0
    assert visits.count() == 2


def test_appeals_older_than_the_window_are_not_looked_at(grid_world):
    from datetime import timedelta

    from django.utils import timezone

    receivers.after_intake(make_appeal(**HERE).pk)
    assert patterns.rescan(now=timezone.now() + timedelta(days=patterns.rescan_days() + 1))["appeals"] == 0
