"""From the appeal page in a real browser: a supervisor urges the unit and the unit sees it; a
leader writes an instruction and the supervisor and the unit see the order; the callback desk
calls three appeals through one after another."""

from pathlib import Path

import pytest

from jishiban.web.tests.test_browser import (  # noqa: F401
    CHROMIUM,
    _login,
    _logout,
    _page,
    _problems,
    _shot,
    _submit,
    browser,
    world,
)

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed at /usr/bin/chromium")]


def _open_from_list(page, number):
    _submit(page, "header nav a:has-text('查询')")
    _submit(page, f"main a:has-text('{number}')")


def test_urge_and_leaders_instruction_reach_the_unit(live_server, browser, world):  # noqa: F811
    from jishiban.supervision.models import Reason, SupervisionOrder
    from jishiban.testing import advance, make_appeal

    world.leader.first_name = "王市长"
    world.leader.save()
    appeal = advance(make_appeal(), world, "accepted")
    base = live_server.url
    page = _page(browser)

    _login(page, base, "supervisor")
    _open_from_list(page, appeal.number)
    page.fill("#urge-text", "群众再次来电催问，请今日内答复")
    _submit(page, "#urge-form button[type=submit]")
    assert "已催办" in page.inner_text(".messages")
    assert "群众再次来电催问" in page.inner_text("#supervision")
    _logout(page)

    _login(page, base, "dept_water")
    _submit(page, f"main a:has-text('{appeal.number}')")
    assert "群众再次来电催问，请今日内答复" in page.inner_text("#supervision")
    assert not page.query_selector("#urge-form")
    _shot(page, "seat-03-unit-sees-urging")
    _logout(page)

    _login(page, base, "leader")
    _open_from_list(page, appeal.number)
    page.click("#supervision summary:has-text('领导批示')")
    page.fill("#ins-text", "请水务局立即核查，确保群众正常用水")
    _submit(page, "#instruct-form button[type=submit]")
    order = SupervisionOrder.objects.get(appeal=appeal, reason=Reason.LEADER)
    assert order.instructed_by == "王市长"
    assert "王市长批示：请水务局立即核查" in page.inner_text("#supervision")
    _logout(page)

    for who in ("supervisor", "dept_water"):
        _login(page, base, who)
        if who == "supervisor":
            _open_from_list(page, appeal.number)
        else:
            _submit(page, f"main a:has-text('{appeal.number}')")
        panel = page.inner_text("#supervision")
        assert f"督办单 #{order.pk}" in panel and "请水务局立即核查，确保群众正常用水" in panel
        _shot(page, f"seat-04-{who}-sees-instruction")
        _logout(page)
    assert _problems(page) == []


def test_batch_callback_of_three_appeals(live_server, browser, world):  # noqa: F811
    from jishiban.appeals.models import Appeal
    from jishiban.knowledge import services as knowledge
    from jishiban.testing import advance, make_appeal

    knowledge.create_phrase(purpose="callback", text="群众表示满意。")
    appeals = [advance(make_appeal(citizen_phone=f"1391234100{i}"), world, "replied") for i in range(3)]
    base = live_server.url
    page = _page(browser)
    _login(page, base, "supervisor")
    _submit(page, "header nav a:has-text('回访')")
    _submit(page, "main a:has-text('逐件回访')")
    for i in range(3):
        assert f"共 {3 - i} 件待回访" in page.inner_text("[data-batch-progress]")
        page.check("#batch-callback input[name=satisfaction][value=satisfied]")
        page.check("#batch-callback input[name=solved][value=yes]")
        page.click("#batch-callback [data-phrase]")
        assert page.input_value("#batch-callback textarea[name=comment]") == "群众表示满意。"
        if i == 0:
            _shot(page, "seat-05-batch-callback")
        _submit(page, "#batch-callback button[type=submit]")
        assert "已记录回访结果" in page.inner_text(".messages")
    assert "已全部回访完毕" in page.inner_text("main")
    assert set(Appeal.objects.filter(pk__in=[a.pk for a in appeals]).values_list("status", flat=True)) == {"closed"}
    assert _problems(page) == []
