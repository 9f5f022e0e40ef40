"""The citizen's journey on a phone (360 × 740) in a real browser (Debian's chromium).

Hand in a complaint with a photo and a confidential identity → follow it by its query code in
another browser → add information → the unit answers (through the services) → rate it
dissatisfied → the supervisor reopens it → the citizen sees it being handled again. Every page
runs under the Content-Security-Policy; screenshots go to ``test-artifacts/screenshots/``.
"""

from pathlib import Path

import pytest
from PIL import Image

from jishiban.web.tests.test_browser import CHROMIUM, _page, _problems, _shot, _submit, browser, world  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed at /usr/bin/chromium"),
]


def _photo(tmp_path) -> str:
    path = tmp_path / "路灯.jpg"
    Image.new("RGB", (320, 240), (30, 30, 60)).save(path, format="JPEG")
    return str(path)


def test_citizen_hands_in_follows_adds_rates_and_sees_it_reopened(live_server, browser, world, tmp_path):  # noqa: F811
    from jishiban.appeals import services as workflow
    from jishiban.appeals.models import Appeal
    from jishiban.supervision.models import CallbackTask
    from jishiban.supervision.services import callbacks

    base = live_server.url
    phone = _page(browser, 360, 740)

    # 1. The site's root sends a visitor to the portal; the form fits a phone.
    phone.goto(f"{base}/")
    assert phone.url == f"{base}/portal/"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.check("input[name=appeal_type][value=complaint]")
    phone.fill("#id_content", "小区东门的路灯坏了一个多月，晚上很黑，老人出门容易摔倒")
    phone.fill("[data-category-search]", "路灯")
    phone.wait_for_selector("[data-category-results] button.pick")
    phone.click("[data-category-results] button.pick >> nth=0")
    assert "路灯" in phone.inner_text("[data-category-chosen]")
    phone.set_input_files("#id_photos", _photo(tmp_path))
    phone.fill("#id_address", "任城区古槐街道幸福小区东门")
    phone.wait_for_selector("[data-locate-hint]:not(:empty)")
    assert phone.input_value("select[name=county]") == "370811"
    assert "请确认" in phone.inner_text("[data-locate-hint]")
    phone.fill("#id_name", "李四")
    phone.fill("#id_phone", "13912340000")
    phone.check("#id_confidential")
    phone.check("#id_consent")
    key = phone.input_value("[data-idempotency-key]")
    assert len(key) >= 16  # generated in the browser
    _shot(phone, "portal-01-submit")
    _submit(phone, "button.primary")
    number = phone.inner_text("[data-number]")
    code = phone.inner_text("[data-code]")
    _shot(phone, "portal-02-done")
    appeal = Appeal.objects.get(number=number)
    assert appeal.channel.code == "jishiban-app" and appeal.confidential and appeal.external_id == key
    assert appeal.attachments.count() == 1 and appeal.category.name == "路灯不亮"

    # 2. Another browser follows it by the code and adds information.
    other = _page(browser, 360, 740)
    other.goto(f"{base}/portal/follow/")
    other.fill("#id_code", code.lower())
    _submit(other, "button.primary")
    assert "已收到您的诉求" in other.inner_text("[data-timeline]")
    other.fill("#id_text", "今晚又有老人在东门第二根灯杆旁摔倒")
    _submit(other, "form[action$='/add/'] button")
    assert "您补充了信息" in other.inner_text("[data-timeline]")
    _shot(other, "portal-03-added")

    # 3. The unit answers (the staff side, through the services).
    appeal = workflow.dispatch(appeal, by=world.dispatcher, lead_unit=world.water)
    appeal = workflow.accept(appeal, by=world.handler)
    workflow.reply(appeal, by=world.handler, result_type="solved", text="已更换东门路灯灯泡，恢复照明")

    # 4. The citizen reads the reply and rates it dissatisfied.
    other.reload()
    assert "已更换东门路灯灯泡" in other.inner_text("[data-reply]")
    other.check("input[name=solved][value=no]")
    other.check("input[name=satisfaction][value=dissatisfied]")
    other.fill("#id_comment", "换了灯泡第二天又不亮了")
    _shot(other, "portal-04-rate")
    _submit(other, "form[action$='/rate/'] button")
    appeal.refresh_from_db()
    assert appeal.status == "callback_done" and appeal.satisfaction == "dissatisfied"

    # 5. The supervisors' decision on a dissatisfied callback: reopen; the citizen sees it.
    task = CallbackTask.objects.get(appeal=appeal)
    callbacks.decide(task, by=world.supervisor, decision="reopen", reason="群众反映仍不亮")
    other.reload()
    assert "重新办理中" in other.inner_text("[data-status]")
    assert "已安排重新办理" in other.inner_text("[data-timeline]")
    body = other.inner_text("main")
    for internal in ("dept_water", "群众反映仍不亮", "13912340000", "李四"):
        assert internal not in body
    _shot(other, "portal-05-reopened")
    assert not _problems(phone) and not _problems(other)
