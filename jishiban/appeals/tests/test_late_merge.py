"""Merging into a parent that is already answered: the merged appeal takes the parent's result at
once — its own ``parent-result`` event, the push to its channel, Open311's update — once."""

import pytest
from django.utils import timezone

from jishiban.appeals import services
from jishiban.appeals.models import Appeal
from jishiban.intake.models import DeliveryStatus, ResultDelivery
from jishiban.intake.tests import test_outbox
from jishiban.supervision.models import PublicReply, PublicReplyStatus
from jishiban.testing import advance, make_appeal

pytestmark = pytest.mark.django_db

receiver = test_outbox.receiver  # the web channel wants results, delivered to a local webhook


def _answered_parent(personas, until="closed"):
    if until == "answered":
        return services.answer_directly(make_appeal(channel="12345-phone", citizen_name="刘洋"), by=personas.operator,
                                        text="停水系管网抢修，刘洋家今晚恢复供水")
    parent = advance(make_appeal(channel="12345-phone", citizen_name="刘洋"), personas, "accepted")
    services.reply(parent, by=personas.handler, result_type="solved", text="管网已抢修，刘洋家已恢复供水")
    parent = Appeal.objects.get(pk=parent.pk)
    if until == "closed":
        parent = services.callback(parent, by=personas.supervisor, satisfaction="satisfied", solved=True)
        parent = services.close(parent, by=personas.supervisor)
    return parent


@pytest.mark.parametrize("until", ["replied", "closed", "answered"])
def test_a_late_merge_gets_the_parents_answer_and_its_channel_hears_once(personas, receiver, until,
                                                                         django_capture_on_commit_callbacks):
    """GIVEN a phone appeal already replied (closed, answered directly) WHEN a web appeal is merged into it THEN
    the web appeal has the parent's result and one ``parent-result`` event after its merge, and
    its channel receives that result once, under its own external id."""
    parent = _answered_parent(personas, until)
    with django_capture_on_commit_callbacks(execute=True):
        child = services.merge(make_appeal(channel="12345-web", external_id="WEB-LATE"), by=personas.dispatcher,
                               into=parent, reason="同一事项")
    child = Appeal.objects.get(pk=child.pk)
    assert child.status == "merged" and child.result_type == parent.result_type != ""
    assert child.result_text == parent.result_text
    events = list(child.events.order_by("at", "id").values_list("action", flat=True))
    assert events == ["receive", "merge", "parent-result"]
    [row] = ResultDelivery.objects.all()
    assert row.appeal_id == child.pk and row.status == DeliveryStatus.SENT
    [(_key, body)] = receiver.requests
    assert body["external_id"] == "WEB-LATE" and body["action"] == "parent-result"
    assert body["result_text"] == parent.result_text


def test_a_merge_into_an_open_parent_waits_for_its_answer(personas, receiver):
    parent = advance(make_appeal(channel="12345-phone"), personas, "accepted")
    child = services.merge(make_appeal(channel="12345-web", external_id="WEB-EARLY"), by=personas.dispatcher,
                           into=parent)
    assert not child.events.filter(action="parent-result").exists() and ResultDelivery.objects.count() == 0
    services.reply(Appeal.objects.get(pk=parent.pk), by=personas.handler, result_type="solved", text="已修复")
    assert child.events.filter(action="parent-result").count() == 1 and ResultDelivery.objects.count() == 1


def test_open311_publishes_the_merged_appeals_copy_of_the_answer(client, personas):
    """A public (Open311) appeal merged late into a phone appeal: its updates end with the
    parent's answer once that answer is published (the parent's citizen masked), and its status
    notes carry it too; before publication they say only that it was answered."""
    parent = _answered_parent(personas)
    child = make_appeal(channel="open311", content="路灯不亮", category="030201", citizen_name="王芳")
    child = services.merge(child, by=personas.dispatcher, into=parent, reason="同一事项")
    updates = [u for u in client.get("/open311/v2/servicerequestupdates.json").json()
               if u["service_request_id"] == child.number]
    assert [u["description"][:6] for u in updates] == ["诉求已受理", "已并入诉求件"[:6], "所并入的诉求"]
    last = updates[-1]["description"]
    # The public reads only a reviewed answer: before the parent's reply is published, none.
    assert parent.number in last and "答复内容经审核后公开" in last and "管网已抢修" not in last
    [request] = client.get(f"/open311/v2/requests/{child.number}.json").json()
    assert request["status_notes"] == f"已并入诉求件 {parent.number} 一并办理"
    PublicReply.objects.create(appeal=parent, channel=parent.channel, text="管网已抢修，刘洋家已恢复供水",
                               status=PublicReplyStatus.PUBLISHED, published_at=timezone.now())
    updates = [u for u in client.get("/open311/v2/servicerequestupdates.json").json()
               if u["service_request_id"] == child.number]
    last = updates[-1]["description"]
    assert parent.number in last and "管网已抢修" in last and "刘洋" not in last and "刘*" in last
    [request] = client.get(f"/open311/v2/requests/{child.number}.json").json()
    assert "一并办理" in request["status_notes"] and "管网已抢修" in request["status_notes"]
    assert "刘洋" not in request["status_notes"]
