"""A citizen who handed in appeals without an account signs in with the phone number on a phone
(360 × 740, Debian's chromium) and is asked "这些是您提交的吗？": they tick one, leave the other,
and find only the ticked one under 我的. Screenshots go to ``test-artifacts/screenshots/``."""

from pathlib import Path

import pytest

from jishiban.web.tests.test_browser import CHROMIUM, _page, _problems, _shot, _submit, browser, world  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed at /usr/bin/chromium"),
]

PHONE = "13655556666"


def test_citizen_signs_in_and_confirms_which_earlier_appeals_are_theirs(live_server, browser, world, settings):  # noqa: F811
    from django.test import Client

    from jishiban.appeals.models import Appeal

    from .helpers import hand_in

    settings.JISHIBAN = {**settings.JISHIBAN, "PORTAL": {"SHOW_CODES": True}}
    mine, _code = hand_in(Client(), phone=PHONE, content="小区门口的路灯坏了一个多月，晚上很黑")
    not_mine, _code = hand_in(Client(), phone=PHONE, content="楼下饭店油烟直排，家里窗户都不敢开")
    base = live_server.url
    phone = _page(browser, 360, 740)
    phone.goto(f"{base}/portal/sign-in/", timeout=60000)
    phone.fill("#id_phone", PHONE)
    _submit(phone, "text=获取短信验证码")
    phone.fill("#id_otp", phone.inner_text("[data-otp]"))
    _submit(phone, "button.primary")
    assert phone.url.endswith("/portal/mine/earlier/")
    assert "这些是您提交的吗？" in phone.inner_text("h1")
    body = phone.inner_text("main")
    assert mine.number in body and not_mine.number in body
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.check(f"#claim-{mine.pk}")
    _shot(phone, "portal-claim-01-confirm")
    _submit(phone, "[data-claim] button.primary")
    assert phone.url.endswith("/portal/mine/")
    listed = phone.inner_text("[data-mine]")
    assert mine.number in listed and not_mine.number not in listed
    _shot(phone, "portal-claim-02-mine")
    assert Appeal.objects.get(pk=mine.pk).citizen_user.phone == PHONE
    assert Appeal.objects.get(pk=not_mine.pk).citizen_user is None
    assert not _problems(phone)
