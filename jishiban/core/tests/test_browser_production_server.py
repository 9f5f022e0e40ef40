"""The pages in a real browser as production serves them: gunicorn with the production settings,
static files collected at its start and served by WhiteNoise. The other browser tests use
Django's live server, which serves static files its own way. That is how a gunicorn that answered
404 for every script went unnoticed: the workbench's buttons (htmx) and the portal's map (ECharts)
need these files."""

from pathlib import Path

import pytest

from jishiban.web.tests.test_browser import CHROMIUM, _page, _problems, _shot, _submit, browser  # noqa: F401

from .processes import free_port, gunicorn, wait_until_up

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed at /usr/bin/chromium"),
]


def _watch_responses(page) -> list[str]:
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))
    return failed


def test_the_operator_and_a_citizen_on_a_phone_get_every_script_under_gunicorn(scratch, tmp_path, browser):  # noqa: F811
    port = free_port()
    server = gunicorn(scratch, port, tmp_path / "web.log").start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(port, server, timeout=90)
        page = _page(browser)
        failed = _watch_responses(page)
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", "operator")
        page.fill("#id_password", "pw-for-tests-only")
        _submit(page, "main button[type=submit]")
        assert "/accounts/login/" not in page.url, page.url
        assert page.evaluate("typeof window.htmx") == "object"  # the workbench's buttons and lists work
        page.goto(f"{base}/appeals/")
        assert page.evaluate("typeof window.htmx") == "object"
        _shot(page, "production-server-workbench")
        assert not failed, failed
        assert not _problems(page), _problems(page)

        phone = _page(browser, width=360, height=740)
        failed = _watch_responses(phone)
        phone.goto(f"{base}/portal/")
        phone.wait_for_function("typeof window.echarts === 'object'")
        _shot(phone, "production-server-portal-phone")
        assert not failed, failed
        assert not _problems(phone), _problems(phone)
    finally:
        server.stop()
