"""A jump to a section of a page lands below the sticky top bar, on a desk and on a phone: the
supervisor urges a unit (the page comes back at #supervision) and the handler opens 答复 from the
inbox (#act-reply); each time the section's top is below the bar's bottom."""

import pytest

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

SIZES = {"desk": (1366, 768), "phone": (390, 844)}
LONG = "\n".join(f"第{i}点：小区供水管道老化，楼道内多处渗漏，居民多次反映未解决。" for i in range(1, 41))


def _landing(page, selector: str) -> dict:
    return page.evaluate("""(sel) => {
        const bar = document.querySelector(".topbar").getBoundingClientRect();
        const box = document.querySelector(sel).getBoundingClientRect();
        return {bar: bar.bottom, top: box.top, scrolled: window.scrollY,
                sticky: getComputedStyle(document.querySelector(".topbar")).position};
    }""", selector)


@pytest.mark.parametrize("size", SIZES)
def test_jumps_to_a_section_land_below_the_sticky_header(live_server, browser, world, size):
    from jishiban.testing import advance, make_appeal

    appeal = advance(make_appeal(content=LONG), world, "accepted")
    base = live_server.url
    page = _page(browser, *SIZES[size])

    _login(page, base, "supervisor")
    _submit(page, "header nav a:has-text('查询')")
    _submit(page, f"main a:has-text('{appeal.number}')")
    page.fill("#urge-text", "请今日内答复")
    _submit(page, "#urge-form button[type=submit]")
    assert page.url.endswith("#supervision") and "已催办" in page.inner_text(".messages")
    seen = _landing(page, "#supervision")
    assert seen["sticky"] == "sticky" and seen["scrolled"] > 0, seen  # the page did jump, under a sticky bar
    assert seen["top"] >= seen["bar"], seen
    _shot(page, f"anchor-{size}-supervision", full_page=False)
    _submit(page, "header form[action='/accounts/logout/'] button")

    _login(page, base, "dept_water")  # the inbox
    _submit(page, "a[href$='#act-reply']")
    assert page.evaluate("() => document.querySelector('#act-reply').open")  # the reply form is unfolded
    seen = _landing(page, "#act-reply")
    assert seen["scrolled"] > 0 and seen["top"] >= seen["bar"], seen
    _shot(page, f"anchor-{size}-reply", full_page=False)
    assert not _problems(page), _problems(page)
