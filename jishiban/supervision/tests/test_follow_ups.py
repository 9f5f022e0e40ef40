"""分步解决: the promise comes back on its date, the unit reports it kept, a supervisor confirms;
no progress after the date opens an order."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jishiban.appeals import services
from jishiban.appeals.errors import ActionForbidden, ActionNotAllowed
from jishiban.supervision import jobs, selectors
from jishiban.supervision.models import FollowUp, Notification, SupervisionOrder
from jishiban.supervision.services import followups
from jishiban.testing import advance, make_appeal

pytestmark = pytest.mark.django_db


def _stepwise(personas, days=3):
    appeal = advance(make_appeal(), personas, "accepted")
    due = timezone.localdate() + timedelta(days=days)
    appeal = services.reply(appeal, by=personas.handler, result_type="stepwise", text="已列入改造计划",
                            promise="年底前完成管网改造", follow_up_date=due)
    return appeal, due


def _noon(day):
    return timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time())) + timedelta(hours=12)


def test_stepwise_reply_records_the_promise(personas):
    appeal, due = _stepwise(personas)
    follow_up = FollowUp.objects.get(appeal=appeal)
    assert (follow_up.status, follow_up.due_date, follow_up.unit) == ("waiting", due, personas.water)
    assert follow_up.promise == "年底前完成管网改造"


def test_on_its_date_the_promise_returns_to_the_handlers_list(personas):
    appeal, due = _stepwise(personas)
    assert not selectors.follow_ups_due_for(personas.handler).exists()
    jobs.sweep(now=_noon(due - timedelta(days=1)))
    assert FollowUp.objects.get(appeal=appeal).status == "waiting"
    result = jobs.sweep(now=_noon(due))
    assert result["follow_ups_due"] == 1
    assert list(selectors.follow_ups_due_for(personas.handler).values_list("appeal", flat=True)) == [appeal.pk]
    assert not selectors.follow_ups_due_for(personas.other_handler).exists()
    assert Notification.objects.filter(kind="follow_up_due", user=personas.handler).exists()
    assert jobs.sweep(now=_noon(due))["follow_ups_due"] == 0


def test_unit_reports_kept_and_supervisor_confirms(personas):
    appeal, due = _stepwise(personas)
    jobs.sweep(now=_noon(due))
    follow_up = FollowUp.objects.get(appeal=appeal)
    with pytest.raises(ActionForbidden):
        followups.fulfil(follow_up, by=personas.other_handler, note="x")
    follow_up = followups.fulfil(follow_up, by=personas.handler, note="管网改造已完工并通水")
    assert follow_up.status == "fulfilled" and not selectors.follow_ups_due_for(personas.handler).exists()
    with pytest.raises(ActionForbidden):
        followups.confirm(follow_up, by=personas.handler)
    follow_up = followups.reject(follow_up, by=personas.supervisor, note="现场核实尚未通水")
    assert follow_up.status == "due" and selectors.follow_ups_due_for(personas.handler).exists()
    follow_up = followups.fulfil(follow_up, by=personas.handler, note="已通水，附照片")
    follow_up = followups.confirm(follow_up, by=personas.supervisor)
    assert follow_up.status == "confirmed" and follow_up.confirmed_by == personas.supervisor
    with pytest.raises(ActionNotAllowed):
        followups.confirm(follow_up, by=personas.supervisor)


def test_no_progress_after_the_date_opens_an_order_once(personas):
    appeal, due = _stepwise(personas)
    jobs.sweep(now=_noon(due))
    assert not SupervisionOrder.objects.filter(appeal=appeal).exists()  # on the date itself: still time
    result = jobs.sweep(now=_noon(due + timedelta(days=1)))
    order = SupervisionOrder.objects.get(appeal=appeal)
    assert result["promise"] == 1 and order.reason == "promise" and order.target_unit == personas.water
    assert jobs.sweep(now=_noon(due + timedelta(days=2)))["promise"] == 0


def test_kept_promise_opens_nothing(personas):
    appeal, due = _stepwise(personas)
    followups.fulfil(FollowUp.objects.get(appeal=appeal), by=personas.handler, note="提前完成")
    jobs.sweep(now=_noon(due + timedelta(days=5)))
    assert not SupervisionOrder.objects.filter(appeal=appeal).exists()


def test_reopen_cancels_the_old_promise(personas):
    appeal, _due = _stepwise(personas)
    appeal = services.callback(appeal, by=personas.supervisor, satisfaction="dissatisfied", solved=False)
    services.reopen(appeal, by=personas.supervisor, reason="群众不认可")
    assert FollowUp.objects.get(appeal=appeal).status == "cancelled"
