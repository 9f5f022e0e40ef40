"""The content filter at submit: repeated characters, links, advertising contacts, gibberish and
the administrators' phrase list hold a submission for the intake desk's review, with the reason
shown; nothing is dropped, a decision hands it in (one appeal, its receipt SMS) or keeps it aside."""

import pytest
from django.test import Client

from jishiban.appeals.models import Appeal
from jishiban.portal import spam
from jishiban.portal.models import HeldStatus, HeldSubmission, SpamPhrase
from jishiban.supervision.models import Kind, Notification

from .helpers import form_data, picture

ORDINARY = [
    "小区门口的路灯坏了一个多月，晚上很黑，老人出门容易摔倒",
    "我家 3-2-301 室水表（表号 11111111）读数不对，电话 13912340000",
    "楼下 KTV 每晚噪音到凌晨两点，影响休息",
    "建议在公交站加装遮阳棚！！！夏天等车太晒",
    "WIFI 坏了，宽带 router 无法上网，客服不处理",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_appeals_are_not_suspect(text):
    assert spam.findings(text, ["代开发票"]) == []


@pytest.mark.parametrize("text, reason", [
    ("啊啊啊啊啊啊啊啊啊啊啊啊", "重复的字符"),
    ("停水停水停水停水停水停水停水", "重复的字符"),
    ("领取补贴请访问 www.example-bonus.com 立即到账", "网址链接"),
    ("详情见 https://t.cn/abc", "网址链接"),
    ("兼职日结，加微信 abc12345 了解", "广告联系方式"),
    ("ＱＱ：12345678 低价出售", "广告联系方式"),
    ("asdfghjklqwrtzxcvbnm", "乱码"),
    ("%%%###@@@!!!***&&&", "乱码"),
    ("专业代开发票，价格优惠", "代开发票"),
])
def test_each_kind_of_spam_gives_its_reason(text, reason):
    assert any(reason in found for found in spam.findings(text, ["代开发票"]))


pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_a_suspect_submission_is_held_whole_with_its_reason_and_no_appeal_is_made(client, reference_data):
    data = form_data(content="领取补贴请访问 www.example-bonus.com 立即到账，名额有限")
    response = client.post("/portal/", {**data, "photos": [picture()]})
    assert response.status_code == 302 and "/portal/held/" in response["Location"]
    held = HeldSubmission.objects.get(key=data["key"])
    assert held.status == HeldStatus.PENDING and held.form["content"] == data["content"]
    assert held.form["phone"] == data["phone"] and held.photos.count() == 1
    assert any("网址链接" in r for r in held.reasons)
    assert not Appeal.objects.filter(external_id=data["key"]).exists()
    page = client.get(response["Location"]).content.decode()
    assert "需要人工核对" in page and "网址链接" in page and "没有丢失" in page
    # The same form sent again: the same held submission, nothing new.
    again = client.post("/portal/", data)
    assert again.status_code == 302 and again["Location"] == response["Location"]
    assert HeldSubmission.objects.count() == 1


@pytestmark_db
def test_the_administrators_phrases_hold_a_submission_and_an_inactive_one_does_not(client, reference_data):
    SpamPhrase.objects.create(phrase="刷单返利")
    SpamPhrase.objects.create(phrase="停车", active=False)
    held = form_data(content="招聘刷单返利人员，日赚三百，小区门口有人发传单")
    assert "/portal/held/" in client.post("/portal/", held)["Location"]
    assert "刷单返利" in "".join(HeldSubmission.objects.get(key=held["key"]).reasons)
    ordinary = form_data(content="小区门口乱停车，消防通道被堵死了")
    assert "/portal/done/" in client.post("/portal/", ordinary)["Location"]


def _held(client) -> HeldSubmission:
    data = form_data(content="兼职日结，加微信 abc12345 了解，另外小区门口的路灯坏了", phone="13512345678")
    response = client.post("/portal/", {**data, "photos": [picture()]})
    assert "/portal/held/" in response["Location"]
    return HeldSubmission.objects.get(key=data["key"])


@pytestmark_db
def test_the_desk_sees_the_reason_and_hands_it_in_once_with_the_receipt_sent(client, reference_data, personas):
    held = _held(client)
    desk = Client()
    desk.force_login(personas.operator)
    page = desk.get("/portal/review/").content.decode()
    assert "广告联系方式" in page and "abc12345" in page
    assert desk.post(f"/portal/review/{held.pk}/release/").status_code == 302
    held.refresh_from_db()
    appeal = held.appeal
    assert held.status == HeldStatus.RELEASED and held.decided_by == personas.operator
    assert appeal.external_id == held.key and appeal.channel.code == "jishiban-app"
    assert appeal.content == held.form["content"] and appeal.attachments.count() == 1
    assert Notification.objects.filter(kind=Kind.PORTAL_RECEIPT, appeal=appeal, phone="13512345678").exists()
    desk.post(f"/portal/review/{held.pk}/release/")  # a second click: no second appeal
    assert Appeal.objects.filter(external_id=held.key).count() == 1
    assert appeal.number in client.get(f"/portal/held/{held.pk}/").content.decode()  # the citizen's page


@pytestmark_db
def test_setting_aside_needs_a_reason_and_keeps_the_submission(client, reference_data, personas):
    held = _held(client)
    desk = Client()
    desk.force_login(personas.supervisor)
    desk.post(f"/portal/review/{held.pk}/reject/", {"note": ""})
    held.refresh_from_db()
    assert held.status == HeldStatus.PENDING
    desk.post(f"/portal/review/{held.pk}/reject/", {"note": "广告，与诉求无关"})
    held.refresh_from_db()
    assert held.status == HeldStatus.REJECTED and held.note == "广告，与诉求无关"
    assert HeldSubmission.objects.filter(pk=held.pk).exists() and not Appeal.objects.filter(external_id=held.key)
    assert "广告，与诉求无关" in client.get(f"/portal/held/{held.pk}/").content.decode()


@pytestmark_db
def test_only_the_intake_desk_reviews(client, reference_data, personas):
    held = _held(client)
    for who in (personas.handler, personas.citizen):
        other = Client()
        other.force_login(who)
        assert other.get("/portal/review/").status_code == 403
        assert other.post(f"/portal/review/{held.pk}/release/").status_code == 403
    assert Client().get(f"/portal/held/{held.pk}/").status_code == 404  # another visitor's session
    held.refresh_from_db()
    assert held.status == HeldStatus.PENDING
