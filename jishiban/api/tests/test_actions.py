"""POST /appeals/{number}/actions/{action}: every workflow action, its errors and who may act."""

from datetime import datetime

import pytest

from jishiban.appeals import services
from jishiban.testing import advance, make_appeal, working_days_later


def act(client, appeal_or_number, action, version, **body):
    number = getattr(appeal_or_number, "number", appeal_or_number)
    return client.post(f"/appeals/{number}/actions/{action}", {"expected_version": version, **body})


def test_the_whole_loop_through_the_api(api, personas):
    appeal = make_appeal()
    v = api("dispatcher").get(f"/appeals/{appeal.number}").json()["version"]
    r = act(api("dispatcher"), appeal, "dispatch", v, lead_unit="city-water", co_units=["city-urban"], note="请核查")
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["status"] == "dispatched" and [u["code"] for u in data["co_units"]] == ["city-urban"]
    data = act(api("handler"), appeal, "accept", data["version"]).json()
    assert data["status"] == "accepted"
    deadline = working_days_later(datetime.fromisoformat(data["reply_deadline"]), 1)
    r = act(api("handler"), appeal, "request-extension", data["version"], new_deadline=deadline.isoformat(),
            reason="需协调施工")
    assert r.status_code == 200 and r.json()["status"] == "extension_requested", r.content
    r = act(api("supervisor"), appeal, "decide-extension", r.json()["version"], approve=True)
    assert r.json()["status"] == "accepted"
    assert datetime.fromisoformat(r.json()["reply_deadline"]) == deadline
    data = api("handler").get(f"/appeals/{appeal.number}").json()
    r = act(api("handler"), appeal, "reply", data["version"], result_type="solved", text="已修复供水管道")
    assert r.status_code == 200 and r.json()["result_text"] == "已修复供水管道"
    r = act(api("supervisor"), appeal, "callback", r.json()["version"], satisfaction="dissatisfied", solved=False)
    r = act(api("supervisor"), appeal, "reopen", r.json()["version"], reason="群众反映仍未恢复")
    assert r.json()["status"] == "reopened" and r.json()["reopen_count"] == 1
    r = act(api("handler"), appeal, "accept", r.json()["version"])
    r = act(api("handler"), appeal, "reply", r.json()["version"], result_type="solved", text="已彻底修复")
    r = act(api("supervisor"), appeal, "close", r.json()["version"], reason="群众电话无人接听")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    actions = [e["action"] for e in api("supervisor").get(f"/appeals/{appeal.number}/events").json()]
    assert actions[:3] == ["receive", "dispatch", "accept"] and actions[-1] == "close"


def test_desk_actions_answer_merge_invalidate_return(api, personas):
    first, second, third = make_appeal(), make_appeal(content="同一地点停水"), make_appeal(content="测试来电")
    r = act(api("operator"), first, "answer", 1, text="停水原因为管网检修，预计今晚恢复")
    assert r.status_code == 200 and r.json()["status"] == "answered"
    fourth = make_appeal(content="路面塌陷")
    r = act(api("dispatcher"), second, "merge", 1, into=fourth.number, reason="同一事项")
    assert r.json()["status"] == "merged" and r.json()["parent"] == fourth.number
    assert act(api("dispatcher"), third, "invalidate", 1, reason="骚扰电话").json()["status"] == "invalid"
    dispatched = advance(fourth, personas, "dispatched")
    r = act(api("handler"), dispatched, "return", dispatched.version, reason="不属于本单位职责")
    assert r.status_code == 200 and r.json()["status"] == "return_requested"
    r = act(api("dispatcher"), dispatched, "approve-return", r.json()["version"])
    assert r.status_code == 200 and r.json()["status"] == "returned"


def test_stale_version_is_409_with_who_acted(api, personas):
    appeal = advance(make_appeal(), personas, "dispatched")
    seen = appeal.version
    services.accept(appeal, by=personas.dept_head)
    r = act(api("handler"), appeal, "reply", seen, result_type="solved", text="已处理")
    assert r.status_code == 409
    data = r.json()
    assert data["code"] == "conflict" and data["current_version"] == seen + 1
    assert data["last_action"] == "accept" and data["last_actor"] == "water_head"


def test_stale_version_in_the_same_state_is_409_conflict(api, personas):
    appeal = make_appeal()
    r = act(api("dispatcher"), appeal, "dispatch", 7, lead_unit="city-water")
    assert r.status_code == 409 and r.json()["code"] == "conflict" and r.json()["current_version"] == 1


def test_action_that_does_not_apply_is_409_action_not_allowed(api, personas):
    appeal = make_appeal()
    r = act(api("dispatcher"), appeal, "close", appeal.version, reason="x")
    assert r.status_code == 403  # dispatcher may not close at all
    r = act(api("supervisor"), appeal, "close", appeal.version, reason="x")
    assert r.status_code == 409 and r.json()["code"] == "action_not_allowed"


def test_co_handler_of_another_department_may_not_reply(api, personas):
    appeal = make_appeal()
    appeal = services.dispatch(appeal, by=personas.dispatcher, lead_unit=personas.water, co_units=[personas.urban])
    appeal = services.accept(appeal, by=personas.handler)
    r = act(api("other_handler"), appeal, "reply", appeal.version, result_type="solved", text="已处理")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert type(appeal).objects.get(pk=appeal.pk).status == "accepted"


@pytest.mark.parametrize("persona,status", [
    ("other_handler", 404), ("county_other", 404), ("citizen", 404), ("analyst", 403), ("leader", 403),
    ("handler", 404), ("operator", 403), ("county_rencheng", 200),
])
def test_who_may_dispatch(api, personas, persona, status):
    appeal = make_appeal()  # in 任城区: its county centre dispatches to the county's own unit
    assert act(api(persona), appeal, "dispatch", 1, lead_unit="370811-water").status_code == status


def test_action_body_errors_are_field_errors(api, personas):
    appeal = advance(make_appeal(), personas, "accepted")
    r = act(api("handler"), appeal, "reply", appeal.version, result_type="stepwise", text="正在施工")
    assert r.status_code == 422 and {"promise", "follow_up_date"} <= set(r.json()["errors"])
    r = act(api("handler"), appeal, "reply", appeal.version, result_type="fixed", text="x")
    assert r.status_code == 422 and "result_type" in r.json()["errors"]
    r = api("handler").post(f"/appeals/{appeal.number}/actions/reply", {"result_type": "solved", "text": "x"})
    assert r.status_code == 422 and "expected_version" in r.json()["errors"]
    r = act(api("dispatcher"), make_appeal(), "dispatch", 1, lead_unit="no-such-unit")
    assert r.status_code == 422 and "lead_unit" in r.json()["errors"]
    r = act(api("dispatcher"), make_appeal(), "merge", 1, into="JN1999")
    assert r.status_code == 422 and "into" in r.json()["errors"]


def test_unknown_appeal_and_unknown_action(api, personas):
    assert act(api("dispatcher"), "JN2000010100001", "dispatch", 1, lead_unit="city-water").status_code == 404
    assert act(api("dispatcher"), make_appeal(), "teleport", 1).status_code == 404


def test_unit_that_asked_to_return_an_appeal_gets_the_result(api, personas):
    appeal = advance(make_appeal(), personas, "dispatched")
    r = act(api("handler"), appeal, "return", appeal.version, reason="属于供电公司职责")
    assert r.status_code == 200 and r.json()["status"] == "return_requested"


def test_an_action_reads_the_appeal_back_once(api, personas):
    """After the write the answer costs one read of the appeal, not a check and then a fetch."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    appeal = advance(make_appeal(), personas, "dispatched")
    client = api("handler")
    with CaptureQueriesContext(connection) as queries:
        r = act(client, appeal, "accept", appeal.version)
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    after_write = [q["sql"] for q in queries.captured_queries if 'INSERT INTO "appeals_appealevent"' in q["sql"]
                   or q["sql"].startswith('SELECT') and 'FROM "appeals_appeal"' in q["sql"]]
    reads_after = after_write[after_write.index(next(q for q in after_write if q.startswith("INSERT"))) + 1:]
    assert len([q for q in reads_after if 'FROM "appeals_appeal" ' in q and "LIMIT 1" in q]) == 1
    assert not any(q.startswith('SELECT 1 AS "a"') for q in reads_after)
