"""The API record after 重办: no reply is current until the unit answers again; the earlier
round's reply is in the reopen event."""

import pytest

from jishiban.appeals import services
from jishiban.testing import advance, make_appeal

pytestmark = pytest.mark.django_db


def act(client, appeal, action, version, **body):
    return client.post(f"/appeals/{appeal.number}/actions/{action}", {"expected_version": version, **body})


def test_the_record_after_dispatch_reply_dissatisfied_callback_and_reopen(api, personas):
    appeal = advance(make_appeal(), personas, "dispatched")
    data = act(api("handler"), appeal, "accept", appeal.version).json()
    data = act(api("handler"), appeal, "reply", data["version"], result_type="stepwise", text="已列入维修计划",
               promise="月底前更换管道", follow_up_date="2099-01-31").json()
    assert data["result_text"] == "已列入维修计划" and data["promise"] == "月底前更换管道"
    data = act(api("supervisor"), appeal, "callback", data["version"], satisfaction="dissatisfied",
               solved=False).json()
    r = act(api("supervisor"), appeal, "reopen", data["version"], reason="群众反映仍未恢复")
    assert r.status_code == 200, r.content
    data = api("supervisor").get(f"/appeals/{appeal.number}").json()
    assert data["status"] == "reopened" and data["reopen_count"] == 1
    assert (data["result_type"], data["result_text"], data["promise"], data["follow_up_date"]) == ("", "", "", None)
    assert (data["satisfaction"], data["solved"], data["replied_at"]) == ("", None, None)
    events = api("supervisor").get(f"/appeals/{appeal.number}/events").json()
    reopen = next(e for e in events if e["action"] == "reopen")
    assert reopen["payload"]["previous_reply"] == {
        "round": 1, "result_type": "stepwise", "text": "已列入维修计划", "promise": "月底前更换管道",
        "follow_up_date": "2099-01-31", "replied_at": reopen["payload"]["previous_reply"]["replied_at"],
        "satisfaction": "dissatisfied", "solved": False}
    assert next(e for e in events if e["action"] == "reply")["payload"]["text"] == "已列入维修计划"


def test_the_second_rounds_reply_is_the_record(api, personas):
    appeal = advance(make_appeal(), personas, "replied")
    appeal = services.callback(appeal, by=personas.supervisor, satisfaction="dissatisfied", solved=False)
    appeal = services.reopen(appeal, by=personas.supervisor, reason="群众反映仍未恢复")
    data = act(api("handler"), appeal, "accept", appeal.version).json()
    data = act(api("handler"), appeal, "reply", data["version"], result_type="solved", text="已彻底修复").json()
    assert data["result_type"] == "solved" and data["result_text"] == "已彻底修复" and data["reopen_count"] == 1
