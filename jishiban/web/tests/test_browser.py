"""The closed loop in a real browser (Debian's chromium through Playwright).

Operator takes a call → dispatcher dispatches → dept_water signs and replies → supervisor does
the callback → the appeal is closed; a handler of another unit gets 404 on its URL. Screenshots
go to ``test-artifacts/screenshots/``.

Every page runs under the Content-Security-Policy (no inline script or style): each page the
tests open records the policy's violations and JavaScript errors, and a test fails on any.
"""

from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "pw-for-tests-only"
SHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed at /usr/bin/chromium"),
]


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls made here are still
    # synchronous, so Django's async-safety check is lifted for this test only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def world(transactional_db, browser):
    from django.db import connections

    from jishiban.testing import Personas, reseed_after_flush

    # Transactional tests run last and each ends with a flush: put back channels, holidays and
    # the reference data the earlier ones removed.
    reseed_after_flush()
    yield Personas()
    # Inside Playwright's sync API the ORM runs in another context (greenlet) than pytest-django's
    # own set-up; close what this context opened, or PostgreSQL keeps a session that stops the
    # test database from being dropped.
    connections.close_all()


# Injected by Playwright before any page script (not subject to the page's policy).
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " @" + e.sourceFile + ":" + e.lineNumber);
});
"""


def _page(browser, width=1366, height=768):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    context.set_default_timeout(10000)
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(f"console: {m.text}")
            if m.type == "error" and "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: page.problems.append(f"script error: {e}"))
    return page


def _problems(page) -> list[str]:
    """The policy violations and script errors of the page shown now and those before it."""
    try:
        seen = page.evaluate("window.__csp || []")
    except Exception:  # the page is navigating
        seen = []
    return page.problems + [f"{page.url}: {v}" for v in seen]


def _login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    _submit(page, "main button[type=submit]")


def _logout(page):
    _submit(page, "header form[action='/accounts/logout/'] button")
    assert page.url.endswith("/accounts/login/")


def _shot(page, name, full_page=True):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def _submit(page, selector=None, key=None):
    """Click ``selector`` (or press ``key``) and wait for the page it loads."""
    page.problems.extend(f"{page.url}: {v}" for v in page.evaluate("window.__csp || []"))
    with page.expect_navigation():
        if key:
            page.keyboard.press(key)
        else:
            page.click(selector)
    page.wait_for_load_state("networkidle")


def _pick_category(page, words, code):
    """Keyboard only: Enter in the desk's category search moves to the first result, Enter picks it."""
    page.fill("#category-search", words)
    page.wait_for_selector(f"#category-results [data-pick-category='{code}']")
    page.press("#category-search", "Enter")
    page.keyboard.press("Enter")
    assert words in page.inner_text("[data-category-chosen]")


def test_closed_loop_in_the_browser(live_server, browser, world):
    from jishiban.appeals.models import Appeal

    base = live_server.url
    page = _page(browser)

    # 1. The operator takes the call; the draft survives a reload on the way.
    _login(page, base, "operator")
    assert page.url.endswith("/intake/")
    page.fill("#id_citizen_phone", "13812345678")
    page.fill("#id_content", "幸福小区3号楼从昨天开始停水，至今没有恢复，家里有老人")
    page.reload()
    assert page.input_value("#id_content").startswith("幸福小区3号楼")
    assert page.input_value("#id_citizen_phone") == "13812345678"
    page.fill("#id_citizen_name", "王五")
    page.select_option("#id_appeal_type", "help")
    _pick_category(page, "停水", "020101")
    assert page.evaluate("document.activeElement.id") == "id_address"
    page.fill("#id_address", "任城区幸福小区3号楼")
    page.select_option("#id_county", "370811")
    page.wait_for_load_state("networkidle")
    _shot(page, "01-operator-intake")
    page.focus("#id_content")
    _submit(page, key="Control+Enter")
    appeal = Appeal.objects.get()
    assert appeal.status == "received" and appeal.category.code == "020101"
    assert appeal.number in page.inner_text(".messages")
    assert page.input_value("#id_content") == ""  # the draft was cleared on success
    _logout(page)

    # 2. The dispatcher sends it to 市城乡水务局.
    _login(page, base, "dispatcher")
    assert appeal.number in page.inner_text("main")
    _shot(page, "02-dispatcher-queue")
    _submit(page, f"text={appeal.number}")
    # The unit picker: find 市城乡水务局 by its pinyin initials and make it the lead.
    page.fill("#act-dispatch-form [data-picker-input]", "cxsw")
    page.wait_for_selector(f"#act-dispatch-form [role=option][data-unit='{world.water.pk}']")
    page.click(f"#act-dispatch-form [role=option][data-unit='{world.water.pk}'] [data-pick=lead]")
    _submit(page, "#act-dispatch-form button[type=submit]")
    # Confirmed, and on to the next of the queue: here it was the only one, so the empty queue.
    assert f"{appeal.number} 已派至 济宁市城乡水务局" in page.inner_text(".messages")
    assert page.url.endswith("/dispatch/?tab=received") and "队列为空" in page.inner_text("main")
    _submit(page, f".messages a:has-text('{appeal.number}')")  # the appeal again, from the confirmation
    appeal.refresh_from_db()
    assert appeal.status == "dispatched" and appeal.lead_unit == world.water
    # 市城乡水务局 was chosen over the suggested county unit: the suggestion's reason is not kept.
    assert appeal.events.get(action="dispatch").payload["explanation"] == ""
    _shot(page, "03-dispatched-detail")
    _logout(page)

    # 3. dept_water signs in the inbox and replies on the detail page.
    _login(page, base, "dept_water")
    assert page.url.endswith("/inbox/")
    _shot(page, "04-handler-inbox")
    _submit(page, "form[action$='/act/accept/'] button")
    appeal.refresh_from_db()
    assert appeal.status == "accepted"
    _submit(page, "a[href$='#act-reply']")
    page.check("#act-reply-form input[name=result_type][value=solved]")
    page.fill("#act-reply-form textarea[name=text]", "已安排维修人员抢修管道，现已恢复供水")
    _shot(page, "05-handler-reply")
    _submit(page, "#act-reply-form button[type=submit]")
    appeal.refresh_from_db()
    assert appeal.status == "replied"
    _logout(page)

    # 4. The supervisor calls the citizen back; satisfied, so the appeal closes.
    _login(page, base, "supervisor")
    page.goto(f"{base}/callbacks/")
    form = f"#callback-{appeal.pk}"
    page.check(f"{form} input[name=satisfaction][value=satisfied]")
    page.check(f"{form} input[name=solved][value=yes]")
    page.fill(f"{form} textarea[name=comment]", "群众表示满意")
    _shot(page, "06-supervisor-callback")
    _submit(page, f"{form} button[type=submit]")
    appeal.refresh_from_db()
    assert appeal.status == "closed"
    page.goto(f"{base}/appeals/{appeal.pk}/")
    assert "已办结" in page.inner_text(".page-head")
    assert "138****5678" in page.inner_text("#phone-value")
    page.click("text=查看完整号码")
    page.wait_for_selector("#phone-value a.revealed")
    assert "13812345678" in page.inner_text("#phone-value")
    assert not page.is_visible("text=查看完整号码")
    timeline = page.inner_text(".timeline")
    for step in ("受理", "派单", "签收", "答复", "回访", "办结"):
        assert step in timeline
    _shot(page, "07-closed-detail")
    _shot(page, "07-closed-detail-1366x768", full_page=False)
    page.goto(f"{base}/dashboard/")
    page.wait_for_function("document.querySelector('#chart-trend canvas') !== null")
    page.hover("#chart-trend canvas")  # a tooltip (drawn on the canvas: no inline style)
    _shot(page, "08-dashboard")
    assert _problems(page) == []
    page.context.close()

    # 5. Another unit's handler guessing the URL gets 404; a phone-size look at the detail.
    other = _page(browser)
    _login(other, base, "dept_urban")
    response = other.goto(f"{base}/appeals/{appeal.pk}/")
    assert response.status == 404
    other.context.close()
    phone = _page(browser, 390, 844)
    _login(phone, base, "dept_water")
    phone.goto(f"{base}/appeals/{appeal.pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(phone, "09-detail-phone")
    phone.context.close()


SKIP = ("/accounts/logout/", "/i18n/", "/static/", "/media/", "/admin/", "/api/", "/open311/")


def _shape(path: str) -> str:
    """``/appeals/12/`` and ``/appeals/34/`` are one page to check."""
    import re

    return re.sub(r"/\d+(?=/|$)", "/N", path)


def _visit_all(page, base, start_paths, seen, limit=60) -> list[str]:
    """Open every same-site page reachable from ``start_paths`` by links (one visit per page
    shape, downloads and other areas left out); returns the policy problems found."""
    from urllib.parse import urldefrag, urlsplit

    todo = list(start_paths)
    while todo and len(seen) < limit:
        path = todo.pop(0)
        if _shape(path) in seen:
            continue
        seen.add(_shape(path))
        response = page.goto(base + path)
        assert response.status < 500, (path, response.status)
        assert "script-src 'self'" in (response.headers.get("content-security-policy") or ""), path
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            url = urlsplit(urldefrag(href)[0])
            if url.netloc and base.split("//", 1)[1] != url.netloc:
                continue
            if (url.path.startswith("/") and not url.path.startswith(SKIP) and not url.path.endswith((".csv", ".xlsx"))
                    and "/attachments/" not in url.path and _shape(url.path) not in seen):
                todo.append(url.path)
    return _problems(page)


def test_every_page_works_under_the_content_security_policy(live_server, browser, world):
    from jishiban.testing import advance, make_appeal

    base = live_server.url
    for state in ("received", "dispatched", "accepted", "replied", "closed"):
        appeal = make_appeal(content=f"幸福小区供水管道漏水（{state}）")
        appeal.refresh_from_db()  # smart help annotated it after intake
        if state != "received":
            advance(appeal, world, state)
    seen: set[str] = set()
    problems: list[str] = []
    # The roles whose pages differ (the others see subsets of these). A page is visited once, by
    # the first role that reaches it: the supervisor goes first, who sees most of supervision.
    for username in ("supervisor", "operator", "dispatcher", "dept_water", "citizen", "admin"):
        page = _page(browser)
        _login(page, base, username)
        problems += _visit_all(page, base, [urlsplit_path(page.url), "/appeals/", f"/appeals/{appeal.pk}/",
                                            "/accounts/two-factor/"], seen)
        page.context.close()
    assert len(seen) >= 20, sorted(seen)  # the crawl really went round the workbench

    # The admin, the audit log and the API's own documentation page.
    page = _page(browser)
    _login(page, base, "admin")
    for path in ("/admin/", "/admin/appeals/appeal/", f"/admin/appeals/appeal/{appeal.pk}/change/",
                 "/admin/audit/auditevent/", "/admin/audit/loginlockout/", "/admin/accounts/user/",
                 f"/admin/accounts/user/{world.dispatcher.pk}/change/", "/api/v1/docs"):
        response = page.goto(base + path)
        assert response.status == 200, path
    # Swagger UI's own script ran under the policy and drew the operations from the document.
    page.wait_for_selector("#swagger-ui .opblock")
    _shot(page, "10-api-docs")
    problems += _problems(page)

    # The watcher itself: an inline style attribute is refused and seen.
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<b style=\"color:red\">x</b>')")
    page.wait_for_function("window.__csp.length > 0")
    assert any("style-src" in p for p in _problems(page))
    page.context.close()
    assert problems == []


def urlsplit_path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path
