"""Handing in an appeal without an account: one appeal per key, a code, photos checked, clear refusals."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jishiban.appeals.models import Appeal
from jishiban.intake.models import Attachment
from jishiban.portal.models import Ticket
from jishiban.portal.services import RECEIPT, find_by_code
from jishiban.supervision.models import Notification

from .helpers import code_on, form_data, hand_in, picture

pytestmark = pytest.mark.django_db


def test_visitor_at_the_site_root_lands_on_the_portal(client, reference_data):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/portal/"
    page = client.get("/portal/")
    assert page.status_code == 200
    assert "我要反映" in page.content.decode() and 'name="consent"' in page.content.decode()


def test_staff_at_the_site_root_still_go_to_their_workbench(client, personas):
    client.force_login(personas.dispatcher)
    assert client.get("/")["Location"] == "/dispatch/"


def test_submission_with_a_photo_enters_the_pipeline_and_gives_number_and_code(client, reference_data):
    data = form_data(photos=picture())
    response = client.post("/portal/", data)
    assert response.status_code == 302
    appeal = Appeal.objects.get(external_id=data["key"])
    assert appeal.channel.code == "jishiban-app" and appeal.status == "received"
    assert appeal.citizen_name == "李四" and appeal.citizen_phone == "13912340000"
    assert appeal.county.code == "370811" and not appeal.confidential
    assert Attachment.objects.filter(appeal=appeal, content_type="image/png").count() == 1
    page = client.get(response["Location"]).content.decode()
    code = code_on(page)
    assert appeal.number in page
    assert find_by_code(code) == appeal and find_by_code(code.lower().replace("-", " ")) == appeal
    sms = Notification.objects.get(kind=RECEIPT, appeal=appeal)
    assert sms.phone == "13912340000" and code in sms.text and appeal.number in sms.text
    assert Ticket.objects.get(appeal=appeal).code_digest != code  # only a digest is kept


def test_a_retried_submit_never_makes_a_second_appeal(client, reference_data):
    data = form_data()
    first = client.post("/portal/", data)
    again = client.post("/portal/", data)
    assert first["Location"] == again["Location"]
    assert Appeal.objects.filter(external_id=data["key"]).count() == 1
    assert Notification.objects.filter(kind=RECEIPT).count() == 1
    other = client.__class__()  # a new session (the retry came from another connection)
    other.post("/portal/", data)
    assert Appeal.objects.filter(channel__code="jishiban-app").count() == 1


def test_without_consent_nothing_is_written_and_what_was_typed_stays(client, reference_data):
    response = client.post("/portal/", form_data(consent=None))
    assert response.status_code == 422
    page = response.content.decode()
    assert "提交前请阅读并同意个人信息保护告知" in page
    assert "小区门口的路灯坏了一个多月" in page and "13912340000" in page
    assert not Appeal.objects.exists()


def test_a_page_renamed_as_a_photo_is_refused_by_name(client, reference_data):
    fake = SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
    response = client.post("/portal/", form_data(photos=fake))
    assert response.status_code == 422
    page = response.content.decode()
    assert "photo.jpg：不是可以识别的照片" in page and "照片需要重新选择" in page
    assert not Appeal.objects.exists() and not Attachment.objects.exists()


def test_too_large_and_too_many_photos_are_refused(client, reference_data, settings):
    settings.JISHIBAN = {**settings.JISHIBAN, "PORTAL": {"PHOTO_MAX_BYTES": 100, "PHOTO_MAX_COUNT": 2}}
    response = client.post("/portal/", form_data(photos=picture()))
    assert "照片过大" in response.content.decode()
    response = client.post("/portal/", form_data(photos=[picture("a.png"), picture("b.png"), picture("c.png")]))
    assert "照片最多 2 张" in response.content.decode()
    assert not Appeal.objects.exists()


def test_a_report_is_confidential_and_may_be_anonymous(client, reference_data):
    appeal, _code = hand_in(client, appeal_type="report", anonymous="on", name="", phone="",
                            content="有人在河道里夜间偷偷倾倒建筑垃圾，车牌号看不清")
    assert appeal.confidential and appeal.anonymous
    assert appeal.citizen_name == "" and appeal.citizen_phone == ""
    assert not Notification.objects.filter(kind=RECEIPT, appeal=appeal).exists()
    assert not Ticket.objects.get(appeal=appeal).publish


def test_a_request_for_help_needs_contact_details(client, reference_data):
    response = client.post("/portal/", form_data(appeal_type="help", anonymous="on", name="", phone=""))
    assert response.status_code == 422
    assert "“求助”需要留下联系方式" in response.content.decode()
    response = client.post("/portal/", form_data(name="", phone=""))
    page = response.content.decode()
    assert "请填写姓名，或选择匿名反映" in page and "请填写手机号" in page
    assert not Appeal.objects.exists()


def test_confidential_on_request(client, reference_data):
    appeal, _code = hand_in(client, confidential="on")
    assert appeal.confidential


def test_bad_phone_and_missing_key_are_explained(client, reference_data):
    response = client.post("/portal/", form_data(phone="abc"))
    assert response.status_code == 422 and "电话号码格式不正确" in response.content.decode()
    response = client.post("/portal/", form_data(key="x"))
    assert response.status_code == 422 and "页面已过期" in response.content.decode()
    assert not Appeal.objects.exists()


def test_category_search_in_plain_words_and_address_suggestion(client, reference_data):
    from jishiban.taxonomy.models import Category

    leaf = Category.objects.filter(level=3, is_active=True).select_related("parent").first()
    found = client.get("/portal/categories/", {"q": leaf.name}).json()["results"]
    assert leaf.code in [r["code"] for r in found]
    assert client.get("/portal/categories/", {"q": ""}).json() == {"results": []}
    located = client.get("/portal/locate/", {"address": "任城区古槐街道"}).json()
    assert located["county"]["code"] == "370811"
    assert any(t["code"] == located["town"]["code"] for t in located["towns"]) if located["town"] else True
    towns = client.get("/portal/towns/", {"county": "370811"}).json()["towns"]
    assert towns and all(t["code"].startswith("370811") for t in towns)


def test_chosen_category_and_town_are_stored(client, reference_data):
    from jishiban.regions.models import Region
    from jishiban.taxonomy.models import Category

    leaf = Category.objects.filter(level=3, is_active=True).first()
    town = Region.objects.filter(parent__code="370811").first()
    appeal, _code = hand_in(client, category=leaf.code, town=town.code)
    assert appeal.category == leaf and appeal.town == town
    response = client.post("/portal/", form_data(category="nope"))
    assert response.status_code == 422 and "所选分类已不存在" in response.content.decode()


def test_privacy_notice_says_what_how_long_and_who(client, reference_data):
    page = client.get("/portal/privacy/").content.decode()
    for words in ("收集哪些信息", "保存多久", "谁能看到", "5 年"):
        assert words in page


def test_without_scripts_the_page_brings_its_own_key(client, reference_data):
    import re

    page = client.get("/portal/").content.decode()
    fallback = re.search(r'<noscript><input type="hidden" name="key" value="([^"]+)"></noscript>', page).group(1)
    data = form_data()
    data["key"] = ["", fallback]  # the empty scripted field, then the one inside <noscript>
    assert client.post("/portal/", data).status_code == 302
    assert Appeal.objects.filter(external_id=fallback).exists()


def test_smart_help_suggests_a_category_from_the_text(client, reference_data, active_model):
    # active_model: the smart-help tests' small classifier (020101 停水, 030201 路灯 …), activated.
    found = client.get("/portal/suggest/", {"text": "路灯坏了，晚上一片漆黑，路灯不亮好几天"}).json()
    assert found["results"] and found["results"][0]["code"] == "030201"
    assert client.get("/portal/suggest/", {"text": "短"}).json()["results"] == []
