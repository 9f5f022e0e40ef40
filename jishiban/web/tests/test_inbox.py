"""The handling unit's inbox and its actions: sign, return, extension, reply, attachments, notes."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jishiban.appeals.models import Appeal
from jishiban.testing import advance, make_appeal
from jishiban.web.models import CoHandlerNote

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_inbox_lists_my_units_appeals_by_deadline_with_cards(login, personas):
    later = advance(make_appeal(content="较晚到期"), personas, "dispatched")
    sooner = advance(make_appeal(content="较早到期"), personas, "dispatched")
    now = timezone.now()
    Appeal.objects.filter(pk=sooner.pk).update(reply_deadline=now - timedelta(hours=1))
    Appeal.objects.filter(pk=later.pk).update(reply_deadline=now + timedelta(hours=3), yellow_at=now - timedelta(hours=1))
    other = advance(make_appeal(content="城管的件"), personas, "dispatched", unit=personas.urban)
    response = login(personas.handler).get("/inbox/")
    numbers = [item["appeal"].number for item in response.context["items"]]
    assert numbers == [sooner.number, later.number]
    assert [item["state"] for item in response.context["items"]] == ["red", "yellow"]
    assert other.number not in response.content.decode()
    assert response.context["overdue"] == 1 and response.context["to_sign"] == 2


def test_due_today_counts_deadlines_before_midnight(login, personas):
    appeal = advance(make_appeal(), personas, "accepted")
    end_of_day = timezone.localtime().replace(hour=23, minute=59, second=0, microsecond=0)
    if end_of_day <= timezone.now():
        pytest.skip("too close to midnight")
    Appeal.objects.filter(pk=appeal.pk).update(reply_deadline=end_of_day)
    assert login(personas.handler).get("/inbox/").context["due_today"] == 1


def test_handler_signs_from_the_inbox(login, personas):
    appeal = advance(make_appeal(), personas, "dispatched")
    response = login(personas.handler).post(f"/appeals/{appeal.pk}/act/accept/", {
        "expected_version": appeal.version, "next": "/inbox/"})
    assert response["Location"] == "/inbox/"
    appeal.refresh_from_db()
    assert appeal.status == "accepted"


def test_return_needs_a_reason_and_the_button_disappears_after_the_window(login, personas):
    appeal = advance(make_appeal(), personas, "dispatched")
    client = login(personas.handler)
    response = client.post(f"/appeals/{appeal.pk}/act/request-return/", {"expected_version": appeal.version})
    assert response.status_code == 422 and "请填写退单理由" in response.content.decode()
    inbox = client.get("/inbox/").content.decode()
    assert "/act/request-return/" in inbox and "/act/return/" not in inbox  # a unit's return is reviewed
    Appeal.objects.filter(pk=appeal.pk).update(return_deadline=timezone.now() - timedelta(minutes=1))
    assert "/act/request-return/" not in client.get("/inbox/").content.decode()
    response = client.post(f"/appeals/{appeal.pk}/act/request-return/", {"expected_version": appeal.version,
                                                                         "reason": "非本单位职责"}, follow=True)
    assert "已超过退单时限" in " ".join(str(m) for m in response.context["messages"])
    appeal.refresh_from_db()
    assert appeal.status == "dispatched"


def test_handler_asks_to_return_with_reason_within_the_window_and_the_centre_reviews(login, personas):
    appeal = advance(make_appeal(), personas, "dispatched")
    login(personas.handler).post(f"/appeals/{appeal.pk}/act/request-return/", {
        "expected_version": appeal.version, "reason": "属供电公司职责", "not_responsible": "on"})
    appeal.refresh_from_db()
    assert appeal.status == "return_requested" and appeal.return_count == 0
    desk = login(personas.dispatcher)
    assert appeal.number in desk.get("/returns/").content.decode()
    desk.post(f"/appeals/{appeal.pk}/act/reject-return/", {"expected_version": appeal.version, "approve": "yes"})
    appeal.refresh_from_db()
    assert appeal.status == "returned" and appeal.return_count == 1
    assert "暂无待审核的退单申请" in desk.get("/returns/").content.decode()
    assert login(personas.handler).get("/returns/").status_code in (302, 403)


def test_extension_request_is_checked_against_the_limit(login, personas):
    appeal = advance(make_appeal(), personas, "accepted")
    client = login(personas.handler)
    too_far = timezone.localtime(appeal.reply_deadline + timedelta(days=60)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/appeals/{appeal.pk}/act/request-extension/", {
        "expected_version": appeal.version, "new_deadline": too_far, "reason": "需协调多个部门"})
    assert response.status_code == 422
    assert "延期不得超过" in response.content.decode()
    ok = timezone.localtime(appeal.reply_deadline + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    client.post(f"/appeals/{appeal.pk}/act/request-extension/", {
        "expected_version": appeal.version, "new_deadline": ok, "reason": "需协调多个部门"})
    appeal.refresh_from_db()
    assert appeal.status == "extension_requested"


def test_stepwise_reply_needs_promise_and_follow_up_date(login, personas):
    appeal = advance(make_appeal(), personas, "accepted")
    client = login(personas.handler)
    response = client.post(f"/appeals/{appeal.pk}/act/reply/", {
        "expected_version": appeal.version, "result_type": "stepwise", "text": "已列入改造计划"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "分步解决须填写承诺事项" in html and "分步解决须填写跟进日期" in html
    appeal.refresh_from_db()
    assert appeal.status == "accepted"
    client.post(f"/appeals/{appeal.pk}/act/reply/", {
        "expected_version": appeal.version, "result_type": "stepwise", "text": "已列入改造计划",
        "promise": "年底前完成管网改造", "follow_up_date": (timezone.localdate() + timedelta(days=30)).isoformat()})
    appeal.refresh_from_db()
    assert appeal.status == "replied" and appeal.promise == "年底前完成管网改造"


def test_reply_with_attachments_stores_them_with_the_appeal(login, personas):
    appeal = advance(make_appeal(), personas, "accepted")
    client = login(personas.handler)
    response = client.post(f"/appeals/{appeal.pk}/act/reply/", {
        "expected_version": appeal.version, "result_type": "solved", "text": "已修复",
        "attachments": [SimpleUploadedFile("现场.png", PNG, content_type="image/png")]})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == "replied"
    attachment = appeal.attachments.get()
    assert attachment.original_name == "现场.png"
    download = client.get(f"/appeals/{appeal.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    assert login(personas.other_handler).get(
        f"/appeals/{appeal.pk}/attachments/{attachment.pk}/").status_code == 404


def test_a_bad_attachment_refuses_the_reply(login, personas):
    appeal = advance(make_appeal(), personas, "accepted")
    response = login(personas.handler).post(f"/appeals/{appeal.pk}/act/reply/", {
        "expected_version": appeal.version, "result_type": "solved", "text": "已修复",
        "attachments": [SimpleUploadedFile("photo.png", b"<html>not a png</html>", content_type="image/png")]})
    assert response.status_code == 422 and "文件内容与类型" in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == "accepted" and not appeal.attachments.exists()


def test_co_handler_sees_the_appeal_and_leaves_a_note(login, personas):
    appeal = make_appeal()
    from jishiban.appeals import services

    services.dispatch(appeal, by=personas.dispatcher, lead_unit=personas.water, co_units=[personas.urban])
    client = login(personas.other_handler)
    assert appeal.number in client.get("/inbox/").content.decode()  # 本单位协办
    response = client.post(f"/appeals/{appeal.pk}/notes/", {"text": "已安排执法队员配合"})
    assert response.status_code == 302
    note = CoHandlerNote.objects.get()
    assert note.unit == personas.urban and note.author == personas.other_handler
    assert "已安排执法队员配合" in login(personas.handler).get(f"/appeals/{appeal.pk}/").content.decode()


def test_units_not_on_the_appeal_cannot_leave_notes(login, personas):
    appeal = advance(make_appeal(), personas, "dispatched")
    assert login(personas.other_handler).post(f"/appeals/{appeal.pk}/notes/", {"text": "x"}).status_code == 404
    response = login(personas.supervisor).post(f"/appeals/{appeal.pk}/notes/", {"text": "x"})
    assert response.status_code == 422 and not CoHandlerNote.objects.exists()


def test_inbox_query_count_does_not_grow_with_rows(login, personas, django_assert_max_num_queries):
    for i in range(10):
        advance(make_appeal(content=f"停水第{i}处", citizen_phone=f"1390000{i:04d}"), personas, "dispatched")
    client = login(personas.handler)
    # Three of them for supervision: the unit's orders, and the menu's count of orders and notices.
    with django_assert_max_num_queries(11):
        assert client.get("/inbox/").status_code == 200
