"""Co-handling units (协办单位) hand in their own part; the lead unit sees it and answers.

Each part is an event in the appeal's log (``co-part``) with its files; the lead unit's reply
form lists each co-handler's part or that it has none yet; the lead may reply anyway, and the
reply's event names the co-handlers that had not answered.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jishiban.appeals import services
from jishiban.appeals.errors import ActionForbidden, ActionNotAllowed
from jishiban.testing import make_appeal, make_user
from jishiban.web.models import CoHandlerNote

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _with_co_handlers(personas):
    appeal = make_appeal()
    appeal = services.dispatch(appeal, by=personas.dispatcher, lead_unit=personas.water,
                               co_units=[personas.urban, personas.power_handler.organisation])
    return services.accept(appeal, by=personas.handler)


def test_a_co_handler_submits_its_part_with_a_file_recorded_in_the_log(login, personas):
    appeal = _with_co_handlers(personas)
    client = login(personas.other_handler)
    response = client.post(f"/appeals/{appeal.pk}/notes/", {
        "text": "已安排执法队员清理占道", "attachments": [SimpleUploadedFile("清理后.png", PNG, content_type="image/png")]})
    assert response.status_code == 302
    event = appeal.events.get(action="co-part")
    assert event.actor_unit == personas.urban and event.reason == "已安排执法队员清理占道"
    note = CoHandlerNote.objects.get()
    assert note.event == event
    attachment = appeal.attachments.get()
    assert attachment.event == event and attachment.uploaded_by == personas.other_handler
    page = login(personas.handler).get(f"/appeals/{appeal.pk}/").content.decode()
    assert "已安排执法队员清理占道" in page and "清理后.png" in page
    assert login(personas.handler).get(f"/appeals/{appeal.pk}/attachments/{attachment.pk}/").status_code == 200


def test_the_lead_sees_which_co_handlers_have_not_answered_and_may_reply_anyway(login, personas):
    appeal = _with_co_handlers(personas)
    services.add_unit_note(appeal, by=personas.other_handler, text="占道摊点已清理")
    client = login(personas.handler)
    response = client.get(f"/appeals/{appeal.pk}/")
    parts = response.context["co_parts"]
    assert [u.code for u in parts["missing"]] == ["ent-power"]
    reply_form = response.content.decode().split('id="act-reply-form"')[1].split("</form>")[0]
    assert "占道摊点已清理" in reply_form and "尚未提交" in reply_form
    response = client.post(f"/appeals/{appeal.pk}/act/reply/", {
        "expected_version": appeal.version, "result_type": "solved", "text": "供水已恢复", "include_co_parts": "on"})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == "replied"
    assert appeal.result_text.startswith("供水已恢复") and "占道摊点已清理" in appeal.result_text
    payload = appeal.events.get(action="reply").payload
    assert payload["co_parts"]["answered"] == ["city-urban"] and payload["co_parts"]["missing"] == ["ent-power"]
    page = client.get(f"/appeals/{appeal.pk}/").content.decode()
    assert "答复时未提交意见的协办单位" in page


def test_only_the_units_on_the_appeal_while_they_hold_it(login, personas):
    appeal = _with_co_handlers(personas)
    outsider = make_user("dept_market", "handler", org="city-market")
    with pytest.raises(ActionForbidden):
        services.add_unit_note(appeal, by=outsider, text="x")
    with pytest.raises(ActionForbidden):
        services.add_unit_note(appeal, by=personas.supervisor, text="x")
    response = login(personas.supervisor).post(f"/appeals/{appeal.pk}/notes/", {"text": "x"})
    assert response.status_code == 422 and "只有主办或协办单位" in response.content.decode()
    appeal = services.reply(appeal, by=personas.handler, result_type="solved", text="已处理")
    with pytest.raises(ActionNotAllowed):
        services.add_unit_note(appeal, by=personas.other_handler, text="迟到的意见")
    response = login(personas.other_handler).post(f"/appeals/{appeal.pk}/notes/", {"text": "迟到的意见"})
    assert response.status_code == 422 and "不再接收办理意见" in response.content.decode()
    assert not appeal.events.filter(action="co-part").exists()


def test_a_bad_file_refuses_the_part_in_chinese_and_writes_nothing(login, personas):
    appeal = _with_co_handlers(personas)
    response = login(personas.other_handler).post(f"/appeals/{appeal.pk}/notes/", {
        "text": "见附件", "attachments": [SimpleUploadedFile("a.exe", b"MZ\x90", content_type="application/x-msdownload")]})
    assert response.status_code == 422 and "不支持的文件类型" in response.content.decode()
    assert not appeal.events.filter(action="co-part").exists() and not CoHandlerNote.objects.exists()
    assert not appeal.attachments.exists()


def test_a_reopening_starts_a_new_round_of_parts(personas):
    appeal = _with_co_handlers(personas)
    services.add_unit_note(appeal, by=personas.other_handler, text="第一轮意见")
    appeal = services.reply(appeal, by=personas.handler, result_type="solved", text="已处理")
    appeal = services.reopen(appeal, by=personas.supervisor, reason="群众不满意")
    assert [u.code for u in services.co_parts(appeal)["missing"]] == ["city-urban", "ent-power"]
