"""A grid worker's day on a phone (390 × 844) in a real browser: report an event with a photo →
escalate into 12345 → 市城乡水务局 signs and replies → the worker verifies on site with a photo →
the event closes; then a report made offline is kept as a draft and synced when the network
returns, twice, without a second event. Shared helpers and fixtures of the workbench's browser
tests (chromium at /usr/bin/chromium)."""

import json
from pathlib import Path

import pytest

from jishiban.web.tests.test_browser import (
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

from .conftest import C1, world_file

__all__ = ["browser", "world"]
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed at /usr/bin/chromium"),
]
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 200
PHOTO = {"name": "scene.jpg", "mimeType": "image/jpeg", "buffer": JPEG}


def _drafts_become(page, n: int) -> None:
    """Wait until the phone holds ``n`` drafts (polled with ``evaluate``: the page's policy forbids
    the string evaluation ``wait_for_function`` uses)."""
    for _ in range(150):
        if page.evaluate("JSON.parse(localStorage.getItem('jishiban.grid.drafts') || '[]').length") == n:
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"drafts never became {n}")


def _phone(browser):
    page = _page(browser, 390, 844)
    # Intake runs smart help inline in the test settings; its first run loads the text models.
    page.context.set_default_timeout(60000)
    return page


def test_report_escalate_handled_verified_and_offline_drafts(live_server, browser, world):
    from jishiban.appeals.models import Appeal
    from jishiban.grid import services
    from jishiban.grid.models import Grid, GridEvent

    services.import_geojson(world_file())
    services.assign_worker(Grid.objects.get(region__code=C1 + "001"), world.grid_worker)
    base = live_server.url

    # 1. The worker reports a broken manhole cover from the phone, with a photo.
    page = _phone(browser)
    _login(page, base, "grid_worker")
    assert page.url.endswith("/grid/")
    _submit(page, ".grid-tabs a[href='/grid/report/']")
    page.select_option("#id_kind", "urban")
    page.select_option("#id_subject", "part-01")
    page.fill("#id_title", "井盖破损")
    page.fill("#id_description", "古槐路与共青团路口井盖破损，行人易踩空")
    page.fill("#id_lat", "35.415")
    page.fill("#id_lon", "116.565")
    page.set_input_files("#id_photos", PHOTO)
    _shot(page, "grid-01-report-phone")
    _submit(page, "#report-form button[type=submit]")
    event = GridEvent.objects.get()
    assert event.state == "filed" and event.photos.count() == 1
    assert "案卷建立" in page.inner_text("#event-state")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # 2. It cannot be solved on the spot: into 12345.
    page.fill("#act-escalate textarea[name=note]", "需市政部门更换井盖")
    _submit(page, "#to-12345")
    event.refresh_from_db()
    appeal = Appeal.objects.get(channel__code="grid")
    assert event.appeal == appeal and event.state == "dispatched"
    assert page.inner_text("#event-appeal") == appeal.number
    _shot(page, "grid-02-escalated")
    _logout(page)

    # 3. The dispatcher sends it to 市城乡水务局; dept_water signs and replies.
    _login(page, base, "dispatcher")
    _submit(page, f"text={appeal.number}")
    assert "所在网格" in page.inner_text("#grid-card")
    page.fill("#act-dispatch-form [data-picker-input]", "cxsw")  # the unit picker: 市城乡水务局 by its initials
    page.wait_for_selector(f"#act-dispatch-form [role=option][data-unit='{world.water.pk}']")
    page.click(f"#act-dispatch-form [role=option][data-unit='{world.water.pk}'] [data-pick=lead]")
    _submit(page, "#act-dispatch-form button[type=submit]")
    assert f"{appeal.number} 已派至 济宁市城乡水务局" in page.inner_text(".messages")  # and on to the queue
    _logout(page)
    _login(page, base, "dept_water")
    _submit(page, "form[action$='/act/accept/'] button")
    _submit(page, "a[href$='#act-reply']")
    page.check("#act-reply-form input[name=result_type][value=solved]")
    page.fill("#act-reply-form textarea[name=text]", "已更换新井盖并加固")
    _submit(page, "#act-reply-form button[type=submit]")
    event.refresh_from_db()
    assert event.state == "fed_back" and event.result == "已更换新井盖并加固"
    _logout(page)

    # 4. The worker finds the verification task and verifies on site with a photo.
    _login(page, base, "grid_worker")
    _submit(page, "a[href='/grid/tasks/']")
    _shot(page, "grid-03-tasks")
    _submit(page, "text=去核查")
    assert page.inner_text("#event-result") == "已更换新井盖并加固"
    page.check("#act-verify input[name=passed][value=yes]")
    page.fill("#act-verify textarea[name=note]", "现场查看已更换")
    page.set_input_files("#act-verify input[type=file]", PHOTO)
    _submit(page, "#act-verify button[type=submit]")
    event.refresh_from_db()
    assert event.state == "closed" and event.verified_at is not None
    assert "核实结案" in page.inner_text("#event-state")
    _shot(page, "grid-04-closed")

    # 5. Offline: the report is kept on the phone, then synced when the network returns.
    _submit(page, ".grid-tabs a[href='/grid/report/']")
    page.context.set_offline(True)
    page.select_option("#id_kind", "opinion")
    page.fill("#id_title", "居民反映夜间施工噪音")
    page.fill("#id_description", "3号楼旁工地夜间施工，居民休息受影响")
    page.set_input_files("#id_photos", PHOTO)
    page.click("#report-form button[type=submit]")
    _drafts_become(page, 1)
    assert "已保存为草稿" in page.inner_text("#draft-status")
    draft = page.evaluate("localStorage.getItem('jishiban.grid.drafts')")
    _shot(page, "grid-05-offline-draft")
    assert GridEvent.objects.count() == 1
    page.context.set_offline(False)
    _drafts_become(page, 0)
    assert "草稿已同步" in page.inner_text("#draft-status")
    assert GridEvent.objects.count() == 2
    # The answer was lost on the way (the draft is still on the phone): synced again, twice.
    page.evaluate("d => localStorage.setItem('jishiban.grid.drafts', d)", draft)
    page.reload()  # the app opened again: it syncs what the phone holds
    _drafts_become(page, 0)
    assert GridEvent.objects.count() == 2
    # Once more without reopening the app: the network comes back (the ``online`` event) and the
    # phone sends the same draft a third time. (Clicking 立即同步 after a reload races the sync the
    # page starts by itself, which hides the button.)
    page.evaluate("d => localStorage.setItem('jishiban.grid.drafts', d)", draft)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    _drafts_become(page, 0)
    draft_id = json.loads(draft)[0]["fields"]["id"]
    assert GridEvent.objects.count() == 2
    synced = GridEvent.objects.get(pk=draft_id)
    assert synced.title == "居民反映夜间施工噪音" and synced.photos.count() == 1
    assert _problems(page) == []
    page.context.close()

    # 6. The county's map: the city drawn as towns from GeoJSON without tiles; a click on the town
    # drills down to its grids, then to a community.
    desk = _page(browser)
    desk.context.set_default_timeout(60000)
    _login(desk, base, "county_rencheng")
    _submit(desk, "header a[href='/grid/map/']")
    desk.wait_for_selector("#grid-map canvas")
    desk.wait_for_selector("#map-summary[data-level='town'][data-count='1']", state="attached")
    _shot(desk, "grid-06-map-towns")
    box = desk.locator("#grid-map").bounding_box()
    desk.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the town fills the middle
    desk.wait_for_selector("#map-summary[data-level='grid'][data-count='3']", state="attached")
    assert desk.input_value("#map-town") == "370811011"
    desk.select_option("#map-community", C1)
    desk.wait_for_selector("#map-summary[data-count='2']", state="attached")
    _shot(desk, "grid-06-map")
    assert _problems(desk) == []
    desk.context.close()
