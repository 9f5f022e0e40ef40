"""What a submitter may set (channel, urgent flag, internal tags) follows their role and their
token's channel, decided in one place (``accounts.policy.submission_rights``)."""

import pytest

from jishiban.appeals.models import Appeal

from .test_create import body

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("extra", [
    {"channel": "gov-supervision"},
    {"channel": "jishiban-app", "urgent": True},
    {"channel": "jishiban-app", "tags": ["领导批示"]},
    {"channel": "jishiban-app", "tags": ["risk:petition"]},
], ids=["channel", "urgent", "leader-tag", "risk-tag"])
def test_a_citizen_cannot_choose_channel_urgency_or_internal_tags(api, extra):
    before = Appeal.objects.count()
    response = api("citizen").post("/appeals", body(**extra))
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "forbidden" and response.json()["detail"].startswith("您")
    assert Appeal.objects.count() == before  # nothing written


def test_a_citizen_hands_in_on_the_app_channel_with_ordinary_tags(api):
    response = api("citizen").post("/appeals", body(channel=None, tags=["供暖季"]))
    assert response.status_code == 201, response.content
    appeal = Appeal.objects.get(number=response.json()["number"])
    assert appeal.channel.code == "jishiban-app" and appeal.tags == ["供暖季"] and not appeal.urgent


def test_a_channel_bound_token_may_not_set_urgency_or_internal_tags(api):
    from jishiban.channels.models import Channel

    client = api("operator", channel=Channel.objects.get(code="12345-wechat"))
    assert client.post("/appeals", body(channel=None, urgent=True)).status_code == 403
    assert client.post("/appeals", body(channel=None, tags=["重点督办"])).status_code == 403
    assert client.post("/appeals", body(channel="12345-web")).status_code == 403
    assert client.post("/appeals", body(channel=None, tags=["夜间施工"])).status_code == 201


def test_desk_staff_without_a_bound_token_choose_freely(api):
    response = api("operator").post("/appeals", body(channel="gov-supervision", urgent=True, tags=["领导批示"]))
    assert response.status_code == 201, response.content
    appeal = Appeal.objects.get(number=response.json()["number"])
    assert appeal.channel.code == "gov-supervision" and appeal.urgent and "领导批示" in appeal.tags
