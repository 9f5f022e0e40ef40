"""A supervisor walks one warning through its whole lifecycle in chromium: from the menu to the
list, the warning's page, acknowledge, assign to a unit, one-click supervision order, close."""

import pytest

from jishiban.web.tests.test_browser import (  # the project's Playwright fixtures and helpers
    CHROMIUM,
    _login,
    _page,
    _problems,
    _shot,
    _submit,
    browser,  # noqa: F401 - fixture
    world,  # noqa: F401 - fixture
)

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(),
                                                      reason="chromium is not installed")]


def test_supervisor_walks_a_warning_through_its_lifecycle(live_server, world, browser):  # noqa: F811
    from jishiban.appeals.models import Appeal
    from jishiban.regions.models import Region
    from jishiban.supervision.models import SupervisionOrder
    from jishiban.testing import advance, make_appeal
    from jishiban.warnings import services
    from jishiban.warnings.models import EarlyWarning

    p = world
    fresh = make_appeal(title="工地拖欠农民工工资", content="几十名工人被拖欠工资")
    appeal = advance(Appeal.objects.get(pk=fresh.pk), p, "accepted")  # smart help annotated it after commit
    services.raise_signal(services.Signal(
        kind="risk", key=f"risk:{appeal.pk}", title="风险预警：工地拖欠农民工工资", why="识别到风险：拖欠工资",
        county_id=Region.objects.get(code="370811").pk, appeal_ids=[appeal.pk], observed=1, score=1))
    page = _page(browser)
    base = live_server.url
    _login(page, base, "supervisor")
    _submit(page, "nav a:has-text('预警')")
    _submit(page, "table.list a:has-text('工地拖欠农民工工资')")
    _shot(page, "warning-new")
    # Each step's button swaps the warning's panel in place (htmx): wait for the new state.
    def step(selector, state):
        page.click(selector)
        page.locator("[data-testid=warning-state]", has_text=state).wait_for()

    step("button:has-text('确认预警')", "已确认")
    page.select_option("select[name=unit]", p.water.code)
    step("form[action$='/assign/'] button", "已指派")
    step("button:has-text('一键督办')", "已督办")
    page.fill("textarea[name=note]", "已约谈施工单位，工资已发放")
    step("button:has-text('关闭预警')", "已关闭")
    assert "预警已关闭" in page.inner_text("#warning-panel")
    assert page.locator("a:has-text('#')").count() == 1  # the linked order
    _shot(page, "warning-closed")
    w = EarlyWarning.objects.get()
    assert w.state == "closed" and w.order == SupervisionOrder.objects.get(appeal=appeal)
    assert [e.action for e in w.events.all()] == ["raise", "acknowledge", "assign", "link", "close"]
    assert _problems(page) == []
