"""Analysts and leaders walk from the figures to the appeals behind them in a real browser
(Debian's chromium through Playwright), under the Content-Security-Policy."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from jishiban.web.tests.test_browser import CHROMIUM, _login, _logout, _page, _problems, browser, world  # noqa: F401

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed at /usr/bin/chromium")]
FILLED_AT = datetime(2026, 11, 20, 12, tzinfo=ZoneInfo("Asia/Shanghai"))


def _walk(page, base, username) -> list[str]:
    """Sign in, open September's figures, click the intake number; the appeal numbers listed."""
    _login(page, base, username)
    page.goto(f"{base}/analytics/?start=2026-09-01&end=2026-09-30&group=county")
    page.wait_for_load_state("networkidle")
    page.wait_for_selector("#analytics-chart canvas", state="attached")
    assert "统计分析" in page.inner_text("nav.mainnav")
    with page.expect_navigation():
        page.click("[data-metric=intake] b a")
    page.wait_for_load_state("networkidle")
    return [t.strip() for t in page.locator("table.list tbody td:first-child a").all_inner_texts()]


def test_leader_and_county_staff_walk_from_figures_to_appeals(live_server, browser, world):  # noqa: F811
    from jishiban.analytics import rollup
    from jishiban.appeals.models import Appeal

    from .histories import make_history

    make_history(world, n=20)
    rollup.fill(now=FILLED_AT)
    base, page = live_server.url, _page(browser)

    numbers = _walk(page, base, "leader")
    assert set(numbers) == set(Appeal.objects.values_list("number", flat=True)) and len(numbers) == 20
    with page.expect_navigation():
        page.click("table.list tbody td:first-child a >> nth=0")
    assert numbers[0] in page.inner_text("main")
    _logout(page)

    own = _walk(page, base, "county_rencheng")
    assert set(own) == set(Appeal.objects.filter(county__code="370811").values_list("number", flat=True))
    assert own and len(own) < len(numbers)
    assert _problems(page) == []
