"""A unit hears once about what it must do, and nothing is left with the wrong unit.

Each journey goes through the services (and the API where people use it) and counts what every
unit receives: notifications by kind and recipient, deliveries per transport, orders and card
alerts. Exactly what the rule says, once.
"""

from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from ninja.testing import TestClient

from jishiban.appeals import services
from jishiban.appeals.models import Appeal
from jishiban.supervision import delivery, jobs, triggers
from jishiban.supervision.api import router
from jishiban.supervision.models import (
    CardAlert,
    Delivery,
    Dispute,
    Notification,
    OrderStatus,
    SupervisionOrder,
    Transport,
)
from jishiban.supervision.services import callbacks, orders
from jishiban.testing import advance, make_appeal, make_user, return_reviewed

from .gateway import Gateway

pytestmark = pytest.mark.django_db

SMS_BODY = '{"mobile": "$phone", "content": "$text", "requestId": "$idempotency_key"}'
WATER = {"dept_water", "water_head"}


def received(**filters) -> Counter:
    """(username, kind) → how many notifications."""
    rows = Notification.objects.filter(**filters).values_list("user__username", "kind")
    return Counter(rows)


def kinds_for(username: str) -> Counter:
    return Counter(Notification.objects.filter(user__username=username).values_list("kind", flat=True))


@pytest.fixture
def api():
    return TestClient(router)


@pytest.fixture
def reachable_units(personas):
    """The water bureau's and the urban bureau's staff have phones and e-mail addresses."""
    for i, user in enumerate((personas.handler, personas.dept_head, personas.other_handler)):
        user.phone, user.email = f"1370000000{i}", f"{user.username}@example.cn"
        user.save()
    make_user("urban_head", "dept_head", org="city-urban", phone="13700000009", email="urban_head@example.cn")
    return personas


def test_dispatch_notifies_the_lead_units_staff_once_through_every_transport(reachable_units,
                                                                              django_capture_on_commit_callbacks):
    """GIVEN an SMS gateway and e-mail WHEN an appeal is dispatched through the API THEN each of
    the water bureau's two staff gets one ``dispatched`` notice, one SMS and one e-mail; nobody
    else hears of it; delivering again sends nothing more."""
    from jishiban.api.tests.conftest import ApiClient

    p = reachable_units
    appeal = make_appeal()
    with Gateway() as gateway:
        Transport.objects.create(name="短信网关", kind="webhook", url=gateway.url, body_template=SMS_BODY)
        Transport.objects.create(name="邮件", kind="email")
        client = ApiClient(p.dispatcher)
        with django_capture_on_commit_callbacks(execute=True):
            r = client.post(f"/appeals/{appeal.number}/actions/dispatch",
                            {"expected_version": appeal.version, "lead_unit": "city-water"})
        assert r.status_code == 200, r.content
        assert received() == {("dept_water", "dispatched"): 1, ("water_head", "dispatched"): 1}
        note = Notification.objects.filter(kind="dispatched").first()
        assert appeal.number in note.text and "签收" in note.text and "答复" in note.text
        delivery.deliver_due()
        assert Delivery.objects.filter(status="sent").count() == 4
        assert sorted(m["mobile"] for m in gateway.messages.values()) == ["13700000000", "13700000001"]
        assert sorted(m.to[0] for m in mail.outbox) == ["dept_water@example.cn", "water_head@example.cn"]
        assert delivery.deliver_due() == {} and len(gateway.requests) == 2 and len(mail.outbox) == 2
    page_client = Client()
    page_client.force_login(p.handler)
    page = page_client.get("/supervision/notifications/").content.decode()
    assert page.count(f"派单通知：诉求件 {appeal.number}") == 1 and page.count("· 派单通知") == 1


def test_a_meeting_decision_moves_orders_and_notice_to_the_new_unit(api, reachable_units):
    """GIVEN an appeal the water bureau returned twice, with a leader's instruction and a key
    supervision order addressed to it WHEN the meeting decides the urban bureau leads THEN the
    water bureau's orders close with a note, the urban bureau gets the instruction and the key
    order (and the repeated-return order the dispatch earned) in ONE ``redispatched`` notice,
    and the water bureau hears nothing more."""
    p = reachable_units
    appeal = advance(make_appeal(), p, "dispatched")
    leader = api.post("/orders", user=p.supervisor, json={
        "appeal": appeal.number, "reason": "leader", "instruction": "请本周内解决", "instructed_by": "王市长"})
    assert leader.status_code == 201, leader.content
    api.post("/orders", user=p.supervisor, json={"appeal": appeal.number, "reason": "key"})
    _twice_returned_from(appeal, p)
    dispute = Dispute.objects.get(appeal=appeal)
    meeting = api.post("/meetings", user=p.supervisor, json={"date": "2026-11-30", "place": "会议室",
                                                            "disputes": [dispute.pk]}).json()["id"]
    before = received()
    decided = api.post(f"/meetings/{meeting}/decisions", user=p.supervisor, json={
        "dispute": dispute.pk, "lead_unit": "city-urban", "legal_basis": "城市管理条例"})
    assert decided.status_code == 201, decided.content

    after = received() - before
    assert after == {("dept_urban", "redispatched"): 1, ("urban_head", "redispatched"): 1}
    text = Notification.objects.get(user=p.other_handler, kind="redispatched").text
    assert f"会商决定 #{decided.json()['id']}" in text and "王市长批示：请本周内解决" in text
    assert "重点督办" in text and "多次退单" in text

    old = SupervisionOrder.objects.filter(appeal=appeal, target_unit=p.water)
    assert {o.status for o in old} == {OrderStatus.CLOSED} and old.count() == 2
    assert all("改派至" in o.close_reason and o.events.get(action="close").actor == p.supervisor for o in old)
    new = SupervisionOrder.objects.filter(appeal=appeal, target_unit=p.urban).exclude(status=OrderStatus.CLOSED)
    assert sorted(new.values_list("reason", flat=True)) == ["key", "leader", "returned"]
    carried = new.get(reason="leader")
    assert carried.instruction == "请本周内解决" and carried.created_by == p.supervisor
    assert carried.events.get(action="open").payload["carried_from"] == leader.json()["id"]
    # the urban bureau sees and answers them; the water bureau no longer does
    assert {o["reason"] for o in api.get("/orders", user=p.other_handler).json()} >= {"key", "leader"}
    assert api.post(f"/orders/{carried.pk}/respond", user=p.handler, json={"text": "x"}).status_code in (403, 404)
    assert api.post(f"/orders/{carried.pk}/respond", user=p.other_handler, json={"text": "已处理"}).status_code == 200


def _twice_returned_from(appeal, personas):
    appeal = Appeal.objects.get(pk=appeal.pk)
    appeal = return_reviewed(appeal, by=personas.handler, reason="非本单位职责")
    appeal = services.dispatch(appeal, by=personas.dispatcher, lead_unit=personas.water)
    return return_reviewed(appeal, by=personas.handler, reason="仍非本单位职责")


def test_after_a_redispatch_the_new_unit_gets_its_own_yellow_card_once(personas):
    """GIVEN the water bureau was warned of a yellow card WHEN the appeal is re-dispatched to the
    urban bureau (the same deadline: same day) THEN the water bureau's alert is closed with a
    note and the urban bureau hears of the yellow card once."""
    appeal = services.dispatch(make_appeal(), by=personas.dispatcher, lead_unit=personas.water)
    appeal.refresh_from_db()
    soon = appeal.yellow_at + timedelta(minutes=1)
    jobs.cards(soon)
    assert kinds_for("dept_water")["card_yellow"] == 1
    appeal = services.dispatch(Appeal.objects.get(pk=appeal.pk), by=personas.dispatcher, lead_unit=personas.urban,
                               at=appeal.dispatched_at)
    jobs.cards(soon)
    jobs.cards(soon + timedelta(minutes=5))
    assert kinds_for("dept_urban") == {"redispatched": 1, "card_yellow": 1}
    assert kinds_for("dept_water") == {"dispatched": 1, "card_yellow": 1}
    water, urban = CardAlert.objects.get(unit=personas.water), CardAlert.objects.get(unit=personas.urban)
    assert water.closed_at is not None and "city-urban" not in water.note and "改派至" in water.note
    assert urban.closed_at is None
    # back to the water bureau: it holds the card again and hears of it again, once
    services.dispatch(Appeal.objects.get(pk=appeal.pk), by=personas.dispatcher, lead_unit=personas.water,
                      at=appeal.dispatched_at)
    jobs.cards(soon)
    jobs.cards(soon)
    assert kinds_for("dept_water") == {"dispatched": 1, "redispatched": 1, "card_yellow": 2}
    assert kinds_for("dept_urban") == {"redispatched": 1, "card_yellow": 1}
    assert CardAlert.objects.filter(closed_at__isnull=True).get().unit == personas.water


def test_a_red_card_is_one_message_that_also_names_the_order(personas):
    """GIVEN an overdue appeal WHEN the cards job runs (twice) and the sweep THEN the unit gets
    ONE ``card_red`` message saying the card and the overdue order; no ``order_opened``."""
    appeal = services.dispatch(make_appeal(), by=personas.dispatcher, lead_unit=personas.water,
                               at=timezone.now() - timedelta(days=30))
    assert jobs.cards()["orders"] == 1
    jobs.cards()
    jobs.sweep()
    order = SupervisionOrder.objects.get(appeal=appeal)
    assert order.reason == "overdue"
    assert received(appeal=appeal) == {
        ("dept_water", "dispatched"): 1, ("water_head", "dispatched"): 1,
        ("dept_water", "card_red"): 1, ("water_head", "card_red"): 1,
        ("supervisor", "card_red"): 1, ("county_rencheng", "card_red"): 1,
    }
    red = Notification.objects.get(user=personas.handler, kind="card_red")
    assert red.order == order and "红牌" in red.text and f"督办单 #{order.pk}" in red.text


def test_reopening_notifies_the_unit_once(api, personas, replied):
    """GIVEN a dissatisfied callback WHEN the supervisor decides 重办 on the callback page's API
    THEN the water bureau gets one ``reopened`` notice with the reason; the centre had one
    ``callback_review``."""
    appeal = replied()
    task = callbacks.CallbackTask.objects.get(appeal=appeal)
    callbacks.record_result(task, by=personas.operator, satisfaction="dissatisfied", solved=False)
    before = received()
    seen = api.get(f"/callbacks/{task.pk}", user=personas.supervisor).json()["appeal_version"]
    r = api.post(f"/callbacks/{task.pk}/decision", user=personas.supervisor,
                 json={"decision": "reopen", "reason": "水压仍不足", "expected_version": seen})
    assert r.status_code == 200, r.content
    assert received() - before == {("dept_water", "reopened"): 1, ("water_head", "reopened"): 1}
    assert "水压仍不足" in Notification.objects.get(user=personas.handler, kind="reopened").text
    assert Notification.objects.filter(kind="callback_review", user=personas.supervisor).count() == 1


def test_a_leader_instruction_is_one_message_with_its_text(api, personas, accepted):
    appeal = accepted()
    before = received()
    r = api.post("/orders", user=personas.supervisor, json={
        "appeal": appeal.number, "reason": "leader", "instruction": "限三日内解决", "instructed_by": "李副市长"})
    assert r.status_code == 201
    again = api.post("/orders", user=personas.supervisor, json={
        "appeal": appeal.number, "reason": "leader", "instruction": "限三日内解决"})
    assert again.status_code == 200  # the open one: nothing new
    assert received() - before == {("dept_water", "leader_instruction"): 1, ("water_head", "leader_instruction"): 1}
    assert "李副市长批示：限三日内解决" in Notification.objects.get(user=personas.handler, kind="leader_instruction").text


def test_callback_tasks_follow_the_current_lead_unit(client, personas):
    """A callback task has no unit of its own: after a re-dispatch and the new unit's reply, the
    callback page names the new unit."""
    appeal = advance(make_appeal(), personas, "dispatched")
    appeal = services.dispatch(appeal, by=personas.dispatcher, lead_unit=personas.urban)
    appeal = services.accept(appeal, by=personas.other_handler)
    services.reply(appeal, by=personas.other_handler, result_type="solved", text="已清理")
    task = callbacks.CallbackTask.objects.get(appeal=appeal)
    client.force_login(personas.operator)
    page = client.get(f"/supervision/callbacks/{task.pk}/").content.decode()
    assert f"<dd>{personas.urban}</dd>" in page and f"<dd>{personas.water}</dd>" not in page


def test_orders_a_unit_earned_itself_close_without_a_copy(personas):
    """An overdue order is the old unit's own: re-dispatching closes it and opens none."""
    appeal = services.dispatch(make_appeal(), by=personas.dispatcher, lead_unit=personas.water,
                               at=timezone.now() - timedelta(days=30))
    jobs.cards()
    appeal = services.dispatch(Appeal.objects.get(pk=appeal.pk), by=personas.dispatcher, lead_unit=personas.urban)
    assert list(SupervisionOrder.objects.filter(appeal=appeal).values_list("reason", "target_unit__code", "status")) \
        == [("overdue", "city-water", "closed")]
    assert triggers.evaluate(appeal, only={"overdue"}) == []
    assert orders.follow_lead_unit(appeal, now=timezone.now()) == []  # nothing left to move
