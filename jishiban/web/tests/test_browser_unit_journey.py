"""The long journey of one appeal, from the call to its reopening and close, in a real browser.

The operator takes the call → the dispatcher sends it to 市城乡水务局 → the unit signs for it, asks
for more time and, while the request is pending, replies with a photo → the callback finds the
citizen 不满意 → the supervisor decides 重办 → the unit signs again and replies → the callback is
满意 → 办结. Each person starts from their workbench home after login and goes on by clicks only.
Same fixtures and policy checks as ``test_browser``; screenshots in ``test-artifacts/screenshots/``.
"""

from django.utils import timezone

from jishiban.web.tests.test_browser import (
    _login,
    _logout,
    _page,
    _pick_category,
    _problems,
    _shot,
    _submit,
    browser,
    pytestmark,
    world,
)

__all__ = ["browser", "pytestmark", "world"]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _open(page, action):
    """Unfold the action form ``action`` on the appeal's page (a click on its summary)."""
    details = page.locator(f"details#act-{action}")
    if details.get_attribute("open") is None:
        details.locator("summary").click()


def _call_back(page, appeal, satisfaction, *, solved, comment):
    """From the menu to the callback list, and the verdict on ``appeal``'s row."""
    _submit(page, "nav.mainnav a:has-text('回访')")
    form = f"#callback-{appeal.pk}"
    page.check(f"{form} input[name=satisfaction][value={satisfaction}]")
    page.check(f"{form} input[name=solved][value={'yes' if solved else 'no'}]")
    page.fill(f"{form} textarea[name=comment]", comment)
    _submit(page, f"{form} button[type=submit]")


def test_from_the_call_through_an_extension_and_a_reopening_to_the_close(live_server, browser, world):
    from jishiban.appeals.models import Appeal
    from jishiban.testing import working_days_later

    base = live_server.url
    page = _page(browser)

    # 1. The operator takes the call at the call desk (the operator's home).
    _login(page, base, "operator")
    assert page.url.endswith("/intake/")
    page.fill("#id_citizen_phone", "13812345678")
    page.fill("#id_citizen_name", "王五")
    page.fill("#id_content", "光明小区5号楼水管爆裂，整栋楼停水两天了")
    page.select_option("#id_appeal_type", "help")
    _pick_category(page, "停水", "020101")
    page.fill("#id_address", "任城区光明小区5号楼")
    page.select_option("#id_county", "370811")
    page.wait_for_load_state("networkidle")
    page.focus("#id_content")
    _submit(page, key="Control+Enter")
    appeal = Appeal.objects.get()
    assert appeal.number in page.inner_text(".messages")
    _logout(page)

    # 2. The dispatcher finds it in the queue (the dispatcher's home) and sends it to the water bureau.
    _login(page, base, "dispatcher")
    _submit(page, f"main a:has-text('{appeal.number}')")
    page.fill("#act-dispatch-form [data-picker-input]", "cxsw")  # 市城乡水务局 by its pinyin initials
    page.wait_for_selector(f"#act-dispatch-form [role=option][data-unit='{world.water.pk}']")
    page.click(f"#act-dispatch-form [role=option][data-unit='{world.water.pk}'] [data-pick=lead]")
    _submit(page, "#act-dispatch-form button[type=submit]")
    assert f"{appeal.number} 已派至 济宁市城乡水务局" in page.inner_text(".messages")
    appeal.refresh_from_db()
    assert appeal.status == "dispatched" and appeal.lead_unit == world.water
    _logout(page)

    # 3. The unit signs in its inbox, opens the appeal and asks for more time.
    _login(page, base, "dept_water")
    assert page.url.endswith("/inbox/")
    _submit(page, "form[action$='/act/accept/'] button")
    appeal.refresh_from_db()
    assert appeal.status == "accepted"
    _submit(page, f"article.inbox-item h2 a:has-text('{appeal.number}')")
    _open(page, "request-extension")
    asked = timezone.localtime(working_days_later(appeal.reply_deadline, 2))
    page.fill("#act-request-extension-form input[name=new_deadline]", asked.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#act-request-extension-form textarea[name=reason]", "需更换主管道，施工需三天")
    _submit(page, "#act-request-extension-form button[type=submit]")
    appeal.refresh_from_db()
    assert appeal.status == "extension_requested"
    assert "延期申请中" in page.inner_text(".page-head")

    # 4. While the request is pending the unit replies, with a photo of the repair.
    _open(page, "reply")
    page.check("#act-reply-form input[name=result_type][value=solved]")
    page.fill("#act-reply-form textarea[name=text]", "已更换爆裂管段，恢复供水")
    page.set_input_files("#act-reply-form input[name=attachments]",
                         files=[{"name": "修复后.png", "mimeType": "image/png", "buffer": PNG}])
    _shot(page, "journey-01-reply-while-extension-pending")
    _submit(page, "#act-reply-form button[type=submit]")
    appeal.refresh_from_db()
    assert appeal.status == "replied" and appeal.attachments.get().original_name == "修复后.png"
    timeline = page.inner_text(".timeline")
    assert "申请延期" in timeline and "该申请随答复撤回" in timeline and "修复后.png" in timeline
    _shot(page, "journey-02-replied-record")
    _logout(page)

    # 5. The supervisor calls back from the menu: the citizen is not satisfied.
    _login(page, base, "supervisor")
    _call_back(page, appeal, "dissatisfied", solved=False, comment="群众反映水压仍然很低")
    appeal.refresh_from_db()
    assert appeal.status == "callback_done" and appeal.satisfaction == "dissatisfied"

    # 6. … and decides from the list of dissatisfied callbacks: 重办.
    _submit(page, "main a[href='?state=decision']")
    _submit(page, f"tr:has-text('{appeal.number}') a:has-text('处理')")
    page.check("input[name=decision][value=reopen]")
    page.fill("textarea[name=reason]", "水压不足，请彻底解决")
    _shot(page, "journey-03-reopen-decision")
    _submit(page, "form[action$='/decide/'] button[type=submit]")
    appeal.refresh_from_db()
    assert appeal.status == "reopened" and appeal.reopen_count == 1
    _logout(page)

    # 7. The unit signs the reopened appeal and replies again.
    _login(page, base, "dept_water")
    _submit(page, f"article.inbox-item:has-text('{appeal.number}') form[action$='/act/accept/'] button")
    appeal.refresh_from_db()
    assert appeal.status == "accepted"
    _submit(page, f"article.inbox-item h2 a:has-text('{appeal.number}')")
    _open(page, "reply")
    page.check("#act-reply-form input[name=result_type][value=solved]")
    page.fill("#act-reply-form textarea[name=text]", "已加装增压泵，水压恢复正常")
    _submit(page, "#act-reply-form button[type=submit]")
    appeal.refresh_from_db()
    assert appeal.status == "replied"
    _logout(page)

    # 8. The second callback: satisfied and solved, so the appeal closes.
    _login(page, base, "supervisor")
    _call_back(page, appeal, "satisfied", solved=True, comment="群众表示满意")
    appeal.refresh_from_db()
    assert appeal.status == "closed"
    _submit(page, "nav.mainnav a:has-text('回访')")
    _submit(page, "main a[href='?state=done']")
    _submit(page, f"main a:has-text('{appeal.number}')")
    assert "已办结" in page.inner_text(".page-head")
    timeline = page.inner_text(".timeline")
    for step in ("受理", "派单", "签收", "申请延期", "答复", "回访", "重办", "办结"):
        assert step in timeline
    _shot(page, "journey-04-closed-record")
    assert _problems(page) == []
    page.context.close()
