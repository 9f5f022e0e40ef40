"""Rating the reply: the callback record, once per reply, within the window; a dissatisfied
verdict goes to the supervisors like a phone callback and can reopen the appeal."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jishiban.appeals import services as workflow
from jishiban.supervision.models import CallbackStatus, CallbackTask, Kind, Notification
from jishiban.supervision.services import callbacks

from .helpers import hand_in

pytestmark = pytest.mark.django_db


def _replied(client, personas, **form):
    p = personas
    appeal, code = hand_in(client, **form)
    appeal = workflow.dispatch(appeal, by=p.dispatcher, lead_unit=p.water)
    appeal = workflow.accept(appeal, by=p.handler)
    return workflow.reply(appeal, by=p.handler, result_type="solved", text="已更换路灯"), code


def test_dissatisfied_rating_is_the_callback_and_the_supervisor_reopens(client, personas):
    appeal, _code = _replied(client, personas)
    response = client.post(f"/portal/appeals/{appeal.number}/rate/",
                           {"solved": "no", "satisfaction": "dissatisfied", "comment": "灯还是不亮"})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == "callback_done" and appeal.satisfaction == "dissatisfied" and appeal.solved is False
    task = CallbackTask.objects.get(appeal=appeal)
    assert task.status == CallbackStatus.DONE and task.origin == "link"
    assert task.origin_detail["via"] == "portal" and task.origin_detail["solved"] == "no"
    assert task.comment == "灯还是不亮" and task.needs_decision
    assert Notification.objects.filter(kind=Kind.CALLBACK_REVIEW, appeal=appeal, user=personas.supervisor).exists()
    callbacks.decide(task, by=personas.supervisor, decision="reopen", reason="群众反映灯仍不亮，重办")
    page = client.get(f"/portal/appeals/{appeal.number}/").content.decode()
    assert "已安排重新办理" in page and "重新办理中" in page
    assert "群众反映灯仍不亮" not in page  # the supervisor's reason is internal


def test_partly_solved_counts_as_unsolved_and_says_so(client, personas):
    appeal, _code = _replied(client, personas)
    client.post(f"/portal/appeals/{appeal.number}/rate/", {"solved": "partly", "satisfaction": "basically"})
    appeal.refresh_from_db()
    task = CallbackTask.objects.get(appeal=appeal)
    assert appeal.solved is False and task.comment.startswith("部分解决") and task.needs_decision


def test_once_per_reply(client, personas):
    appeal, _code = _replied(client, personas)
    client.post(f"/portal/appeals/{appeal.number}/rate/", {"solved": "yes", "satisfaction": "satisfied"})
    response = client.post(f"/portal/appeals/{appeal.number}/rate/", {"solved": "no", "satisfaction": "dissatisfied"})
    assert response.status_code == 422 and "您已评价过本次答复" in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.satisfaction == "satisfied"


def test_not_before_the_reply_and_not_after_the_window(client, personas, settings):
    appeal, _code = hand_in(client)
    page = client.get(f"/portal/appeals/{appeal.number}/").content.decode()
    assert "评价答复" not in page
    response = client.post(f"/portal/appeals/{appeal.number}/rate/", {"solved": "yes", "satisfaction": "satisfied"})
    assert response.status_code == 422 and "诉求答复后才能评价" in response.content.decode()
    appeal, _code = _replied(client, personas, phone="13800002222")  # not the first one's repeat
    settings.JISHIBAN = {**settings.JISHIBAN, "PORTAL": {"RATING_DAYS": 3}}
    type(appeal).objects.filter(pk=appeal.pk).update(replied_at=timezone.now() - timedelta(days=4))
    response = client.post(f"/portal/appeals/{appeal.number}/rate/", {"solved": "yes", "satisfaction": "satisfied"})
    assert response.status_code == 422 and "评价期限（答复后 3 天）已过" in response.content.decode()


def test_missing_choices_are_explained(client, personas):
    appeal, _code = _replied(client, personas)
    response = client.post(f"/portal/appeals/{appeal.number}/rate/", {"comment": "x"})
    page = response.content.decode()
    assert response.status_code == 422 and "请选择问题是否解决" in page and "请选择满意程度" in page
