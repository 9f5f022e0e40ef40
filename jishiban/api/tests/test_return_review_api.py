"""退单 through the API is always the unit's request for the centre's review (退单审核): ``return``
(or ``request-return``) asks, ``approve-return`` / ``reject-return`` decide; nobody returns an
appeal directly."""

import pytest

from jishiban.appeals.models import Appeal, AppealEvent
from jishiban.testing import advance, make_appeal

pytestmark = pytest.mark.django_db


def act(client, appeal, action, version, **body):
    return client.post(f"/appeals/{appeal.number}/actions/{action}", {"expected_version": version, **body})


@pytest.mark.parametrize("endpoint", ["return", "request-return"])
def test_the_units_return_is_a_request_and_the_centre_approves_it(api, personas, endpoint):
    appeal = advance(make_appeal(), personas, "accepted")
    r = act(api("handler"), appeal, endpoint, appeal.version, reason="该路段管网不属本局管理")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "return_requested" and r.json()["return_count"] == 0
    assert not AppealEvent.objects.filter(appeal=appeal, action="return").exists()
    record = api("dispatcher").get(f"/appeals/{appeal.number}").json()
    assert record["available_actions"] == ["approve-return", "reject-return"]
    r = act(api("dispatcher"), appeal, "approve-return", record["version"], note="核实属实")
    assert r.status_code == 200 and r.json()["status"] == "returned" and r.json()["return_count"] == 1
    event = AppealEvent.objects.get(appeal=appeal, action="return")
    assert event.actor == personas.dispatcher and event.payload["unit"] == "city-water"
    assert event.payload["reviewed"] is True and event.reason == "该路段管网不属本局管理"


def test_the_centre_rejects_with_a_reason_and_the_unit_has_it_again(api, personas):
    appeal = advance(make_appeal(), personas, "dispatched")
    version = act(api("handler"), appeal, "return", appeal.version, reason="非本单位职责").json()["version"]
    r = act(api("dispatcher"), appeal, "reject-return", version, reason="")
    assert r.status_code == 422 and "reason" in r.json()["errors"]
    r = act(api("dispatcher"), appeal, "reject-return", version, reason="属本局供水管网")
    assert r.status_code == 200 and r.json()["status"] == "dispatched"
    assert AppealEvent.objects.get(appeal=appeal, action="reject-return").payload["unit"] == "city-water"


def test_nobody_returns_directly(api, personas):
    appeal = advance(make_appeal(), personas, "dispatched")
    # the unit cannot approve its own return, the centre cannot return what no unit asked to return
    assert act(api("handler"), appeal, "approve-return", appeal.version).status_code == 403
    r = act(api("dispatcher"), appeal, "approve-return", appeal.version)
    assert r.status_code == 409 and r.json()["code"] == "action_not_allowed" and "已派单" in r.json()["detail"]
    assert act(api("dispatcher"), appeal, "return", appeal.version, reason="派错单位").status_code == 403
    assert Appeal.objects.get(pk=appeal.pk).status == "dispatched"
    assert not AppealEvent.objects.filter(appeal=appeal, action__in=["return", "request-return"]).exists()


def test_the_openapi_text_says_return_is_a_request_for_review(api, personas):
    spec = api("dispatcher").get("/openapi.json").json()
    op = spec["paths"]["/api/v1/appeals/{number}/actions/return"]["post"]
    assert "退单审核" in op["summary"] + op["description"] and "return_requested" in op["description"]
    assert "/api/v1/appeals/{number}/actions/approve-return" in spec["paths"]
    assert "/api/v1/appeals/{number}/actions/reject-return" in spec["paths"]
