"""退单审核 in a real browser: the handler asks to return an appeal from the inbox, the dispatcher
rejects it with a reason from the review queue, the handler sees the reason; asked again, the
dispatcher approves and the appeal is back in the dispatch queue."""

from pathlib import Path

import pytest

from .test_browser import CHROMIUM, _login, _logout, _page, _problems, _shot, _submit, browser, world  # noqa: F401

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed at /usr/bin/chromium")]
REASON = "该小区供水由物业自建管网负责，非本局职责"
REJECTION = "经核实管网已移交水务局管理，属本单位职责，请签收办理"


def _ask_return(page, base, appeal, *, signed_in=False):
    if not signed_in:
        _login(page, base, "dept_water")
    page.goto(f"{base}/inbox/")
    card = page.locator("article", has_text=appeal.number)
    card.locator("summary", has_text="申请退单").click()
    card.locator("textarea[name=reason]").fill(REASON)
    _submit(page, f"article:has-text('{appeal.number}') button:has-text('提交退单申请')")
    assert "退单待审" in page.inner_text("main")


def _review(page, base, appeal, *, approve: bool):
    _login(page, base, "dispatcher")
    page.goto(f"{base}/returns/")
    assert "退单审核" in page.inner_text("nav.mainnav")
    row = page.locator("table.list tbody tr", has_text=appeal.number)
    assert REASON in row.inner_text()
    _shot(page, f"return-review-queue-{'approve' if approve else 'reject'}")
    _submit(page, f"table.list tbody tr:has-text('{appeal.number}') a")
    form = page.locator("#act-reject-return")
    if not form.evaluate("el => el.open"):
        form.locator("summary").click()
    if approve:
        form.locator("input[name=approve][value=yes]").check()
    else:
        form.locator("input[name=approve][value=no]").check()
        _submit(page, "#act-reject-return-form button[type=submit]")  # no reason: refused, nothing written
        assert "请填写驳回理由" in page.inner_text("main")
        form = page.locator("#act-reject-return")
        assert form.evaluate("el => el.open")
        form.locator("input[name=approve][value=no]").check()
        form.locator("textarea[name=reason]").fill(REJECTION)
    _submit(page, "#act-reject-return-form button[type=submit]")
    _shot(page, f"return-review-done-{'approve' if approve else 'reject'}")


def test_handler_asks_reviewer_rejects_with_reason_then_approves(live_server, browser, world):  # noqa: F811
    from jishiban.appeals.models import Appeal
    from jishiban.testing import advance, make_appeal

    appeal = advance(make_appeal(title="小区停水两天", content="小区停水两天无人处理"), world, "dispatched")
    base, page = live_server.url, _page(browser)

    _ask_return(page, base, appeal)
    _logout(page)
    _review(page, base, appeal, approve=False)
    assert "已派单" in page.inner_text("main")
    _logout(page)

    _login(page, base, "dept_water")
    page.goto(f"{base}/appeals/{appeal.pk}/")
    text = page.inner_text("main")
    assert "驳回退单" in text and REJECTION in text
    _shot(page, "return-review-handler-sees-rejection")
    assert Appeal.objects.get(pk=appeal.pk).status == "dispatched"
    _ask_return(page, base, appeal, signed_in=True)
    _logout(page)

    _review(page, base, appeal, approve=True)
    assert "已退单" in page.inner_text("main")
    page.goto(f"{base}/dispatch/?tab=returned")
    assert appeal.number in page.inner_text("main")
    _shot(page, "return-review-back-in-dispatch")
    assert Appeal.objects.get(pk=appeal.pk).status == "returned"
    assert _problems(page) == []
