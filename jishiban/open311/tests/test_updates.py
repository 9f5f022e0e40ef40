"""servicerequestupdates.{json,xml}: the public history of requests, derived from events."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jishiban.appeals import services
from jishiban.appeals.models import AppealEvent
from jishiban.open311.keys import revoke_key
from jishiban.supervision.models import PublicReply
from jishiban.supervision.services import public_replies
from jishiban.testing import advance, make_appeal, return_reviewed, working_days_later

from .conftest import BASE, parse_xml

UPDATE_FIELDS = ["update_id", "service_request_id", "status", "updated_datetime", "description", "media_url"]


@pytest.fixture
def handled(personas):
    appeal = make_appeal(channel="open311", content="路灯不亮", category="030201", citizen_name="刘洋",
                         extras={"open311": {"media_url": "https://img.example.com/a.jpg"}})
    appeal = advance(appeal, personas, "accepted")
    return_reviewed(appeal, by=personas.handler, reason="不属于我单位职责")  # internal: not published
    appeal.refresh_from_db()
    appeal = services.dispatch(appeal, by=personas.dispatcher, lead_unit=personas.water)
    appeal = services.accept(appeal, by=personas.handler)
    services.reply(appeal, by=personas.handler, result_type="solved", text="已更换灯泡。刘洋 请留意 0537-2345678")
    public_replies.publish(PublicReply.objects.get(appeal=appeal), by=personas.supervisor)
    private = make_appeal(channel="12345-phone", content="电话反映停水")
    advance(private, personas, "accepted")
    return appeal


def test_updates_list_the_public_steps_in_order(client, handled):
    updates = client.get(f"{BASE}/servicerequestupdates.json").json()
    assert {u["service_request_id"] for u in updates} == {handled.number}
    assert [u["status"] for u in updates] == ["open", "open", "open", "open", "open", "closed"]
    descriptions = [u["description"] for u in updates]
    assert descriptions[0] == "诉求已受理" and "市城乡水务局" in descriptions[1]
    assert descriptions[-1].startswith("已更换灯泡。刘* 请留意 0537-")
    assert "2345678" not in descriptions[-1] and descriptions[-1].endswith("5678")
    assert not any("职责" in d for d in descriptions)
    assert list(updates[0]) == UPDATE_FIELDS
    assert updates[0]["media_url"] == "https://img.example.com/a.jpg" and updates[1]["media_url"] is None
    published = AppealEvent.objects.filter(appeal=handled).exclude(action__in=["request-return", "return"])
    assert [u["update_id"] for u in updates] == [str(e.pk) for e in published.order_by("at", "id")]


def test_updates_xml_has_the_root_and_items_fixmystreet_reads(client, handled):
    root = parse_xml(client.get(f"{BASE}/servicerequestupdates.xml").content)
    assert root.tag == "service_request_updates"
    items = root.findall("request_update")
    assert len(items) == 6 and [c.tag for c in items[0]] == UPDATE_FIELDS
    assert items[-1].find("status").text == "closed"


def test_updates_window_and_paging(client, handled):
    last = AppealEvent.objects.filter(appeal=handled, action="reply").get()
    # the steps before the reply happened an hour earlier
    AppealEvent.objects.exclude(pk=last.pk).update(at=last.at - timedelta(hours=1))
    start = timezone.localtime(last.at - timedelta(seconds=1)).isoformat()
    end = timezone.localtime(last.at + timedelta(seconds=1)).isoformat()
    window = client.get(f"{BASE}/servicerequestupdates.json", {"start_date": start, "end_date": end}).json()
    assert [u["update_id"] for u in window] == [str(last.pk)]
    future = (timezone.now() + timedelta(days=1)).isoformat()
    assert client.get(f"{BASE}/servicerequestupdates.json", {"start_date": future, "end_date": future}).json() == []
    page2 = client.get(f"{BASE}/servicerequestupdates.json", {"page_size": 4, "page": 2}).json()
    assert len(page2) == 2


def test_extension_approved_is_published_refused_is_not(client, personas):
    appeal = advance(make_appeal(channel="open311", content="道路破损", category="030202"), personas, "accepted")
    new_deadline = working_days_later(appeal.reply_deadline, 3)
    appeal = services.request_extension(appeal, by=personas.handler, new_deadline=new_deadline, reason="需采购材料")
    appeal = services.decide_extension(appeal, by=personas.supervisor, approve=False, reason="时限内可完成")
    appeal = services.request_extension(appeal, by=personas.handler, new_deadline=new_deadline, reason="仍需采购")
    services.decide_extension(appeal, by=personas.supervisor, approve=True)
    descriptions = [u["description"] for u in client.get(f"{BASE}/servicerequestupdates.json").json()]
    assert sum("延长" in d for d in descriptions) == 1
    assert not any("采购" in d for d in descriptions)


def test_updates_of_confidential_appeals_are_not_published(client, personas):
    make_appeal(channel="open311", content="举报", appeal_type="report")
    assert client.get(f"{BASE}/servicerequestupdates.json").json() == []


def test_a_given_api_key_must_be_valid(client, handled, api_key):
    key, raw = api_key
    assert client.get(f"{BASE}/servicerequestupdates.xml", {"api_key": raw}).status_code == 200
    revoke_key(key.prefix)
    response = client.get(f"{BASE}/servicerequestupdates.xml", {"api_key": raw})
    assert response.status_code == 403
    assert parse_xml(response.content).find("error/code").text == "403"


def test_bad_window_is_400(client, reference_data):
    response = client.get(f"{BASE}/servicerequestupdates.json", {"start_date": "soon"})
    assert response.status_code == 400 and "start_date" in response.json()[0]["description"]
