"""The centre's scheme for a dissatisfied callback (督办参数 → 回访不满意的处理方案): supervise
first and let the supervisor decide (the default), or reopen at once with fresh deadlines."""

import pytest
from django.test import Client
from django.utils import timezone

from jishiban.appeals.models import Appeal, AppealEvent
from jishiban.supervision import selectors
from jishiban.supervision.models import (
    CallbackTask,
    DissatisfiedScheme,
    Notification,
    Preferences,
    SupervisionOrder,
)
from jishiban.supervision.services import callbacks
from jishiban.supervision.services.common import SYSTEM_USERNAME
from jishiban.testing import working_days_later

pytestmark = pytest.mark.django_db


def _task(appeal):
    return CallbackTask.objects.get(appeal=appeal, round=appeal.reopen_count)


def _scheme(value):
    prefs = Preferences.current()
    prefs.dissatisfied_scheme = value
    prefs.save()


def test_default_scheme_supervises_first_and_waits_for_the_supervisor(personas, replied):
    assert Preferences.current().dissatisfied_scheme == DissatisfiedScheme.SUPERVISE
    appeal = replied()
    task = callbacks.record_result(_task(appeal), by=personas.operator, satisfaction="dissatisfied", solved=False)
    appeal.refresh_from_db()
    assert appeal.status == "callback_done" and appeal.reopen_count == 0
    order = SupervisionOrder.objects.get(appeal=appeal, reason="dissatisfied")
    assert order.auto and order.status == "open" and order.target_unit == personas.water
    assert task.needs_decision and list(selectors.callback_tasks(personas.supervisor, state="decision")) == [task]
    assert Notification.objects.filter(kind="callback_review", appeal=appeal).exists()


def test_reopen_scheme_reopens_at_once_with_fresh_deadlines(personas, replied):
    _scheme(DissatisfiedScheme.REOPEN)
    appeal = replied()
    old_deadline = appeal.reply_deadline
    verdict_at = working_days_later(timezone.now(), 3)
    task = callbacks.record_result(_task(appeal), by=personas.operator, satisfaction="dissatisfied", solved=True,
                                   now=verdict_at)
    appeal.refresh_from_db()
    assert appeal.status == "reopened" and appeal.reopen_count == 1 and appeal.lead_unit == personas.water
    assert appeal.dispatched_at == verdict_at and appeal.reply_deadline > old_deadline
    reopen = AppealEvent.objects.get(appeal=appeal, action="reopen")
    assert reopen.actor.username == SYSTEM_USERNAME and "按中心方案立即重办" in reopen.reason
    # recorded as decided, nothing left for the supervisor, no automatic order
    assert task.decision == "reopen" and not task.needs_decision
    assert not selectors.callback_tasks(personas.supervisor, state="decision").exists()
    assert not SupervisionOrder.objects.filter(appeal=appeal).exists()
    assert not Notification.objects.filter(kind="callback_review", appeal=appeal).exists()


def test_reopen_scheme_leaves_a_satisfied_verdict_alone(personas, replied):
    _scheme(DissatisfiedScheme.REOPEN)
    appeal = replied()
    callbacks.record_result(_task(appeal), by=personas.operator, satisfaction="satisfied", solved=True)
    appeal.refresh_from_db()
    assert appeal.status == "callback_done" and appeal.reopen_count == 0


def test_reopen_scheme_applies_to_the_citizens_link_too(personas, replied):
    _scheme(DissatisfiedScheme.REOPEN)
    appeal = replied(channel="12345-web")
    callbacks.submit_link(callbacks.link_token(_task(appeal)), satisfaction="dissatisfied", solved=False)
    assert Appeal.objects.get(pk=appeal.pk).status == "reopened"


def test_the_admin_shows_the_scheme_in_chinese(personas):
    client = Client()
    client.force_login(personas.admin)
    page = client.get("/admin/supervision/preferences/add/").content.decode()
    assert "回访不满意的处理方案" in page and "立即重办" in page and "先督办" in page
