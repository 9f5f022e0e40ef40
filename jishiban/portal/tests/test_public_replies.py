"""Public replies: only published ones, never confidential or held back, no personal data."""

import pytest

from jishiban.appeals import services as workflow
from jishiban.supervision.models import PublicReply
from jishiban.supervision.services import public_replies
from jishiban.testing import make_appeal

pytestmark = pytest.mark.django_db

FULL_OF_DATA = ("我叫张三丰，电话13912345678，也可以打 139 1234 5678 或 +86-139-1234-5678、0537-2345678，"
                "身份证370802199001011234，银行卡6222021234567890123，车牌鲁H12345，小区供暖不热")


def _answered(personas, *, channel="people-board", content=FULL_OF_DATA, name="张三丰", publish=True, **fields):
    p = personas
    appeal = make_appeal(channel=channel, content=content, citizen_name=name, **fields)
    appeal = workflow.dispatch(appeal, by=p.dispatcher, lead_unit=p.water)
    appeal = workflow.accept(appeal, by=p.handler)
    appeal = workflow.reply(appeal, by=p.handler, result_type="solved",
                            text="已联系张三丰（13912345678）核实，供暖已恢复")
    reply = PublicReply.objects.get(appeal=appeal)
    if publish:
        public_replies.publish(reply, by=p.supervisor)
    return appeal


def test_published_replies_show_no_personal_data(client, personas):
    appeal = _answered(personas)
    page = client.get("/portal/replies/").content.decode()
    assert appeal.number in page and "供暖已恢复" in page
    for secret in ("张三丰", "13912345678", "139 1234 5678", "1234-5678", "2345678", "370802199001011234",
                   "6222021234567890123", "鲁H12345"):
        assert secret not in page, secret


def test_held_back_confidential_and_unpublished_channels_never_appear(client, personas):
    held = _answered(personas, publish=False)
    secret = _answered(personas, confidential=True)
    phone_channel = make_appeal(channel="12345-phone")
    page = client.get("/portal/replies/").content.decode()
    assert held.number not in page and secret.number not in page and phone_channel.number not in page


def test_search_and_pages(client, personas, settings):
    _answered(personas, content="小区供暖不热")
    lamp = _answered(personas, content="路灯不亮")
    found = client.get("/portal/replies/", {"q": "供暖"}).content.decode()
    assert "小区供暖不热" in found
    assert lamp.number in client.get("/portal/replies/", {"q": lamp.number}).content.decode()
    assert "暂无公开答复" in client.get("/portal/replies/", {"q": "没有这个词"}).content.decode()
    assert client.get("/portal/replies/", {"page": "abc"}).status_code == 200
    assert client.get("/portal/replies/", {"page": "99999"}).status_code == 200
