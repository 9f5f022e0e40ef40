"""The town's part of the grid loop in a real browser (chromium at /usr/bin/chromium): the grid
worker (on a 390-px phone) escalates one event to the town and another into 12345; the town's
staff find both in the town inbox (乡镇街道待办), feed back the first and reply to the appeal the
centre gave their unit; the worker's check of that reply fails on site, and the appeal is
reopened (重办) — back in the town's inbox, with the worker's reason on its record."""

from pathlib import Path

import pytest

from jishiban.web.tests.test_browser import CHROMIUM, _login, _page, _problems, _shot, _submit, browser, world

from .conftest import C1, world_file

__all__ = ["browser", "world"]
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed at /usr/bin/chromium"),
]


def _report(page, title, description):
    _submit(page, ".grid-tabs a[href='/grid/report/']")
    page.select_option("#id_kind", "mediation")
    page.fill("#id_title", title)
    page.fill("#id_description", description)
    _submit(page, "#report-form button[type=submit]")


def _count(page, key) -> int:
    return int(page.inner_text(f"#count-{key}"))


def test_town_inbox_feedback_and_a_failed_check_reopens_the_appeal(live_server, browser, world):
    from jishiban.appeals import services as appeals
    from jishiban.appeals.models import Appeal
    from jishiban.grid import services
    from jishiban.grid.models import Grid, GridEvent
    from jishiban.organisations.models import Organisation
    from jishiban.testing import make_user

    services.import_geojson(world_file())
    services.assign_worker(Grid.objects.get(region__code=C1 + "001"), world.grid_worker)
    town_unit = Organisation.objects.get(code="town-370811011")
    make_user("guhuai", "handler", org=town_unit.code, first_name="王街道")
    base = live_server.url

    # 1. On the phone: one event to the town, one into 12345.
    phone = _page(browser, 390, 844)
    phone.context.set_default_timeout(60000)
    _login(phone, base, "grid_worker")
    _report(phone, "邻里漏水纠纷", "3号楼两户因楼上漏水争执，需街道调解")
    _submit(phone, "#act-escalate button[formaction$='/town/']")
    _report(phone, "小区路灯损坏", "幸福小区北门路灯损坏一周，夜间通行不便")
    _submit(phone, "#to-12345")
    town_event = GridEvent.objects.get(title="邻里漏水纠纷")
    escalated = GridEvent.objects.get(title="小区路灯损坏")
    assert (town_event.state, town_event.escalation) == ("dispatched", "town") and escalated.appeal_id
    appeal = Appeal.objects.get(pk=escalated.appeal_id)
    appeals.dispatch(appeal, by=world.dispatcher, lead_unit=town_unit)  # the centre gives it to the town

    # 2. The town's staff: the inbox lists and counts both; feed back the event.
    desk = _page(browser)
    desk.context.set_default_timeout(60000)
    _login(desk, base, "guhuai")
    _submit(desk, "header a[href='/grid/town/']")
    assert (_count(desk, "waiting"), _count(desk, "checking"), _count(desk, "appeals")) == (1, 0, 1)
    assert desk.locator("#town-waiting li").count() == 1 and desk.locator("#town-appeals li").count() == 1
    assert appeal.number in desk.inner_text("#town-appeals")
    _shot(desk, "grid-town-01-inbox")
    _submit(desk, "#town-waiting a")
    desk.fill("#act-feed-back textarea[name=result]", "已组织双方调解，楼上住户维修防水")
    _submit(desk, "#act-feed-back button[type=submit]")
    assert "处理反馈" in desk.inner_text("#event-state")
    _submit(desk, "header a[href='/grid/town/']")
    assert (_count(desk, "waiting"), _count(desk, "checking")) == (0, 1)

    # 3. The town signs and replies to the 12345 appeal from its unit inbox.
    _submit(desk, "header a[href='/inbox/']")
    _submit(desk, "form[action$='/act/accept/'] button")
    _submit(desk, "a[href$='#act-reply']")
    desk.check("#act-reply-form input[name=result_type][value=solved]")
    desk.fill("#act-reply-form textarea[name=text]", "已更换路灯")
    _submit(desk, "#act-reply-form button[type=submit]")
    escalated.refresh_from_db()
    assert escalated.state == "fed_back"

    # 4. On site the lamp is still dark: the worker's check fails → the appeal is reopened.
    _submit(phone, "a[href='/grid/tasks/']")
    phone.locator(f"a[href='/grid/events/{escalated.pk}/']").first.click()
    phone.wait_for_load_state()
    assert phone.inner_text("#event-result") == "已更换路灯"
    phone.check("#act-verify input[name=passed][value=no]")
    phone.fill("#act-verify textarea[name=note]", "夜间查看路灯仍不亮")
    _shot(phone, "grid-town-02-check-fails-phone")
    _submit(phone, "#act-verify button[type=submit]")
    assert "任务处理" in phone.inner_text("#event-state")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(phone, "grid-town-03-rework-phone")
    appeal.refresh_from_db()
    assert (appeal.status, appeal.reopen_count) == ("reopened", 1)

    # 5. Back in the town's inbox as 重办, with the worker's reason on the appeal's record.
    _submit(desk, "header a[href='/grid/town/']")
    assert _count(desk, "appeals") == 1 and "重办" in desk.inner_text("#town-appeals")
    _submit(desk, "#town-appeals a")
    timeline = desk.inner_text(".timeline")
    assert "重办" in timeline and "网格员现场核查未通过：夜间查看路灯仍不亮" in timeline
    _shot(desk, "grid-town-04-reopened-appeal")
    assert _problems(desk) == [] and _problems(phone) == []
    desk.context.close()
    phone.context.close()

