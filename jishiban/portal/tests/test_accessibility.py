"""Accessibility of the citizens' pages on a phone: axe-core (npm, ``node_modules/axe-core``)
finds no serious or critical violation on any page a citizen reaches by clicking — the form,
its error state (the map included), the receipt, the appeal, following, public replies, the
notice, signing in, confirming earlier appeals and "my" page. Skipped when axe-core or chromium is not installed."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings

from jishiban.web.tests.test_browser import CHROMIUM, _page, _problems, _submit, browser, world  # noqa: F401

AXE = Path(django_settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed at /usr/bin/chromium"),
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (npm install)"),
]

RUN = """() => axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
  "best-practice"]}}).then(r => r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
  .map(v => v.id + " (" + v.impact + "): " + v.help + " — " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")))"""


def _violations(page) -> list[str]:
    # Evaluated through the browser's debugging protocol, so the page's script policy (no inline
    # script) does not apply to the checker, and the page itself stays exactly as served.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    return [f"{page.url}: {v}" for v in page.evaluate(RUN)]


def test_portal_pages_have_no_serious_accessibility_violations(live_server, browser, world, settings):  # noqa: F811
    settings.JISHIBAN = {**settings.JISHIBAN, "PORTAL": {"SHOW_CODES": True}}
    base = live_server.url
    page = _page(browser, 360, 740)
    found = []

    page.goto(f"{base}/", timeout=60000)
    page.wait_for_selector("[data-map-canvas][data-drawn]")  # the map drawn, so the check sees it
    found += _violations(page)
    _submit(page, "button.primary")  # nothing filled in: the error summary and the marked fields
    assert page.locator(".error-box").count() == 1
    found += _violations(page)

    page.check("input[name=appeal_type][value=suggestion]")
    page.fill("#id_content", "建议在古槐路公交站加装遮阳棚，夏天等车太晒")
    page.fill("#id_address", "任城区古槐路公交站")
    page.fill("#id_name", "赵六")
    page.fill("#id_phone", "13500001234")
    page.check("#id_consent")
    _submit(page, "button.primary")
    found += _violations(page)  # the receipt
    _submit(page, "main a.button")
    found += _violations(page)  # the appeal: timeline, add, withdraw

    for link in ("查询进度", "公开答复"):
        _submit(page, f"header nav >> text={link}")
        found += _violations(page)
    _submit(page, "footer >> text=个人信息保护告知")
    found += _violations(page)

    _submit(page, "header nav >> text=登录")
    found += _violations(page)
    page.fill("#id_phone", "13500001234")
    _submit(page, "text=获取短信验证码")
    page.fill("#id_otp", page.inner_text("[data-otp]"))
    _submit(page, "button.primary")
    assert page.url.endswith("/portal/mine/earlier/")  # the appeal handed in above: "这些是您提交的吗？"
    found += _violations(page)
    page.check("[data-claim] input[name=mine]")
    _submit(page, "[data-claim] button.primary")
    assert page.url.endswith("/portal/mine/")
    found += _violations(page)

    assert not found, "\n".join(found)
    assert not _problems(page)
