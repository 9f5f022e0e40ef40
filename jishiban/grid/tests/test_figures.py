"""Grid metrics reconcile with a plain count of the grid events, and feed the assessment as the
metric source ``grid``."""

import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from jishiban.analytics import metrics, sources
from jishiban.grid import receivers, services
from jishiban.grid.models import EventStep, GridEvent, Task
from jishiban.testing import make_appeal

pytestmark = pytest.mark.django_db
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 100


def _event(world, title):
    event, _ = services.report_event(by=world["worker"], event_id=uuid.uuid4(), kind="info", subject="hazard",
                                     title=title, description=title + "，需处理")
    return event


def _work(world):
    p, worker = world["p"], world["worker"]
    services.solve_on_spot(_event(world, "楼道堆物"), by=worker, result="已清理")
    services.invalidate(_event(world, "重复上报"), by=p.county_rencheng, reason="与前件重复")
    e = services.escalate_to_town(_event(world, "路面塌陷"), by=worker)
    e = services.feed_back(e, by=p.county_rencheng, result="已回填")
    e = services.verify(e, by=worker, passed=False, note="仍有积水")
    e = services.feed_back(e, by=p.county_rencheng, result="已重新铺设")
    services.verify(e, by=worker, passed=True, photos=[(JPEG, "image/jpeg")])
    services.escalate_to_town(_event(world, "树枝压线"), by=worker)
    for n in range(3):
        receivers.after_intake(make_appeal(lat=Decimal("35.415"), lon=Decimal("116.565"),
                                           citizen_phone=f"1380000100{n}").pk)


def test_grid_counters_reconcile_with_the_events_and_the_tasks(grid_world):
    _work(grid_world)
    today = timezone.localdate()
    county = grid_world["grids"]["370811011001001"].county_id
    got = sources.SOURCES["grid"]("county", today, today)[county]
    steps = EventStep.objects.filter(event__grid__county_id=county)
    plain = {
        "grid_reported": GridEvent.objects.filter(grid__county_id=county).count(),
        "grid_valid": GridEvent.objects.filter(grid__county_id=county).exclude(state="invalid").count(),
        "grid_on_spot": GridEvent.objects.filter(solved_on_spot=True).count(),
        "grid_escalated": steps.filter(action__startswith="escalate").count(),
        "grid_returned": steps.filter(action="rework").count(),
        "grid_verify_done": steps.filter(action__in=("verify", "rework")).count(),
        "grid_visits": Task.objects.filter(kind="visit").count(),
    }
    assert {k: got.get(k, 0) for k in plain} == plain
    assert plain == {"grid_reported": 4, "grid_valid": 3, "grid_on_spot": 1, "grid_escalated": 2, "grid_returned": 1,
                     "grid_verify_done": 2, "grid_visits": 1}
    assert got["grid_verified_on_time"] == 1 and got["grid_appeals"] == 3 and got["grid_residents"] == 7500
    values = metrics.evaluate_all(got, names=[m.name for m in metrics.GRID_METRICS])
    assert values["grid_on_spot_rate"].value == Decimal("33.33")
    assert values["grid_verify_on_time_rate"].value == Decimal("50.00")
    assert values["grid_appeals_per_1000"].value == Decimal("0.40")  # 3 appeals for 7,500 residents


def test_a_scheme_can_weight_grid_work_in_the_county_ranking(grid_world):
    from jishiban.analytics.assessment import validate

    scheme = validate({"weights": {"response_rate": 30, "solved_rate": 30, "satisfaction_rate": 20,
                                   "grid_on_spot_rate": 20}, "sources": {"grid_on_spot_rate": "grid"}})
    _work(grid_world)
    today = timezone.localdate()
    counts = sources.counts_for("county", today, today, scheme)
    county = grid_world["grids"]["370811011001001"].county_id
    assert counts[county]["grid_on_spot"] == 1


def test_the_metrics_document_lists_the_grid_metrics():
    text = (Path(settings.BASE_DIR) / "docs" / "metrics.md").read_text(encoding="utf-8")
    assert metrics.grid_markdown_table() in text
