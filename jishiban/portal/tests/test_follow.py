"""Following an appeal by its query code: plain words, the reply, the deadline, nothing internal;
adding information while it is open."""

import re

import pytest

from jishiban.appeals import services as workflow
from jishiban.appeals.models import AppealEvent
from jishiban.intake.models import Attachment
from jishiban.portal.services import ADD_ACTION, CITIZEN_ADDED
from jishiban.supervision.models import Notification
from jishiban.testing import working_days_later

from .helpers import hand_in, picture

pytestmark = pytest.mark.django_db


def _follow(client, code):
    response = client.post("/portal/follow/", {"code": code})
    assert response.status_code == 302, response.content.decode()[:1500]
    return client.get(response["Location"]).content.decode()


def test_follow_by_code_shows_plain_progress_and_nothing_internal(client, personas):
    p = personas
    p.handler.first_name, p.handler.last_name = "王", "经办"
    p.handler.save()
    appeal, code = hand_in(client)
    appeal = workflow.dispatch(appeal, by=p.dispatcher, lead_unit=p.water, note="内部备注：该小区物业有纠纷",
                               explanation="职能领域 education → 派往水务")
    appeal = workflow.accept(appeal, by=p.handler)
    stranger = client.__class__()
    page = _follow(stranger, code)
    assert "已收到您的诉求" in page and f"已转交 {p.water.name} 办理" in page and "正在办理" in page
    assert "答复期限" in page
    for internal in ("内部备注", "职能领域", "dept_water", "王经办", "经办", "dispatcher", "李四", "13912340000"):
        assert internal not in page, internal
    workflow.reply(appeal, by=p.handler, result_type="solved", text="已更换路灯灯泡，现已恢复照明")
    page = stranger.get(f"/portal/appeals/{appeal.number}/").content.decode()
    assert "官方答复" in page and "已更换路灯灯泡" in page and "评价答复" in page
    assert "补充信息" not in page  # answered: nothing more to add


def test_a_wrong_code_is_explained_and_an_appeal_without_its_code_is_not_found(client, personas):
    appeal, _code = hand_in(client)
    other = client.__class__()
    response = other.post("/portal/follow/", {"code": "ABCDE-FGHJK"})
    assert response.status_code == 422 and "没有找到这个查询码对应的诉求" in response.content.decode()
    assert other.post("/portal/follow/", {"code": ""}).status_code == 422
    assert other.get(f"/portal/appeals/{appeal.number}/").status_code == 404
    assert other.get("/portal/appeals/JN000/").status_code == 404


def test_adding_information_and_a_photo_reaches_the_handlers_inbox(client, personas):
    p = personas
    appeal, code = hand_in(client)
    appeal = workflow.dispatch(appeal, by=p.dispatcher, lead_unit=p.water)
    response = client.post(f"/portal/appeals/{appeal.number}/add/",
                           {"text": "今晚又看到有人摔倒，位置在东门第二根灯杆", "photos": picture("lamp.png")})
    assert response.status_code == 302
    event = AppealEvent.objects.get(appeal=appeal, action=ADD_ACTION)
    assert "东门第二根灯杆" in event.reason and len(event.payload["attachments"]) == 1
    assert Attachment.objects.filter(appeal=appeal, original_name="lamp.png").exists()
    note = Notification.objects.get(kind=CITIZEN_ADDED, user=p.handler)
    assert appeal.number in note.text and "东门第二根灯杆" in note.text
    page = client.get(f"/portal/appeals/{appeal.number}/").content.decode()
    assert "您补充了信息" in page and "附照片 1 张" in page
    staff = client.__class__()
    staff.force_login(p.handler)
    detail = staff.get(f"/appeals/{appeal.pk}/").content.decode()
    assert "群众补充信息" in detail and ADD_ACTION not in detail  # named, not its code


def test_adding_nothing_or_after_the_answer_is_refused(client, personas):
    p = personas
    appeal, _code = hand_in(client)
    response = client.post(f"/portal/appeals/{appeal.number}/add/", {"text": "  "})
    assert response.status_code == 422 and "请填写补充内容或选择照片" in response.content.decode()
    appeal = workflow.dispatch(appeal, by=p.dispatcher, lead_unit=p.water)
    appeal = workflow.accept(appeal, by=p.handler)
    workflow.reply(appeal, by=p.handler, result_type="solved", text="已修复")
    response = client.post(f"/portal/appeals/{appeal.number}/add/", {"text": "还有一件事"})
    assert response.status_code == 422 and "不能再补充" in response.content.decode()
    assert not AppealEvent.objects.filter(appeal=appeal, action=ADD_ACTION).exists()


def test_before_dispatch_the_centre_is_told(client, personas):
    appeal, _code = hand_in(client)
    client.post(f"/portal/appeals/{appeal.number}/add/", {"text": "补充：灯杆编号 A-17"})
    assert Notification.objects.filter(kind=CITIZEN_ADDED, user=personas.supervisor).exists()


def test_an_extension_shows_its_new_deadline_and_why(client, personas):

    p = personas
    appeal, code = hand_in(client)
    appeal = workflow.dispatch(appeal, by=p.dispatcher, lead_unit=p.water)
    appeal = workflow.accept(appeal, by=p.handler)
    appeal = workflow.request_extension(appeal, by=p.handler, new_deadline=working_days_later(appeal.reply_deadline, 2),
                                        reason="需要更换整段线缆，材料采购中")
    page = client.get(f"/portal/appeals/{appeal.number}/").content.decode()
    assert "材料采购中" not in page  # not before the centre agrees
    workflow.decide_extension(appeal, by=p.supervisor, approve=True)
    page = client.get(f"/portal/appeals/{appeal.number}/").content.decode()
    assert "办理时限延长至" in page and "延期原因：需要更换整段线缆，材料采购中" in page


def test_follow_by_number_phone_and_a_one_time_code(client, personas, settings):
    from jishiban.portal.otp import KIND

    appeal, _code = hand_in(client)
    visitor = client.__class__()
    response = visitor.post("/portal/follow/", {"step": "send", "number": appeal.number, "phone": "139 1234 0000"})
    assert response.status_code == 200 and "验证码已发送" in response.content.decode()
    sms = Notification.objects.get(kind=KIND, appeal=appeal)
    assert sms.phone == "13912340000"
    otp = re.search(r"验证码 (\d{6})", sms.text).group(1)
    assert otp not in response.content.decode()  # not on screen outside the demo
    wrong = visitor.post("/portal/follow/", {"step": "check", "otp": "000000" if otp != "000000" else "111111"})
    assert wrong.status_code == 422 and "验证码不正确" in wrong.content.decode()
    response = visitor.post("/portal/follow/", {"step": "check", "otp": otp})
    assert response.status_code == 302 and response["Location"] == f"/portal/appeals/{appeal.number}/"
    again = client.__class__()
    again.post("/portal/follow/", {"step": "send", "number": appeal.number, "phone": "13800000000"})
    assert Notification.objects.filter(kind=KIND).count() == 1  # a wrong phone gets nothing
    assert "验证码不正确" in again.post("/portal/follow/", {"step": "check", "otp": otp}).content.decode()


def test_the_demo_shows_the_one_time_code_on_screen(client, personas, settings):
    settings.DEMO = True
    appeal, _code = hand_in(client)
    page = client.post("/portal/follow/", {"step": "send", "number": appeal.number,
                                           "phone": "13912340000"}).content.decode()
    assert re.search(r"data-otp>\d{6}<", page)


def test_a_one_time_code_allows_few_tries(client, personas):
    appeal, _code = hand_in(client)
    visitor = client.__class__()
    visitor.post("/portal/follow/", {"step": "send", "number": appeal.number, "phone": "13912340000"})
    for _i in range(5):
        visitor.post("/portal/follow/", {"step": "check", "otp": "abcdef"})
    assert "验证码已失效" in visitor.post("/portal/follow/", {"step": "check", "otp": "abcdef"}).content.decode()
