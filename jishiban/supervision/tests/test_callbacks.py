"""Callbacks after a reply: by the centre's phone or the citizen's signed link, unreachable
closures, the supervisor's decision on dissatisfied verdicts, and public replies."""

from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from jishiban.appeals import services
from jishiban.appeals.errors import ActionForbidden, ActionNotAllowed
from jishiban.appeals.models import Appeal
from jishiban.supervision import selectors
from jishiban.supervision.models import CallbackTask, Notification, PublicReply, SupervisionOrder
from jishiban.supervision.rules import parse_period
from jishiban.supervision.services import callbacks, public_replies
from jishiban.supervision.services.common import SYSTEM_USERNAME

pytestmark = pytest.mark.django_db


def _task(appeal):
    return CallbackTask.objects.get(appeal=appeal, round=appeal.reopen_count)


def _this_month():
    return parse_period(timezone.localdate().strftime("%Y-%m"))


def test_phone_appeal_gets_a_centre_call_task(replied):
    task = _task(replied())
    assert task.mode == "phone" and task.status == "pending" and not task.link_sent_at


def test_web_appeal_gets_a_link_by_sms_right_after_the_reply(replied):
    appeal = replied(channel="12345-web")
    task = _task(appeal)
    assert task.mode == "link" and task.link_sent_at
    note = Notification.objects.get(kind="callback_link", appeal=appeal)
    assert note.phone == "13912345678" and "/supervision/callback/" in note.text
    assert task.attempts.get().outcome == "link_sent"


def test_operator_records_phone_verdict(personas, replied):
    appeal = replied()
    task = callbacks.record_result(_task(appeal), by=personas.operator, satisfaction="basically", solved=True,
                                   comment="还行")
    assert task.status == "done" and task.origin == "phone" and task.done_by == personas.operator
    assert task.satisfaction == "basically" and task.solved is True and not task.needs_decision
    appeal.refresh_from_db()
    assert appeal.status == "callback_done" and appeal.satisfaction == "basically"
    assert list(task.attempts.values_list("outcome", flat=True)) == ["answered"]


@pytest.mark.parametrize("who", ["handler", "dispatcher", "leader", "citizen", "county_other"])
def test_others_cannot_record_callbacks(personas, replied, who):
    with pytest.raises(ActionForbidden):
        callbacks.record_result(_task(replied()), by=getattr(personas, who), satisfaction="satisfied", solved=True)


def test_callback_through_the_workflow_elsewhere_completes_the_task(personas, replied):
    appeal = services.callback(replied(), by=personas.supervisor, satisfaction="satisfied", solved=True)
    task = _task(appeal)
    assert task.status == "done" and task.origin == "workflow" and task.done_by == personas.supervisor


def test_citizen_rates_through_the_link_without_logging_in(personas, replied):
    appeal = replied(channel="12345-web")
    token = callbacks.link_token(_task(appeal))
    client = Client()
    page = client.get(f"/supervision/callback/{token}/")
    assert page.status_code == 200 and "已安排维修人员处理" in page.content.decode()
    done = client.post(f"/supervision/callback/{token}/", {"solved": "yes", "satisfaction": "satisfied",
                                                           "comment": "谢谢"}, HTTP_USER_AGENT="Phone")
    assert done.status_code == 200 and "感谢您的评价" in done.content.decode()
    appeal.refresh_from_db()
    task = _task(appeal)
    assert appeal.status == "callback_done" and appeal.satisfaction == "satisfied"
    assert task.origin == "link" and task.done_by.username == SYSTEM_USERNAME
    assert task.origin_detail["via"] == "link" and task.origin_detail["user_agent"] == "Phone"
    event = appeal.events.get(action="callback")
    assert event.actor.username == SYSTEM_USERNAME and event.reason == "谢谢"
    # the link is single-use
    again = client.post(f"/supervision/callback/{token}/", {"solved": "no", "satisfaction": "dissatisfied"})
    assert "已完成评价" in again.content.decode()
    assert Appeal.objects.get(pk=appeal.pk).satisfaction == "satisfied"


def test_link_acts_as_the_citizen_account_when_there_is_one(personas, replied):
    appeal = replied(channel="jishiban-app", citizen_user=personas.citizen)
    task = callbacks.submit_link(callbacks.link_token(_task(appeal)), satisfaction="dissatisfied", solved=False)
    assert task.done_by == personas.citizen and task.needs_decision
    assert Notification.objects.filter(kind="callback_link", user=personas.citizen).exists()


def test_forged_or_expired_links_are_refused(personas, replied, monkeypatch):
    task = _task(replied(channel="12345-web"))
    assert Client().get("/supervision/callback/not-a-token/").status_code == 404
    forged = signing.dumps({"t": task.pk, "n": "guess"}, salt=callbacks.SALT, compress=True)
    assert Client().get(f"/supervision/callback/{forged}/").status_code == 404
    token = callbacks.link_token(task)
    later = timezone.now() + timedelta(days=15)
    monkeypatch.setattr(signing.time, "time", lambda: later.timestamp())
    with pytest.raises(callbacks.LinkInvalid):
        callbacks.task_for_token(token)


def test_three_unanswered_calls_close_as_unreachable_counted_apart(personas, replied):
    appeal = replied()
    task = _task(appeal)
    for outcome in ("no_answer", "busy"):
        task = callbacks.record_attempt(task, by=personas.operator, outcome=outcome)
        assert task.status == "pending"
    task = callbacks.record_attempt(task, by=personas.operator, outcome="power_off", note="关机")
    appeal.refresh_from_db()
    assert task.status == "unreachable" and appeal.status == "closed"
    close = appeal.events.get(action="close")
    assert "3" in close.reason and close.actor.username == SYSTEM_USERNAME  # operators may not close
    assert [a.outcome for a in task.attempts.all()] == ["no_answer", "busy", "power_off"]
    assert all(a.at and a.by == personas.operator for a in task.attempts.all())
    figures = selectors.callback_figures(personas.supervisor, _this_month())
    assert figures["unreachable"] == 1 and figures["done"] == 0
    with pytest.raises(ActionNotAllowed):
        callbacks.record_attempt(task, by=personas.operator, outcome="no_answer")


def test_supervisor_trying_closes_as_themselves(personas, replied):
    from jishiban.supervision.models import Preferences

    Preferences.objects.create(pk=1, callback_max_tries=1)
    appeal = replied()
    callbacks.record_attempt(_task(appeal), by=personas.supervisor, outcome="wrong_number")
    assert Appeal.objects.get(pk=appeal.pk).events.get(action="close").actor == personas.supervisor


def test_dissatisfied_verdict_reopened_to_same_unit_and_counted(personas, replied):
    appeal = replied()
    task = callbacks.record_result(_task(appeal), by=personas.operator, satisfaction="dissatisfied", solved=False)
    assert task.needs_decision and list(selectors.callback_tasks(personas.supervisor, state="decision")) == [task]
    with pytest.raises(ActionForbidden):
        callbacks.decide(task, by=personas.operator, decision="reopen", reason="x")
    task = callbacks.decide(task, by=personas.supervisor, decision="reopen", reason="群众反映仍未通水")
    appeal.refresh_from_db()
    assert appeal.status == "reopened" and appeal.reopen_count == 1 and appeal.lead_unit == personas.water
    assert task.decision == "reopen" and task.decided_by == personas.supervisor
    assert not selectors.callback_tasks(personas.supervisor, state="decision").exists()
    # the unit replies again: a new callback round
    appeal = services.accept(appeal, by=personas.handler)
    appeal = services.reply(appeal, by=personas.handler, result_type="solved", text="已彻底修复")
    assert CallbackTask.objects.filter(appeal=appeal).count() == 2 and _task(appeal).round == 1


def test_dissatisfied_verdict_escalated_to_an_order(personas, replied):
    appeal = replied()
    task = callbacks.record_result(_task(appeal), by=personas.operator, satisfaction="dissatisfied", solved=False)
    task = callbacks.decide(task, by=personas.supervisor, decision="order", reason="请市水务局主要负责人督办",
                            level="city", deadline_days=3)
    order = SupervisionOrder.objects.get(appeal=appeal, reason="dissatisfied")
    assert task.decision == "order" and order.deadline_days in (3, 5)  # the automatic trigger may be first


def test_unsolved_verdict_closed_with_reason(personas, replied):
    appeal = replied()
    task = callbacks.record_result(_task(appeal), by=personas.operator, satisfaction="basically", solved=False)
    task = callbacks.decide(task, by=personas.supervisor, decision="close", reason="诉求超出政策范围，已解释")
    appeal.refresh_from_db()
    assert appeal.status == "closed" and task.decision == "close"


def test_closing_elsewhere_records_the_decision(personas, replied):
    appeal = replied()
    task = callbacks.record_result(_task(appeal), by=personas.operator, satisfaction="dissatisfied", solved=False)
    services.close(Appeal.objects.get(pk=appeal.pk), by=personas.supervisor, reason="已解释")
    task.refresh_from_db()
    assert task.decision == "close" and task.decision_reason == "已解释"


def test_public_channel_reply_is_masked_published_and_counted(personas, replied):
    appeal = replied(channel="people-board", citizen_name="李四")
    appeal.refresh_from_db()
    Appeal.objects.filter(pk=appeal.pk).update(result_text="李四您好，已联系您（13812345678），问题已解决。")
    appeal.refresh_from_db()
    reply = public_replies.ensure_draft(appeal)
    assert "13812345678" not in reply.text and "李四" not in reply.text and "138****5678" in reply.text
    other = replied(channel="wenzheng", citizen_phone="13700000000")
    assert PublicReply.objects.filter(appeal=other, status="draft").exists()
    replied(channel="12345-phone", citizen_phone="13700000001")  # not a public channel
    assert PublicReply.objects.count() == 2
    with pytest.raises(ActionForbidden):
        public_replies.publish(reply, by=personas.handler)
    reply = public_replies.edit(reply, by=personas.operator, text="李四您好，已处理完毕，联系电话 13812345678。")
    assert "李*" in reply.text and "138****5678" in reply.text
    reply = public_replies.publish(reply, by=personas.supervisor)
    assert reply.status == "published" and reply.published_by == personas.supervisor
    rates = {r["channel"]: r for r in selectors.reply_rates(personas.supervisor, _this_month())}
    assert (rates["people-board"]["received"], rates["people-board"]["replied"]) == (1, 1)
    assert (rates["wenzheng"]["received"], rates["wenzheng"]["replied"]) == (1, 0)
    assert str(rates["people-board"]["rate"]) == "100.00" and "12345-phone" not in rates
