"""Open311 citizen comments (POST servicerequestupdates) are the portal's "add information"."""

import pytest

from jishiban.appeals import services as workflow
from jishiban.appeals.models import AppealEvent
from jishiban.channels.models import Channel
from jishiban.open311.keys import create_key
from jishiban.portal.services import ADD_ACTION, CITIZEN_ADDED
from jishiban.supervision.models import Notification
from jishiban.testing import make_appeal

pytestmark = pytest.mark.django_db


def test_a_comment_reaches_the_appeal_and_the_handlers_inbox(client, personas):
    _key, secret = create_key(channel=Channel.objects.get(code="open311"))
    appeal = workflow.dispatch(make_appeal(channel="open311"), by=personas.dispatcher, lead_unit=personas.water)
    response = client.post("/open311/v2/servicerequestupdates.json",
                           {"api_key": secret, "service_request_id": appeal.number, "description": "水管又漏了"})
    assert response.status_code == 200, response.content
    event = AppealEvent.objects.get(appeal=appeal, action=ADD_ACTION)
    assert response.json() == [{"update_id": str(event.pk)}] and event.reason == "水管又漏了"
    assert Notification.objects.filter(kind=CITIZEN_ADDED, user=personas.handler).exists()


def test_comments_are_refused_clearly(client, personas):
    _key, secret = create_key(channel=Channel.objects.get(code="open311"))
    other = make_appeal(channel="12345-phone")
    mine = make_appeal(channel="open311")
    post = "/open311/v2/servicerequestupdates.json"
    assert client.post(post, {"service_request_id": mine.number, "description": "x"}).status_code == 403
    assert client.post(post, {"api_key": secret, "service_request_id": other.number,
                              "description": "x"}).status_code == 404
    empty = client.post(post, {"api_key": secret, "service_request_id": mine.number, "description": ""})
    assert empty.status_code == 400 and "请填写补充内容" in empty.json()[0]["description"]
    workflow.invalidate(mine, by=personas.dispatcher, reason="重复")
    closed = client.post(post, {"api_key": secret, "service_request_id": mine.number, "description": "还有"})
    assert closed.status_code == 400 and "不能再补充" in closed.json()[0]["description"]
    assert not AppealEvent.objects.filter(action=ADD_ACTION).exists()
