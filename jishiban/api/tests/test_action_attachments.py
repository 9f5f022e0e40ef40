"""Files with a reply or an extension request through the API: the same checks as at intake,
each file linked to its event in ``/appeals/{n}/events``, downloadable by those who see the appeal."""

import base64

import pytest

from jishiban.testing import advance, make_appeal, working_days_later

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%test\n"


def _file(name, data, content_type):
    return {"name": name, "content_type": content_type, "data_base64": base64.b64encode(data).decode()}


def test_the_api_takes_files_with_a_reply_and_an_extension_request(api, personas):
    appeal = advance(make_appeal(), personas, "accepted")
    asked = working_days_later(appeal.reply_deadline, 2)
    r = api("handler").post(f"/appeals/{appeal.number}/actions/request-extension", {
        "expected_version": appeal.version, "new_deadline": asked.isoformat(), "reason": "需更换主管道",
        "attachments": [_file("方案.pdf", PDF, "application/pdf")]})
    assert r.status_code == 200, r.content
    # Replying while the request is pending, with a photo.
    r = api("handler").post(f"/appeals/{appeal.number}/actions/reply", {
        "expected_version": r.json()["version"], "result_type": "solved", "text": "已修复",
        "attachments": [_file("现场.png", PNG, "image/png")]})
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["status"] == "replied" and {a["name"] for a in data["attachments"]} == {"方案.pdf", "现场.png"}
    events = {e["action"]: e for e in api("supervisor").get(f"/appeals/{appeal.number}/events").json()}
    assert [a["name"] for a in events["request-extension"]["attachments"]] == ["方案.pdf"]
    assert [a["name"] for a in events["reply"]["attachments"]] == ["现场.png"]
    assert events["reply"]["payload"]["extension_dropped"]["asked"]
    url = events["reply"]["attachments"][0]["url"].removeprefix("/api/v1")
    assert api("supervisor").get(url).status_code == 200
    assert api("other_handler").get(url).status_code == 404


def test_the_api_refuses_a_disguised_file_and_writes_nothing(api, personas):
    appeal = advance(make_appeal(), personas, "accepted")
    r = api("handler").post(f"/appeals/{appeal.number}/actions/reply", {
        "expected_version": appeal.version, "result_type": "solved", "text": "已修复",
        "attachments": [_file("现场.png", b"<html>not a png</html>", "image/png")]})
    assert r.status_code == 422 and "文件内容与类型" in r.json()["errors"]["attachments"][0]
    appeal.refresh_from_db()
    assert appeal.status == "accepted" and not appeal.attachments.exists()


def test_a_citizen_sees_the_reply_file_but_not_the_units_notes(api, personas):
    from jishiban.appeals import services

    appeal = advance(make_appeal(citizen_user=personas.citizen), personas, "accepted")
    services.add_unit_note(appeal, by=personas.handler, text="内部：施工队明日进场")
    note_file = appeal.events.get(action="note")
    from jishiban.intake.attachments import IncomingFile, check_files, store

    checked, _errors = check_files([IncomingFile("内部.pdf", PDF, "application/pdf")])
    hidden = store(appeal, checked, by=personas.handler, event=note_file)[0]
    appeal.refresh_from_db()
    r = api("handler").post(f"/appeals/{appeal.number}/actions/reply", {
        "expected_version": appeal.version, "result_type": "solved", "text": "已修复",
        "attachments": [_file("现场.png", PNG, "image/png")]})
    assert r.status_code == 200, r.content
    mine = api("citizen").get(f"/appeals/{appeal.number}").json()
    assert [a["name"] for a in mine["attachments"]] == ["现场.png"]
    events = api("citizen").get(f"/appeals/{appeal.number}/events").json()
    assert "note" not in {e["action"] for e in events} and "内部" not in str(events)
    assert api("citizen").get(f"/attachments/{hidden.pk}").status_code == 404
    assert api("supervisor").get(f"/attachments/{hidden.pk}").status_code == 200
