"""The town inbox (乡镇街道待办): events the grids escalated to the town and the 12345 appeals the
town's unit holds, for the town's staff only (the one role policy); counts agree with the rows."""

import re
import uuid

import pytest
from django.urls import reverse

from jishiban.accounts import policy
from jishiban.appeals import services as appeals
from jishiban.appeals.privacy import citizen_display
from jishiban.grid import selectors, services
from jishiban.grid.workflow import State
from jishiban.organisations.models import Organisation
from jishiban.testing import make_appeal, make_user

from .conftest import C1, TOWN, client_for

pytestmark = pytest.mark.django_db


def _report(world, title):
    event, _ = services.report_event(by=world["worker"], event_id=uuid.uuid4(), kind="mediation", title=title,
                                     description=f"{title}，双方各执一词")
    return event


@pytest.fixture
def town_staff(grid_world):
    Organisation.objects.get_or_create(code=f"town-{TOWN}", defaults={
        "name": "古槐街道办事处", "kind": "town", "level": "town", "region": grid_world["town"]})
    return make_user("guhuai", "handler", org=f"town-{TOWN}", first_name="街道王")


def test_only_town_staff_open_the_town_inbox(grid_world, town_staff):
    p = grid_world["p"]
    assert policy.town_of(town_staff) == grid_world["town"].pk
    assert client_for(town_staff).get(reverse("grid:town")).status_code == 200
    for user in (p.handler, p.dispatcher, p.county_rencheng, grid_world["worker"]):
        assert policy.town_of(user) is None
        assert client_for(user).get(reverse("grid:town")).status_code == 403


def test_escalated_events_and_the_towns_appeals_are_listed_and_counted(grid_world, town_staff):
    p, worker = grid_world["p"], grid_world["worker"]
    waiting = services.escalate_to_town(_report(grid_world, "邻里漏水纠纷"), by=worker)
    fed = services.escalate_to_town(_report(grid_world, "楼道堆物纠纷"), by=worker)
    services.feed_back(fed, by=town_staff, result="已约谈双方，清理堆物")
    _report(grid_world, "未上报的事件")  # filed, not escalated: not the town's
    town_unit = town_staff.organisation
    held = appeals.dispatch(make_appeal(grid=C1 + "001", citizen_name="李四"), by=p.dispatcher, lead_unit=town_unit)
    appeals.dispatch(make_appeal(content="别的单位的件"), by=p.dispatcher, lead_unit=p.water)

    found = selectors.town_inbox(town_staff)
    assert [e.pk for e in found["waiting"]] == [waiting.pk]
    assert [e.pk for e in found["checking"]] == [fed.pk]
    assert [a.pk for a in found["appeals"]] == [held.pk]

    page = client_for(town_staff).get(reverse("grid:town")).content.decode()
    counts = {k: int(re.search(rf'id="count-{k}">(\d+)<', page).group(1)) for k in ("waiting", "checking", "appeals")}
    assert counts == {"waiting": 1, "checking": 1, "appeals": 1}
    for section, n in (("town-waiting", 1), ("town-checking", 1), ("town-appeals", 1)):
        body = page.split(f'id="{section}"')[1].split("</section>")[0]
        assert body.count("<li>") == n == counts[section.split("-")[1]]
    assert "邻里漏水纠纷" in page and "楼道堆物纠纷" in page and "未上报的事件" not in page
    assert held.number in page and citizen_display(town_staff, held)["name"] in page  # as the policy shows it


def test_another_towns_staff_sees_none_of_it_and_cannot_feed_back(grid_world, town_staff):
    other_org = Organisation.objects.filter(kind="town").exclude(region=grid_world["town"]).first()
    other = make_user("elsewhere", "handler", org=other_org.code)
    event = services.escalate_to_town(_report(grid_world, "邻里漏水纠纷"), by=grid_world["worker"])
    found = selectors.town_inbox(other)
    assert not found["waiting"].exists() and not found["checking"].exists()
    with pytest.raises(services.GridError, match="不属于您所在的乡镇街道"):
        services.feed_back(event, by=other, result="不是我们的")
    assert client_for(other).get(reverse("grid:event", args=[event.pk])).status_code == 404
    event = services.feed_back(event, by=town_staff, result="已调解")
    assert event.state == State.FED_BACK


def test_appeals_the_town_only_co_handles_are_listed_marked_as_such(grid_world, town_staff):
    p = grid_world["p"]
    town_unit = town_staff.organisation
    held = appeals.dispatch(make_appeal(content="街道主办的件"), by=p.dispatcher, lead_unit=town_unit)
    co = appeals.dispatch(make_appeal(content="水务主办、街道协办的件"), by=p.dispatcher, lead_unit=p.water,
                          co_units=[town_unit])
    appeals.dispatch(make_appeal(content="与街道无关的件"), by=p.dispatcher, lead_unit=p.water, co_units=[p.urban])

    found = selectors.town_inbox(town_staff)
    assert [(a.pk, a.co) for a in found["appeals"]] == [(held.pk, False), (co.pk, True)]
    # The same queue definitions as the unit inbox: what the town sees as 协办 is its co-handled queue.
    from jishiban.appeals.models import Appeal

    assert list(Appeal.objects.visible_to(town_staff).co_handled_by(town_unit.pk)) == [co]

    page = client_for(town_staff).get(reverse("grid:town")).content.decode()
    body = page.split('id="town-appeals"')[1].split("</section>")[0]
    assert re.search(r'id="count-appeals">2<', page) and body.count("<li>") == 2
    co_line = next(line for line in body.split("<li>") if co.number in line)
    held_line = next(line for line in body.split("<li>") if held.number in line)
    assert 'data-co="1"' in co_line and "协办" in co_line and 'data-co="1"' not in held_line
    assert "与街道无关的件" not in page
