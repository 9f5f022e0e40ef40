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


def _challenge_on(settings):
    # The form's proof of work, solved by portal.js as in production (the other tests switch it off).
    settings.JISHIBAN = {**settings.JISHIBAN, "PORTAL": {"CHALLENGE": "pow"}}


def test_citizen_hands_in_follows_adds_rates_and_sees_it_reopened(live_server, browser, world, tmp_path,  # noqa: F811
                                                                   settings):
    from jishiban.appeals import services as workflow
    from jishiban.appeals.models import Appeal
    from jishiban.supervision.models import CallbackTask
    from jishiban.supervision.services import callbacks

    _challenge_on(settings)
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
    assert phone.is_hidden("[data-challenge-question]")  # the script does the work, no sum to answer
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


def test_citizen_withdraws_an_appeal_before_it_is_answered(live_server, browser, world, settings):  # noqa: F811
    from jishiban.appeals import services as workflow
    from jishiban.appeals.models import Appeal
    from jishiban.supervision.models import Kind, Notification

    _challenge_on(settings)
    base = live_server.url
    phone = _page(browser, 360, 740)
    phone.goto(f"{base}/")
    phone.check("input[name=appeal_type][value=complaint]")
    phone.fill("#id_content", "楼下饭店油烟直排，家里窗户都不敢开")
    phone.fill("#id_address", "任城区古槐街道幸福小区3号楼")
    phone.fill("#id_name", "王五")
    phone.fill("#id_phone", "13700001234")
    phone.check("#id_consent")
    _submit(phone, "button.primary")
    number = phone.inner_text("[data-number]")
    appeal = workflow.dispatch(Appeal.objects.get(number=number), by=world.dispatcher, lead_unit=world.water)

    _submit(phone, "main a.button")
    phone.fill("#id_reason", "饭店已经装了净化器")
    _submit(phone, "form[action$='/withdraw/'] button")
    assert "请勾选确认撤回" in phone.inner_text("main")  # nothing lost: the reason is still there
    assert phone.input_value("#id_reason") == "饭店已经装了净化器"
    phone.check("#id_confirm")
    _shot(phone, "portal-06-withdraw")
    _submit(phone, "form[action$='/withdraw/'] button")
    assert "您已撤回" in phone.inner_text("[data-status]")
    assert "您已撤回诉求" in phone.inner_text("[data-timeline]")
    assert phone.locator("form[action$='/withdraw/']").count() == 0
    _shot(phone, "portal-07-withdrawn")
    appeal.refresh_from_db()
    assert appeal.status == "withdrawn"
    assert Notification.objects.filter(kind=Kind.WITHDRAWN, appeal=appeal, user=world.handler).exists()
    assert not _problems(phone)
