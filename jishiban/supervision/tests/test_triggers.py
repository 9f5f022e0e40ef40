"""Automatic triggers: each fires from its transition or from the periodic sweep, once per
cycle, and only while its rule is enabled."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jishiban.appeals import services
from jishiban.appeals.models import Appeal
from jishiban.supervision import jobs
from jishiban.supervision.models import SupervisionOrder, TriggerRule
from jishiban.testing import advance, make_appeal, return_reviewed

pytestmark = pytest.mark.django_db


def _reasons(appeal):
    return sorted(SupervisionOrder.objects.filter(appeal=appeal).values_list("reason", flat=True))


def test_default_rules_are_seeded_and_editable():
    assert set(TriggerRule.objects.values_list("reason", flat=True)) == {
        "overdue", "returned", "dissatisfied", "repeat", "risk", "promise", "leader", "key"}


def test_red_card_opens_an_overdue_order_once_per_dispatch(personas):
    now = timezone.now()
    long_ago, earlier = now - timedelta(days=30), now - timedelta(days=10)
    appeal = services.dispatch(make_appeal(), by=personas.dispatcher, lead_unit=personas.water, at=long_ago)
    assert jobs.cards(earlier)["orders"] == 1
    assert Appeal.objects.get(pk=appeal.pk).card == "red" and _reasons(appeal) == ["overdue"]
    assert jobs.sweep(earlier)["overdue"] == 0
    order = SupervisionOrder.objects.get(appeal=appeal)
    assert order.auto and order.created_by is None and order.target_unit == personas.water
    # closed with a reason, the same red card does not fire again …
    from jishiban.supervision.services import orders

    orders.close_order(order, by=personas.supervisor, reason="已约谈单位负责人", now=earlier)
    assert jobs.sweep(earlier + timedelta(hours=1))["overdue"] == 0
    # … but a new dispatch that runs late again does
    appeal.refresh_from_db()
    appeal = return_reviewed(appeal, by=personas.handler, reason="非本单位职责",
                             at=long_ago + timedelta(hours=1))
    appeal = services.dispatch(appeal, by=personas.dispatcher, lead_unit=personas.water,
                               at=now - timedelta(days=8))
    assert jobs.cards(now)["orders"] == 1
    assert _reasons(appeal) == ["overdue", "overdue"]


def test_sweep_catches_a_red_card_the_cards_job_missed(personas):
    appeal = services.dispatch(make_appeal(), by=personas.dispatcher, lead_unit=personas.water,
                               at=timezone.now() - timedelta(days=30))
    services.refresh_cards()  # cards refreshed by someone else: no announcement, no order yet
    assert _reasons(appeal) == []
    assert jobs.sweep()["overdue"] == 1 and _reasons(appeal) == ["overdue"]


def test_disabled_rule_does_not_fire(personas):
    TriggerRule.objects.filter(reason="overdue").update(enabled=False)
    long_ago = timezone.now() - timedelta(days=30)
    appeal = services.dispatch(make_appeal(), by=personas.dispatcher, lead_unit=personas.water, at=long_ago)
    jobs.cards()
    jobs.sweep()
    assert _reasons(appeal) == []


def test_second_return_then_dispatch_opens_returned_order_on_new_unit(personas):
    appeal = advance(make_appeal(), personas, "dispatched")
    appeal = return_reviewed(appeal, by=personas.handler, reason="非本单位职责")
    appeal = services.dispatch(appeal, by=personas.dispatcher, lead_unit=personas.urban)
    assert _reasons(appeal) == []
    appeal = return_reviewed(appeal, by=personas.other_handler, reason="非本单位职责")
    appeal = services.dispatch(appeal, by=personas.dispatcher, lead_unit=personas.water)
    order = SupervisionOrder.objects.get(appeal=appeal)
    assert order.reason == "returned" and order.target_unit == personas.water and order.detail == "已退单 2 次"


def test_dissatisfied_callback_opens_order(personas, replied):
    appeal = services.callback(replied(), by=personas.supervisor, satisfaction="dissatisfied", solved=False,
                               comment="根本没修")
    assert _reasons(appeal) == ["dissatisfied"]


def test_satisfied_callback_opens_nothing(personas, replied):
    appeal = services.callback(replied(), by=personas.supervisor, satisfaction="satisfied", solved=True)
    assert _reasons(appeal) == []


def test_repeat_complaint_same_phone_and_category_three_times_in_90_days(personas):
    now = timezone.now()
    for days in (80, 30):
        make_appeal(citizen_phone="13900001111", received_at=now - timedelta(days=days))
    make_appeal(citizen_phone="13900001111", received_at=now - timedelta(days=120))  # outside the window
    make_appeal(citizen_phone="13900001111", category="050101", content="拖欠工资")  # another category
    third = make_appeal(citizen_phone="13900001111")
    appeal = services.dispatch(third, by=personas.dispatcher, lead_unit=personas.water)
    assert _reasons(appeal) == ["repeat"]
    assert SupervisionOrder.objects.get(appeal=appeal).detail == "90 天内同一号码同类诉求 3 件"


def test_two_appeals_are_not_a_repeat(personas):
    make_appeal(citizen_phone="13900002222")
    appeal = services.dispatch(make_appeal(citizen_phone="13900002222"), by=personas.dispatcher,
                               lead_unit=personas.water)
    assert _reasons(appeal) == []


def test_tags_added_later_by_smart_help_are_caught_by_the_sweep(personas, accepted):
    risky, repeated, plain = (accepted(citizen_phone=f"1390000000{i}") for i in range(3))
    Appeal.objects.filter(pk=risky.pk).update(tags=["risk:group_incident"])
    Appeal.objects.filter(pk=repeated.pk).update(tags=["repeat:same-address"])
    result = jobs.sweep()
    assert result["risk"] == 1 and result["repeat"] == 1
    assert _reasons(risky) == ["risk"] and _reasons(repeated) == ["repeat"] and _reasons(plain) == []
    order = SupervisionOrder.objects.get(appeal=risky)
    assert order.level == "city" and order.detail == "风险标签：risk:group_incident"
    assert jobs.sweep()["risk"] == 0


def test_risk_tag_present_at_dispatch_fires_immediately(personas):
    appeal = services.dispatch(make_appeal(tags=["risk:threat_to_life"]), by=personas.dispatcher,
                               lead_unit=personas.water)
    assert _reasons(appeal) == ["risk"]


def test_a_failing_reaction_never_breaks_the_workflow(personas, monkeypatch):
    from jishiban.supervision import triggers

    def boom(*args, **kwargs):
        raise RuntimeError("trigger bug")

    monkeypatch.setattr(triggers, "on_transition", boom)
    appeal = services.dispatch(make_appeal(tags=["risk:x"]), by=personas.dispatcher, lead_unit=personas.water)
    assert Appeal.objects.get(pk=appeal.pk).status == "dispatched"
    monkeypatch.undo()
    assert jobs.sweep()["risk"] == 1  # the sweep repairs it
