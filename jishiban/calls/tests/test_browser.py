"""The seat in a real browser: the CTI posts a call over HTTP with its token, the operator's
call desk pops it with the caller's history, the operator finds a knowledge entry while typing
and answers directly with it; the appeal shows the quoted entry and the call's recording."""

from pathlib import Path

import pytest
import requests

from jishiban.web.tests.test_browser import CHROMIUM, _login, _page, _problems, _shot, _submit, browser, world  # noqa: F401

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed at /usr/bin/chromium")]


def test_cti_call_pops_and_is_answered_with_a_knowledge_entry(live_server, browser, world):  # noqa: F811
    from jishiban.api.tokens import create_token
    from jishiban.appeals.models import Appeal
    from jishiban.knowledge import services as knowledge
    from jishiban.taxonomy.models import Category
    from jishiban.testing import make_appeal

    base = live_server.url
    entry = knowledge.create_entry(by=world.supervisor, owner_unit=world.water,
                                   category=Category.objects.get(code="020101"),
                                   title="计划停水通知与恢复供水时间查询",
                                   body="突发停水抢修一般6小时内恢复供水，停水超过24小时安排临时送水。")
    earlier = make_appeal(citizen_phone="13811112222", content="上个月也停过水")
    cti = create_token(world.admin, name="CTI")[1]

    page = _page(browser)
    _login(page, base, "operator")
    assert page.url.endswith("/intake/")
    page.fill("#cti-seat-no", "8001")
    page.click("#cti-seat button[type=submit]")
    page.wait_for_selector("[data-seat='8001']")
    # The operator is looking something up when the call rings.
    page.click("header nav a:has-text('查询')")
    page.wait_for_url("**/appeals/")

    # The CTI announces the call (and retries it: one call, one pop-up).
    body = {"call_id": "c-20261202-1", "caller": "13811112222", "seat": "8001",
            "recording_url": "https://cti.example/rec/c-20261202-1.wav"}
    for expected in (201, 200):
        answer = requests.post(f"{base}/api/v1/calls", json=body, headers={"Authorization": f"Bearer {cti}"},
                               timeout=10)
        assert answer.status_code == expected, answer.text
    assert answer.json()["popped"] is True

    page.wait_for_url("**/intake/", timeout=8000)  # the call opens the call desk
    page.wait_for_selector("#cti-pop [data-call]", timeout=8000)
    assert page.input_value("#id_citizen_phone") == "13811112222"
    page.wait_for_selector(f"#caller-box a:has-text('{earlier.number}')")
    assert earlier.number in page.inner_text("#cti-pop")

    # Typing the appeal brings the knowledge entry up.
    page.fill("#id_content", "家里突然停水了，想问问什么时候能恢复供水")
    page.fill("#category-search", "停水")
    page.wait_for_selector("#category-results [data-pick-category='020101']")
    page.click("#category-results [data-pick-category='020101']")
    page.wait_for_selector(f"#kb-box [data-kb-entry='{entry.pk}']")
    _shot(page, "seat-01-call-popped-with-knowledge")
    # The desk polls for calls every two seconds, so wait for the answer, not for a quiet network.
    page.click(f"#kb-box [data-kb-entry='{entry.pk}'] [data-kb-answer]")
    page.wait_for_selector(".messages .msg-success")
    appeal = Appeal.objects.get(citizen_phone="13811112222", status="answered")
    assert appeal.number in page.inner_text(".messages")
    assert not page.query_selector("#cti-pop [data-call]")

    page.click(f"main a:has-text('{appeal.number}')")
    page.wait_for_selector("#knowledge-quote")
    assert "引用的知识库条目" in page.inner_text("#knowledge-quote")
    assert entry.title in page.inner_text("#knowledge-quote")
    assert entry.body in page.inner_text("main")
    assert page.get_attribute("#call-recording a", "href") == body["recording_url"]
    _shot(page, "seat-02-answered-with-entry")
    _submit(page, "#knowledge-quote a")
    assert appeal.number in page.inner_text("main")  # the entry lists where it was used
    assert _problems(page) == []
