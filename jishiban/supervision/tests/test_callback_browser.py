"""In a real browser, from the workbench home by clicks: the one callback list with counts that
agree (filtered, paged, the oversight list alike), a 不满意 verdict under each scheme, the appeal's
one supervision section, and the calendar notice for a dispatcher setting a deadline in a year
without holiday data."""

import re
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


def _tab_count(page, state) -> int:
    return int(re.search(r"（(\d+)）", page.inner_text(f"[data-count={state}]")).group(1))


def test_callback_list_scheme_and_the_appeals_one_section(live_server, browser, world):  # noqa: F811
    from jishiban.appeals.models import Appeal
    from jishiban.supervision.models import DissatisfiedScheme, Preferences
    from jishiban.testing import advance, make_appeal

    prefs = Preferences.current()
    prefs.dissatisfied_scheme = DissatisfiedScheme.REOPEN
    prefs.save()
    appeals = [advance(make_appeal(content=f"小区第{i}次停水", citizen_phone=f"1391234200{i}"), world, "replied")
               for i in range(3)]
    base = live_server.url
    page = _page(browser)
    _login(page, base, "supervisor")  # lands on the workbench home (督办清单)

    _submit(page, "header nav a:has-text('回访')")
    assert _tab_count(page, "pending") == 3 == len(page.query_selector_all("main article.card"))
    assert "共 3 件" in page.inner_text("[data-shown]")
    # the list filter: by number, the tab says what the list shows
    page.fill("#callback-filter input[name=q]", appeals[0].number)
    _submit(page, "#callback-filter button[type=submit]")
    assert _tab_count(page, "pending") == 1 == len(page.query_selector_all("main article.card"))
    _shot(page, "callbacks-01-filtered-list")
    # 不满意 under the scheme 立即重办
    form = f"#callback-{appeals[0].pk}"
    page.check(f"{form} input[name=satisfaction][value=dissatisfied]")
    page.check(f"{form} input[name=solved][value=no]")
    page.fill(f"{form} textarea[name=comment]", "群众反映仍然停水")
    _submit(page, f"{form} button[type=submit]")
    assert "已记录回访结果" in page.inner_text(".messages")
    reopened = Appeal.objects.get(pk=appeals[0].pk)
    assert reopened.status == "reopened" and reopened.reopen_count == 1
    _submit(page, "main a:has-text('清除筛选')")
    assert _tab_count(page, "pending") == 2 == len(page.query_selector_all("main article.card"))

    # the appeal's one section: the callback round, decided 重办, and the actions
    _submit(page, "main a:has-text('已结束')")
    _submit(page, f"main a:has-text('{appeals[0].number}')")
    section = page.inner_text("#supervision")
    assert "督办与回访" in section and "不满意" in section and "重办" in section
    assert page.locator("text=催办督办").count() == 0 and page.locator("#supervision").count() == 1
    page.fill("#urge-text", "重办件请优先处理")
    _submit(page, "#urge-form button[type=submit]")
    assert "重办件请优先处理" in page.inner_text("#supervision")
    _shot(page, "callbacks-02-appeal-one-section")

    # back to the default scheme: 先督办 — the verdict waits, both lists count it alike
    prefs.dissatisfied_scheme = DissatisfiedScheme.SUPERVISE
    prefs.save()
    _submit(page, "header nav a:has-text('回访')")
    form = f"#callback-{appeals[1].pk}"
    page.check(f"{form} input[name=satisfaction][value=basically]")
    page.check(f"{form} input[name=solved][value=no]")
    _submit(page, f"{form} button[type=submit]")
    assert Appeal.objects.get(pk=appeals[1].pk).status == "callback_done"
    assert _tab_count(page, "decision") == 1
    _submit(page, "main a[data-count=decision]")
    assert appeals[1].number in page.inner_text("main table")
    _submit(page, "header nav a:has-text('督办清单')")
    _submit(page, "main nav.tabs a:has-text('不满意/未解决')")
    assert page.inner_text("main nav.tabs a.active .n") == "1" and appeals[1].number in page.inner_text("main")
    _shot(page, "callbacks-03-oversight-agrees")
    _submit(page, f"main a:has-text('{appeals[1].number}')")
    assert "回访不满意" in page.inner_text("#supervision")  # the automatic order of 先督办
    assert _problems(page) == []


def test_dispatcher_is_told_the_deadline_counts_weekends_only(live_server, browser, world):  # noqa: F811
    from django.utils import timezone

    from jishiban.sla.models import CalendarYear
    from jishiban.testing import make_appeal

    CalendarYear.objects.filter(year=timezone.localdate().year).delete()
    appeal = make_appeal(content="路灯不亮")
    base = live_server.url
    page = _page(browser)
    _login(page, base, "dispatcher")  # the dispatch queue
    _submit(page, f"text={appeal.number}")
    page.fill("#act-dispatch-form [data-picker-input]", "cxsw")  # 市城乡水务局 by its pinyin initials
    page.wait_for_selector(f"#act-dispatch-form [role=option][data-unit='{world.water.pk}']")
    page.click(f"#act-dispatch-form [role=option][data-unit='{world.water.pk}'] [data-pick=lead]")
    _submit(page, "#act-dispatch-form button[type=submit]")
    messages = page.inner_text(".messages")
    assert "尚未导入" in messages and "暂按周末计算" in messages and "已派至" in messages
    _submit(page, f".messages a:has-text('{appeal.number}')")  # back to the appeal from the confirmation
    assert "仅按周末计算" in page.inner_text("main")
    _shot(page, "callbacks-04-dispatch-calendar-notice")
    assert _problems(page) == []


def test_leader_instructs_on_a_report_and_the_unit_sees_it(live_server, browser, world):  # noqa: F811
    from django.utils import timezone

    from jishiban.supervision.models import SupervisionOrder

    world.leader.first_name = "王市长"
    world.leader.save()
    month = timezone.localdate().strftime("%Y-%m")
    base = live_server.url
    page = _page(browser)
    _login(page, base, "leader")  # the dashboard
    _submit(page, "header nav a:has-text('统计分析')")
    _submit(page, "main .actions-bar a:has-text('报告')")
    page.select_option("#id_kind", "monthly")
    page.fill("#id_month", month)
    page.select_option("#id_format", "html")  # on the page, not a download
    page.set_default_timeout(60000)  # the month's report is computed on the page (slow on a busy machine)
    _submit(page, "main form button:has-text('生成')")
    page.select_option("#rep-units", str(world.water.pk))
    page.fill("#rep-text", "供水类诉求环比上升，请市水务局逐件分析原因，月底前报送整改方案")
    _submit(page, "#report-instruct-form button[type=submit]")
    assert "领导批示已转为督办单" in page.inner_text(".messages")
    order = SupervisionOrder.objects.get(appeal__isnull=True)
    assert order.target_unit == world.water and order.instructed_by == "王市长"
    section = page.inner_text("#report-instruction")
    assert f"督办单 #{order.pk}" in section and "王市长批示：供水类诉求环比上升" in section
    _shot(page, "callbacks-05-report-instruction")
    _logout(page)

    _login(page, base, "dept_water")  # the unit's inbox
    orders = page.inner_text("#unit-orders")
    assert "报告《" in orders and "领导批示" in orders
    _submit(page, "#unit-orders a:has-text('督办单')")
    main = page.inner_text("main")
    assert "供水类诉求环比上升，请市水务局逐件分析原因" in main and "王市长" in main and "月通报" in main
    _shot(page, "callbacks-06-unit-sees-report-instruction")
    assert _problems(page) == []
