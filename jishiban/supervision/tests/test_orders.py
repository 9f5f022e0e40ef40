"""Supervision orders: opening (manual and automatic, idempotent), responding, closing,
escalation to the superior unit, on-site records, and who may do what."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jishiban.appeals.errors import ActionForbidden, ActionNotAllowed, AppealValidationError, ConflictError
from jishiban.supervision import jobs
from jishiban.supervision.models import Notification, OrderEvent, SupervisionOrder
from jishiban.supervision.services import orders
from jishiban.testing import advance, make_appeal

pytestmark = pytest.mark.django_db


def test_supervisor_opens_key_order_on_lead_unit_with_working_day_deadline(personas, accepted):
    appeal = accepted()
    friday = timezone.make_aware(timezone.datetime(2026, 11, 27, 10, 0))
    order, created = orders.open_order(appeal, reason="key", by=personas.supervisor, deadline_days=2,
                                       requirement="请主要负责同志亲自过问", now=friday)
    assert created and order.target_unit == personas.water and order.responsible_unit == personas.water
    assert order.level == "city" and order.status == "open" and not order.auto
    assert timezone.localtime(order.deadline).isoformat() == "2026-12-01T17:30:00+08:00"
    assert list(order.events.values_list("action", "to_status")) == [("open", "open")]
    # the handlers of the unit are told
    assert set(Notification.objects.filter(order=order).values_list("user__username", flat=True)) == {
        "dept_water", "water_head"}


def test_opening_twice_returns_the_open_order(personas, accepted):
    appeal = accepted()
    first, created = orders.open_order(appeal, reason="key", by=personas.supervisor)
    again, created_again = orders.open_order(appeal, reason="key", by=personas.supervisor)
    assert created and not created_again and first.pk == again.pk
    assert SupervisionOrder.objects.filter(appeal=appeal).count() == 1
    # a different reason is a different order
    leader, created = orders.open_order(appeal, reason="leader", by=personas.supervisor, instruction="限期解决",
                                        instructed_by="张市长")
    assert created and leader.pk != first.pk and leader.instruction == "限期解决"


def test_leader_instruction_needs_its_text(personas, accepted):
    with pytest.raises(AppealValidationError) as exc:
        orders.open_order(accepted(), reason="leader", by=personas.supervisor)
    assert "instruction" in exc.value.errors


def test_undispatched_appeal_cannot_be_supervised(personas):
    with pytest.raises(AppealValidationError) as exc:
        orders.open_order(make_appeal(), reason="key", by=personas.supervisor)
    assert "appeal" in exc.value.errors


@pytest.mark.parametrize("who", ["leader", "handler", "dispatcher", "operator", "analyst", "citizen", "county_other"])
def test_only_managers_in_scope_open_orders(personas, accepted, who):
    with pytest.raises(ActionForbidden):
        orders.open_order(accepted(), reason="key", by=getattr(personas, who))
    assert not SupervisionOrder.objects.exists()


def test_county_staff_supervise_their_county_at_county_level(personas, accepted):
    order, _created = orders.open_order(accepted(), reason="key", by=personas.county_rencheng, level="city")
    assert order.level == "county"


def test_unit_responds_then_supervisor_closes_when_solved(personas):
    appeal = advance(make_appeal(), personas, "accepted")
    order, _ = orders.open_order(appeal, reason="key", by=personas.supervisor)
    with pytest.raises(ActionForbidden):
        orders.respond(order, by=personas.other_handler, text="已处理")
    order = orders.respond(order, by=personas.handler, text="已安排抢修，今日恢复供水")
    assert order.status == "responded" and order.responded_at
    # closing while the appeal is not solved needs a reason
    with pytest.raises(AppealValidationError) as exc:
        orders.close_order(order, by=personas.supervisor)
    assert "reason" in exc.value.errors
    from jishiban.appeals import services

    appeal.refresh_from_db()
    appeal = services.reply(appeal, by=personas.handler, result_type="solved", text="已恢复供水")
    appeal = services.callback(appeal, by=personas.supervisor, satisfaction="satisfied", solved=True)
    services.close(appeal, by=personas.supervisor)
    order = orders.close_order(order, by=personas.supervisor)
    assert order.status == "closed" and order.closed_solved is True
    assert list(OrderEvent.objects.filter(order=order).values_list("action", flat=True)) == [
        "open", "respond", "close"]


def test_close_with_documented_reason_when_not_solved(personas, accepted):
    order, _ = orders.open_order(accepted(), reason="key", by=personas.supervisor)
    order = orders.close_order(order, by=personas.supervisor, reason="群众诉求超出政策范围，已做好解释")
    assert order.closed_solved is False and order.close_reason


def test_rejected_response_goes_back_with_new_deadline(personas, accepted):
    order, _ = orders.open_order(accepted(), reason="key", by=personas.supervisor, deadline_days=1)
    old_deadline = order.deadline
    order = orders.respond(order, by=personas.handler, text="正在处理")
    later = timezone.now() + timedelta(days=3)
    order = orders.reject_response(order, by=personas.supervisor, reason="反馈过于笼统", deadline_days=3, now=later)
    assert order.status == "open" and order.deadline > old_deadline
    with pytest.raises(ActionNotAllowed):
        orders.reject_response(order, by=personas.supervisor, reason="again")


def test_stale_write_is_a_conflict(personas, accepted):
    order, _ = orders.open_order(accepted(), reason="key", by=personas.supervisor)
    stale = SupervisionOrder.objects.get(pk=order.pk)
    orders.respond(order, by=personas.handler, text="已办理")
    stale.status = "open"
    with pytest.raises(ConflictError):
        orders.respond(stale, by=personas.dept_head, text="又办理")


def test_missed_deadline_escalates_to_superior_unit_by_the_sweep(personas, accepted):
    county_unit = personas.water.__class__.objects.get(code="370811-water")
    appeal = advance(make_appeal(), personas, "dispatched", unit=county_unit)
    order, _ = orders.open_order(appeal, reason="key", by=personas.supervisor, deadline_days=1)
    assert order.level == "county"
    after = order.deadline + timedelta(minutes=1)
    result = jobs.sweep(now=after)
    order.refresh_from_db()
    assert result["escalated"] == 1
    assert order.status == "escalated" and order.responsible_unit.code == "city-water"
    assert order.escalation_count == 1 and order.deadline > after
    assert jobs.sweep(now=after)["escalated"] == 0  # idempotent
    # the superior's handler may now respond
    order = orders.respond(order, by=personas.handler, text="市局已督促区局办理")
    assert order.status == "responded"
    escalation = order.events.get(action="escalate")
    assert escalation.actor is None and escalation.payload == {"from_unit": "370811-water", "to_unit": "city-water"}
    assert Notification.objects.filter(order=order, kind="order_escalated", user=personas.handler).exists()


def test_on_site_visit_is_recorded_and_logged(personas, accepted):
    order, _ = orders.open_order(accepted(), reason="key", by=personas.supervisor)
    today = timezone.localdate()
    visit = orders.add_visit(order, by=personas.supervisor, date=today, place="任城区某小区泵房",
                             participants="市中心督查科、市水务局", findings="泵房设备老化", outcome="责成三日内更换")
    assert visit.pk and order.events.filter(action="visit").exists()
    with pytest.raises(AppealValidationError) as exc:
        orders.add_visit(order, by=personas.supervisor, date=today + timedelta(days=1), place="", participants="x",
                         findings="y", outcome="z")
    assert set(exc.value.errors) == {"date", "place"}
    with pytest.raises(ActionForbidden):
        orders.add_visit(order, by=personas.leader, date=today, place="a", participants="b", findings="c",
                         outcome="d")
