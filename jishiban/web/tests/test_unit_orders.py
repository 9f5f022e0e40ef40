"""A handling unit finds the supervision orders against it without typing a URL: a count on the
menu entry, a mark with the order's deadline in its inbox, and the order on the appeal's page."""

import pytest
from django.utils import timezone

from jishiban.core.dates import when
from jishiban.supervision.services import orders
from jishiban.testing import advance, make_appeal
from jishiban.web.navigation import nav_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervised(personas):
    appeal = advance(make_appeal(content="幸福小区停水三天"), personas, "accepted")
    order, _created = orders.open_order(appeal, reason="key", by=personas.supervisor, requirement="三日内恢复供水")
    return appeal, order


def test_the_menu_counts_the_orders_waiting_for_the_unit(personas, supervised):
    entry = next(e for e in nav_for(personas.handler) if e["key"] == "supervision")
    assert entry["badge"] >= 1 and "督办单 1 件" in entry["badge_title"]
    other = next(e for e in nav_for(personas.other_handler) if e["key"] == "supervision")
    assert "badge" not in other


def test_the_inbox_marks_the_supervised_appeal_with_the_order_deadline(login, personas, supervised):
    appeal, order = supervised
    page = login(personas.handler).get("/inbox/").content.decode()
    assert f"/supervision/orders/{order.pk}/" in page
    assert "督办单待反馈" in page and when(order.deadline) in page
    assert f"/supervision/orders/{order.pk}/" not in login(personas.other_handler).get("/inbox/").content.decode()


def test_the_appeal_page_shows_its_orders_to_the_unit_and_the_supervisor(login, personas, supervised):
    appeal, order = supervised
    for user in (personas.handler, personas.supervisor):
        page = login(user).get(f"/appeals/{appeal.pk}/").content.decode()
        assert "督办与回访" in page and f"/supervision/orders/{order.pk}/" in page
        assert "三日内恢复供水" in page and when(order.deadline) in page
    assert timezone.is_aware(order.deadline)
