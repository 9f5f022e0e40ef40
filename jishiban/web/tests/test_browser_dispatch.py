"""Dispatch in seconds, in a real browser: a dispatcher from the workbench home opens an appeal,
finds a unit by pinyin initials, picks lead and co-handler chips, sees why each unit is
suggested (the responsibility meeting behind it), dispatches and sees the appeal's number
confirmed — no URL typed; a county dispatcher is not offered a city department. Same fixtures
and policy checks as ``test_browser``."""

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


def _meeting_decision():
    """A responsibility meeting decided that 停水 in 任城区 goes to 济宁水务集团 with 市城乡水务局."""
    from django.utils import timezone

    from jishiban.organisations.models import Organisation
    from jishiban.regions.models import Region
    from jishiban.supervision.models import DispatchDecision, Meeting
    from jishiban.taxonomy.models import Category

    meeting = Meeting.objects.create(title="2026年第3次攻坚月度会商", date=timezone.localdate(), place="市中心三楼会议室",
                                     status="held")
    decision = DispatchDecision.objects.create(
        category=Category.objects.get(code="020101"), county=Region.objects.get(code="370811"),
        lead_unit=Organisation.objects.get(code="ent-water"), legal_basis="《济宁市城市供水条例》第十二条",
        meeting=meeting, valid_from=timezone.localdate())
    decision.co_units.set([Organisation.objects.get(code="city-water")])
    return meeting, decision


def test_dispatcher_picks_lead_and_co_handler_by_pinyin_and_dispatches(live_server, browser, world):
    from jishiban.appeals.models import Appeal
    from jishiban.organisations.models import Organisation
    from jishiban.testing import make_appeal

    meeting, decision = _meeting_decision()
    appeal = make_appeal(content="幸福小区3号楼停水两天，家里有老人")
    housing = Organisation.objects.get(code="370811-housing")
    page = _page(browser)
    _login(page, live_server.url, "dispatcher")
    assert page.url.endswith("/dispatch/")  # the dispatcher's home is the queue
    _submit(page, f"text={appeal.number}")

    picker = page.locator("#act-dispatch-form [data-unit-picker]")
    # The meeting's decision is suggested first, with its source and a link to the decision.
    first = picker.locator("[role=option]").first
    assert first.get_attribute("data-unit") == str(Organisation.objects.get(code="ent-water").pk)
    why = first.locator(".option-why").inner_text()
    assert meeting.title in why and f"会商决定 #{decision.pk}" in why
    assert first.locator(f"a[href$='?id={decision.pk}']").is_visible()
    # The suggestion is preset: lead 济宁水务集团, co-handler 市城乡水务局, as chips.
    assert "济宁水务集团" in picker.locator("[data-chip=lead]").inner_text()
    assert "济宁市城乡水务局" in picker.locator("[data-chip=co]").inner_text()
    _shot(page, "dispatch-01-suggestions")

    # Remove the suggested co-handler; find 任城区住建局 by its initials and add it by keyboard.
    picker.locator("[data-chip=co] [data-remove]").click()
    assert picker.locator("[data-chip=co]").count() == 0
    search = picker.locator("[data-picker-input]")
    search.fill("zjj")
    page.wait_for_selector(f"#act-dispatch-form [role=option][data-unit='{housing.pk}']")
    assert picker.locator("[role=option]").first.get_attribute("data-unit") == str(housing.pk)
    assert picker.locator("[role=option].is-active").get_attribute("data-unit") == str(housing.pk)
    search.press("ArrowDown")
    search.press("ArrowUp")
    search.press("Enter")  # a lead is chosen already: Enter adds a co-handler
    assert "任城区住房和城乡建设局" in picker.locator("[data-chip=co]").inner_text()
    assert page.url.endswith(f"/appeals/{appeal.pk}/")  # Enter picked, it did not submit
    _shot(page, "dispatch-02-chips")

    _submit(page, "#act-dispatch-form button[type=submit]")
    messages = page.inner_text(".messages")
    assert f"{appeal.number} 已派至 济宁水务集团（协办：任城区住房和城乡建设局）" in messages
    assert page.url.endswith("/dispatch/?tab=received")  # the queue is empty now: back to it
    _shot(page, "dispatch-03-confirmed")
    appeal = Appeal.objects.get(pk=appeal.pk)
    assert appeal.status == "dispatched" and appeal.lead_unit.code == "ent-water"
    assert [u.code for u in appeal.co_units.all()] == ["370811-housing"]
    event = appeal.events.get(action="dispatch")
    assert meeting.title in event.payload["explanation"]  # the suggestion's lead was kept, so is its reason
    assert not _problems(page), _problems(page)


def test_county_dispatcher_is_not_offered_a_city_department(live_server, browser, world):
    from jishiban.organisations.models import Organisation
    from jishiban.testing import make_appeal

    appeal = make_appeal(content="小区楼道墙皮脱落，物业不管", category="0101")
    page = _page(browser)
    _login(page, live_server.url, "county_rencheng")
    _submit(page, "nav.mainnav a:has-text('派单')")
    _submit(page, f"text={appeal.number}")
    picker = page.locator("#act-dispatch-form [data-unit-picker]")
    search = picker.locator("[data-picker-input]")
    search.fill("市住建局")
    page.wait_for_selector("#act-dispatch-form .picker-empty")
    assert "没有找到与“市住建局”相符的可派单位" in picker.inner_text()
    search.fill("zjj")
    own = Organisation.objects.get(code="370811-housing")
    page.wait_for_selector(f"#act-dispatch-form [role=option][data-unit='{own.pk}']")
    offered = picker.locator("[role=option]").evaluate_all("els => els.map(e => e.dataset.name)")
    assert "任城区住房和城乡建设局" in offered and "济宁市住房和城乡建设局" not in offered
    assert not any(name.startswith(("兖州", "济宁市")) for name in offered)
    _shot(page, "dispatch-04-county-picker")
    assert not _problems(page), _problems(page)


def test_after_dispatch_the_dispatcher_is_on_the_next_appeal_of_the_queue(live_server, browser, world):
    from jishiban.appeals.models import Appeal
    from jishiban.testing import make_appeal

    first = make_appeal(content="光明小区路灯不亮一周")
    second = make_appeal(content="幸福路井盖缺失，夜间危险")
    page = _page(browser)
    _login(page, live_server.url, "dispatcher")
    _submit(page, f"main a:has-text('{first.number}')")
    page.fill("#act-dispatch-form [data-picker-input]", "cxsw")  # 市城乡水务局 by its pinyin initials
    page.wait_for_selector(f"#act-dispatch-form [role=option][data-unit='{world.water.pk}']")
    page.click(f"#act-dispatch-form [role=option][data-unit='{world.water.pk}'] [data-pick=lead]")
    _submit(page, "#act-dispatch-form button[type=submit]")
    # Confirmed with the number, and the next appeal of the queue is open with a fresh dispatch form.
    assert f"{first.number} 已派至 济宁市城乡水务局" in page.inner_text(".messages")
    assert page.url.endswith(f"/appeals/{second.pk}/")
    assert second.number in page.inner_text("h1")
    assert page.locator("#act-dispatch[open]").count() == 1
    assert "济宁市城乡水务局" not in page.locator("#act-dispatch-form [data-chip=lead]").all_inner_texts()
    _shot(page, "dispatch-05-next-in-queue")
    assert Appeal.objects.get(pk=first.pk).status == "dispatched"
    # The confirmation's link opens the dispatched appeal again.
    _submit(page, f".messages a:has-text('{first.number}')")
    assert page.url.endswith(f"/appeals/{first.pk}/") and "已派单" in page.inner_text(".chips")
    assert not _problems(page), _problems(page)
