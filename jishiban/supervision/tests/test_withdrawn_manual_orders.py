"""A person's supervision order on an appeal the citizen withdrew: its owner is told, and closes it
with one click (关闭督办) from the notice or the order page, the reason prefilled "诉求人已撤回"."""

import pytest
from django.test import Client
from django.urls import reverse

from jishiban.appeals import services
from jishiban.supervision.models import Kind, Notification
from jishiban.supervision.services import orders
from jishiban.testing import advance, make_appeal

pytestmark = pytest.mark.django_db


def _withdrawn_with_orders(personas):
    appeal = advance(make_appeal(), personas, "accepted")
    auto, _ = orders.open_order(appeal, reason="overdue", by=None)
    manual, _ = orders.open_order(appeal, reason="key", by=personas.supervisor)
    services.withdraw(appeal, by=personas.operator, reason="诉求人来电表示已自行解决")
    return appeal, auto, manual


def test_the_owner_of_an_open_manual_order_is_told_with_a_link_to_the_order(personas):
    appeal, auto, manual = _withdrawn_with_orders(personas)
    notes = Notification.objects.filter(user=personas.supervisor, kind=Kind.WITHDRAWN, appeal=appeal)
    assert [n.order_id for n in notes] == [manual.pk]  # the automatic order closed: no notice for it
    note = notes.get()
    assert f"#{manual.pk}" in note.text and "诉求人已撤回" in note.text
    assert note.url.endswith(reverse("supervision:order_detail", args=[manual.pk]))


def test_the_order_page_offers_close_with_the_reason_prefilled_and_one_click_closes_it(personas):
    appeal, auto, manual = _withdrawn_with_orders(personas)
    client = Client()
    client.force_login(personas.supervisor)
    page = client.get(reverse("supervision:order_detail", args=[manual.pk])).content.decode()
    assert "关闭督办" in page and ">诉求人已撤回</textarea>" in page
    response = client.post(reverse("supervision:order_action", args=[manual.pk, "close"]), {"reason": "诉求人已撤回"})
    assert response.status_code == 302
    manual.refresh_from_db()
    assert manual.status == "closed" and manual.close_reason == "诉求人已撤回" and manual.closed_solved is False
    assert "关闭督办" not in client.get(reverse("supervision:order_detail", args=[manual.pk])).content.decode()


def test_the_notice_carries_the_one_click_close_until_the_order_is_closed(personas):
    appeal, auto, manual = _withdrawn_with_orders(personas)
    client = Client()
    client.force_login(personas.supervisor)
    page = client.get(reverse("supervision:notifications")).content.decode()
    action = reverse("supervision:order_action", args=[manual.pk, "close"])
    assert action in page and 'value="诉求人已撤回"' in page
    client.post(action, {"reason": "诉求人已撤回"})
    manual.refresh_from_db()
    assert manual.status == "closed"
    assert action not in client.get(reverse("supervision:notifications")).content.decode()


def test_an_open_appeal_shows_no_withdrawal_close_and_others_may_not_close(personas):
    appeal = advance(make_appeal(), personas, "accepted")
    manual, _ = orders.open_order(appeal, reason="key", by=personas.supervisor)
    client = Client()
    client.force_login(personas.supervisor)
    assert "data-withdrawn-close" not in client.get(reverse("supervision:order_detail", args=[manual.pk])).content.decode()
    services.withdraw(appeal, by=personas.operator)
    outsider = Client()
    outsider.force_login(personas.other_handler)
    outsider.post(reverse("supervision:order_action", args=[manual.pk, "close"]), {"reason": "诉求人已撤回"})
    manual.refresh_from_db()
    assert manual.status != "closed"
