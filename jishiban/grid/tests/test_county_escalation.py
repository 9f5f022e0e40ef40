"""乡镇 → 县市区: a town passes a grid event it cannot solve up to its county (one action of the
event table, one service, one policy rule), the step is logged, the county sees and answers it,
the worker verifies, and the metric ``grid_escalated_county`` counts it — web and API alike."""

import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from jishiban.accounts import policy
from jishiban.analytics import metrics, sources
from jishiban.grid import selectors, services
from jishiban.grid.models import EventStep, GridEvent
from jishiban.grid.workflow import Action, State, next_state
from jishiban.organisations.models import Organisation
from jishiban.testing import make_user

from .conftest import TOWN, client_for

pytestmark = pytest.mark.django_db
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 100


@pytest.fixture
def town_staff(grid_world):
    Organisation.objects.get_or_create(code=f"town-{TOWN}", defaults={
        "name": "古槐街道办事处", "kind": "town", "level": "town", "region": grid_world["town"]})
    return make_user("guhuai", "handler", org=f"town-{TOWN}", first_name="街道王")


def _at_town(world, title="河道违建"):
    event, _ = services.report_event(by=world["worker"], event_id=uuid.uuid4(), kind="urban", title=title,
                                     description=f"{title}，涉及多个部门")
    return services.escalate_to_town(event, by=world["worker"])


def test_the_table_lets_an_event_in_the_towns_hands_go_up_once():
    assert next_state(State.DISPATCHED, Action.ESCALATE_COUNTY) == State.DISPATCHED
    assert next_state(State.HANDLING, Action.ESCALATE_COUNTY) == State.DISPATCHED
    with pytest.raises(ValueError):
        next_state(State.FILED, Action.ESCALATE_COUNTY)


def test_the_town_passes_it_up_the_county_answers_and_the_worker_closes_it(grid_world, town_staff):
    p, worker = grid_world["p"], grid_world["worker"]
    event = _at_town(grid_world)
    event = services.escalate_to_county(event, by=town_staff, note="涉及水利与城管执法，街道无执法权")
    assert (event.state, event.escalation) == (State.DISPATCHED, "county")
    step = EventStep.objects.get(event=event, action="escalate_county")
    assert (step.actor, step.from_state, step.to_state, step.payload) == (
        town_staff, "dispatched", "dispatched", {"town": TOWN, "county": "370811"})
    assert "街道无执法权" in step.note

    # The county sees what it received; the town's inbox no longer lists it as waiting for the town.
    assert [e.pk for e in selectors.county_inbox(p.county_rencheng)["waiting"]] == [event.pk]
    assert not selectors.county_inbox(p.county_other)["waiting"].exists()
    assert not selectors.town_inbox(town_staff)["waiting"].exists()
    page = client_for(p.county_rencheng).get(reverse("grid:county")).content.decode()
    assert re.search(r'id="count-waiting">1<', page) and "河道违建" in page

    # Only the county answers now; then the worker verifies on site and it closes.
    with pytest.raises(services.GridError, match="已上报县市区"):
        services.feed_back(event, by=town_staff, result="街道已处理")
    with pytest.raises(services.GridError, match="不属于您所在的县市区"):
        services.feed_back(event, by=p.county_other, result="不是我们的")
    event = services.feed_back(event, by=p.county_rencheng, result="县城管执法局已拆除违建")
    event = services.verify(event, by=worker, passed=True, photos=[(JPEG, "image/jpeg")])
    assert event.state == State.CLOSED

    today = timezone.localdate()
    got = sources.SOURCES["grid"]("county", today, today)[grid_world["grids"]["370811011001001"].county_id]
    assert got["grid_escalated_county"] == EventStep.objects.filter(action="escalate_county").count() == 1
    assert got["grid_escalated"] == 1  # the grid's own escalation to the town, not counted twice
    assert metrics.evaluate_all(got, names=["grid_escalated_county"])["grid_escalated_county"].value == 1


def test_refused_personas_write_nothing(grid_world, town_staff):
    p, worker = grid_world["p"], grid_world["worker"]
    event = _at_town(grid_world)
    other_org = Organisation.objects.filter(kind="town").exclude(region=grid_world["town"]).first()
    other_town = make_user("elsewhere", "handler", org=other_org.code)
    for user in (worker, p.handler, p.county_rencheng, p.dispatcher, other_town):
        assert not policy.may_escalate_grid_to_county(user, grid_world["town"].pk)
        with pytest.raises(services.GridError, match="只有事件所在乡镇街道"):
            services.escalate_to_county(event, by=user, note="试试")
    with pytest.raises(services.GridError) as no_reason:
        services.escalate_to_county(event, by=town_staff, note="  ")
    assert "note" in no_reason.value.errors
    not_the_towns, _ = services.report_event(by=worker, event_id=uuid.uuid4(), kind="info", title="井盖缺失",
                                             description="路口井盖缺失")
    with pytest.raises(services.GridError, match="不在乡镇街道手中"):
        services.escalate_to_county(not_the_towns, by=town_staff, note="转县里")
    assert not EventStep.objects.filter(action="escalate_county").exists()
    assert GridEvent.objects.get(pk=event.pk).escalation == "town"


def test_the_web_button_and_the_api(grid_world, town_staff):
    p = grid_world["p"]
    web_event, api_event = _at_town(grid_world, "违建一"), _at_town(grid_world, "违建二")
    town = client_for(town_staff)
    page = town.get(reverse("grid:event", args=[web_event.pk])).content.decode()
    assert 'id="to-county"' in page
    assert 'id="to-county"' not in client_for(p.county_rencheng).get(
        reverse("grid:event", args=[web_event.pk])).content.decode()
    town.post(reverse("grid:act", args=[web_event.pk, "county"]), {"note": "需县级协调"})
    assert GridEvent.objects.get(pk=web_event.pk).escalation == "county"
    county_page = client_for(p.county_rencheng).get(reverse("grid:event", args=[web_event.pk])).content.decode()
    assert 'id="act-feed-back"' in county_page and "乡镇街道上报县市区" in county_page

    url = f"/api/v1/grid/events/{api_event.pk}/escalate-county"
    assert client_for(p.county_rencheng).post(url, {"note": "x"}, content_type="application/json").status_code == 403
    assert client_for(grid_world["worker"]).post(url, {"note": "x"}, content_type="application/json").status_code == 403
    assert client_for(p.handler).post(url, {"note": "x"}, content_type="application/json").status_code == 404
    blank = town.post(url, {"note": ""}, content_type="application/json")
    assert blank.status_code == 422 and "note" in blank.json()["errors"]
    ok = town.post(url, {"note": "需县级协调"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["steps"][-1]["action"] == "escalate_county"
    again = town.post(url, {"note": "再报一次"}, content_type="application/json")
    assert again.status_code == 422
    assert EventStep.objects.filter(action="escalate_county").count() == 2
    assert client_for(town_staff).get(reverse("grid:county")).status_code == 403
