"""A handling unit finds the supervision order against it from the menu, in a real browser:
the menu's count, the order's mark and deadline in the inbox, the order on the appeal's page,
then the unit's response. Same fixtures and policy checks as ``test_browser``."""

from jishiban.web.tests.test_browser import (
    _login,
    _page,
    _problems,
    _shot,
    _submit,
    browser,
    pytestmark,
    world,
)

__all__ = ["browser", "pytestmark", "world"]


def test_handler_finds_the_supervision_order_from_the_menu(live_server, browser, world):
    from jishiban.core.dates import when
    from jishiban.supervision.models import SupervisionOrder
    from jishiban.supervision.services import orders
    from jishiban.testing import advance, make_appeal

    appeal = advance(make_appeal(content="幸福小区停水三天，老人无法做饭"), world, "accepted")
    order, _ = orders.open_order(appeal, reason="key", by=world.supervisor, requirement="三日内恢复供水并反馈")
    page = _page(browser)
    _login(page, live_server.url, "dept_water")
    assert page.url.endswith("/inbox/")

    # The menu says something waits; the inbox marks the appeal with the order's deadline.
    badge = page.locator("nav.mainnav a", has_text="督查督办").locator(".badge")
    assert badge.is_visible() and int(badge.inner_text().split()[0][:1]) >= 1
    mark = page.locator("article.inbox-item a.chip", has_text="督办")
    assert when(order.deadline) in mark.inner_text()
    _shot(page, "unit-orders-inbox")

    # The appeal's page shows the order; from there to the order and the response.
    _submit(page, f"article.inbox-item h2 a:has-text('{appeal.number}')")
    assert "督办与回访" in page.inner_text("main") and "三日内恢复供水并反馈" in page.inner_text("main")
    _submit(page, "#supervision a:has-text('督办单')")
    assert page.url.endswith(f"/supervision/orders/{order.pk}/")
    page.fill("textarea[name=text]", "已更换主管道，当日恢复供水")
    _submit(page, "button:has-text('提交反馈')")
    assert SupervisionOrder.objects.get(pk=order.pk).status == "responded"

    # And from the menu alone: 督查督办 → 督办单 lists it.
    _submit(page, "nav.mainnav a:has-text('督查督办')")
    _submit(page, "nav.subnav a:has-text('督办单')")
    assert appeal.number in page.inner_text("main")
    _shot(page, "unit-orders-list")
    assert _problems(page) == []
