"""The appeal page shows supervision in one section (督办与回访): its open orders first, its
callback tasks and its urgings, with 催办, 督办 and 领导批示 in it for those who may."""

import re

import pytest
from django.test import Client

from jishiban.supervision.models import CallbackTask
from jishiban.supervision.services import callbacks, orders, urging
from jishiban.testing import advance, make_appeal

pytestmark = pytest.mark.django_db


def _page(user, appeal) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/appeals/{appeal.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _section(html: str) -> str:
    assert html.count('id="supervision"') == 1 and html.count("督办与回访") == 1
    assert "催办督办" not in html and 'id="urging"' not in html
    return re.search(r'<section class="card" id="supervision">.*?</section>', html, re.S).group(0)


def test_one_section_holds_orders_callbacks_urgings_and_the_actions(personas):
    appeal = advance(make_appeal(content="小区停水三天"), personas, "accepted")
    urging.urge(appeal, by=personas.supervisor, text="请今日内答复")
    closed, _ = orders.open_order(appeal, reason="key", by=personas.supervisor, requirement="先前的督办")
    orders.close_order(closed, by=personas.supervisor, reason="已办结")
    open_, _ = orders.open_order(appeal, reason="leader", by=personas.supervisor, requirement="按批示办理",
                                 instruction="请水务局立即核查", instructed_by="王市长")
    section = _section(_page(personas.supervisor, appeal))
    assert section.index(f'data-order="{open_.pk}"') < section.index(f'data-order="{closed.pk}"')  # open first
    assert "王市长批示：请水务局立即核查" in section and "请今日内答复" in section
    for form in ('id="urge-form"', 'id="supervise-form"', 'id="instruct-form"'):
        assert form in section
    # the handler sees the orders on the unit and the urging, not the centre's actions
    handler = _section(_page(personas.handler, appeal))
    assert f'data-order="{open_.pk}"' in handler and "请今日内答复" in handler
    assert "urge-form" not in handler and "instruct-form" not in handler


def test_the_callback_tasks_are_in_the_same_section(personas):
    appeal = advance(make_appeal(), personas, "replied")
    task = CallbackTask.objects.get(appeal=appeal)
    callbacks.record_result(task, by=personas.operator, satisfaction="dissatisfied", solved=False)
    section = _section(_page(personas.supervisor, appeal))
    assert f'data-callback="{task.pk}"' in section and "不满意" in section and "未解决" in section
    assert "回访不满意" in section  # the automatic order of the default scheme
