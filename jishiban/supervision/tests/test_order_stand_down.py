"""Automatic orders stand down when the appeal is closed solved (instead of escalating when their
deadline passes); orders a person opened stay. The order list finds an appeal's orders by number."""

import pytest
from django.test import Client

from jishiban.appeals import services
from jishiban.supervision.services import orders
from jishiban.testing import advance, make_appeal

pytestmark = pytest.mark.django_db


def test_automatic_orders_close_when_the_appeal_is_closed_satisfied(personas):
    appeal = advance(make_appeal(), personas, "callback_done")
    auto, _ = orders.open_order(appeal, reason="overdue", by=None)
    manual, _ = orders.open_order(appeal, reason="key", by=personas.supervisor)
    assert auto.auto and not manual.auto
    services.close(appeal, by=personas.supervisor)
    auto.refresh_from_db()
    manual.refresh_from_db()
    assert auto.status == "closed" and auto.closed_solved is True and "自动督办随之办结" in auto.close_reason
    assert manual.status != "closed"
    assert list(auto.events.values_list("action", flat=True)) == ["open", "close"]


def test_automatic_orders_stay_when_the_appeal_is_closed_unsolved(personas):
    appeal = advance(make_appeal(), personas, "replied")
    appeal = services.callback(appeal, by=personas.supervisor, satisfaction="dissatisfied", solved=False)
    auto, _ = orders.open_order(appeal, reason="overdue", by=None)
    services.close(appeal, by=personas.supervisor, reason="群众诉求超出政策范围，已解释")
    auto.refresh_from_db()
    assert auto.status != "closed"


def test_automatic_orders_close_when_the_citizen_withdraws_the_appeal(personas):
    appeal = advance(make_appeal(), personas, "accepted")
    auto, _ = orders.open_order(appeal, reason="overdue", by=None)
    manual, _ = orders.open_order(appeal, reason="key", by=personas.supervisor)
    services.withdraw(appeal, by=personas.operator, reason="诉求人来电表示已自行解决")
    auto.refresh_from_db()
    manual.refresh_from_db()
    assert auto.status == "closed" and auto.closed_solved is False and "撤回" in auto.close_reason
    assert manual.status != "closed"  # the person who opened it hears of the withdrawal and decides


def test_the_order_list_filters_by_appeal_number(personas):
    first = advance(make_appeal(content="停水"), personas, "accepted")
    second = advance(make_appeal(content="路灯"), personas, "accepted")
    one, _ = orders.open_order(first, reason="key", by=personas.supervisor)
    two, _ = orders.open_order(second, reason="key", by=personas.supervisor)
    client = Client()
    client.force_login(personas.supervisor)
    page = client.get("/supervision/orders/", {"appeal": first.number}).content.decode()
    assert f"/supervision/orders/{one.pk}/" in page and f"/supervision/orders/{two.pk}/" not in page
    assert f'value="{first.number}"' in page


def test_an_appeals_orders_and_callback_tasks_are_in_its_api_record(personas):
    from jishiban.supervision.tests.test_api import SupervisionClient

    api = SupervisionClient()
    appeal = advance(make_appeal(), personas, "replied")
    order, _ = orders.open_order(appeal, reason="key", by=personas.supervisor)
    record = api.get(f"/appeals/{appeal.number}", user=personas.supervisor)
    assert record.status_code == 200, record.content
    body = record.json()
    assert [o["id"] for o in body["orders"]] == [order.pk] and len(body["callback_tasks"]) == 1
    unit = api.get(f"/appeals/{appeal.number}", user=personas.handler).json()
    assert [o["id"] for o in unit["orders"]] == [order.pk] and unit["callback_tasks"] == []
    assert api.get(f"/appeals/{appeal.number}", user=personas.other_handler).status_code == 404
    other = advance(make_appeal(content="路灯不亮"), personas, "accepted")
    orders.open_order(other, reason="key", by=personas.supervisor)
    found = api.get(f"/orders?appeal={appeal.number}", user=personas.supervisor).json()
    assert [o["id"] for o in found] == [order.pk]
