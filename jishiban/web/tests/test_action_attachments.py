"""Files with a reply or an extension request (photos and documents of the result), on the
workbench and through the API, with intake's checks: linked to the event they came with, shown
in the record, downloadable by those who may see the appeal only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jishiban.testing import advance, make_appeal, working_days_later

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%test\n"


def test_an_extension_request_carries_its_document_into_the_record(login, personas):
    appeal = advance(make_appeal(), personas, "accepted")
    client = login(personas.handler)
    asked = working_days_later(appeal.reply_deadline, 2)
    response = client.post(f"/appeals/{appeal.pk}/act/request-extension/", {
        "expected_version": appeal.version, "new_deadline": asked.strftime("%Y-%m-%dT%H:%M"),
        "reason": "需更换主管道", "attachments": [SimpleUploadedFile("施工方案.pdf", PDF, content_type="application/pdf")]})
    assert response.status_code == 302, response.content.decode()[:500]
    appeal.refresh_from_db()
    assert appeal.status == "extension_requested"
    attachment = appeal.attachments.get()
    assert attachment.event == appeal.events.get(action="request-extension")
    page = login(personas.supervisor).get(f"/appeals/{appeal.pk}/")
    timeline = page.content.decode().split('class="timeline"')[1].split("</ol>")[0]
    assert "施工方案.pdf" in timeline
    assert login(personas.supervisor).get(f"/appeals/{appeal.pk}/attachments/{attachment.pk}/").status_code == 200
    assert login(personas.other_handler).get(f"/appeals/{appeal.pk}/attachments/{attachment.pk}/").status_code == 404


def test_a_too_large_file_refuses_the_extension_request_in_chinese(login, personas, settings):
    settings.JISHIBAN_ATTACHMENT_MAX_BYTES = 32
    appeal = advance(make_appeal(), personas, "accepted")
    asked = working_days_later(appeal.reply_deadline, 2)
    response = login(personas.handler).post(f"/appeals/{appeal.pk}/act/request-extension/", {
        "expected_version": appeal.version, "new_deadline": asked.strftime("%Y-%m-%dT%H:%M"), "reason": "需更换主管道",
        "attachments": [SimpleUploadedFile("现场.png", PNG, content_type="image/png")]})
    assert response.status_code == 422 and "文件过大" in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == "accepted" and not appeal.attachments.exists()


def test_reply_files_are_linked_to_the_reply_and_listed_in_its_record(login, personas):
    appeal = advance(make_appeal(), personas, "accepted")
    client = login(personas.handler)
    client.post(f"/appeals/{appeal.pk}/act/reply/", {
        "expected_version": appeal.version, "result_type": "solved", "text": "已修复",
        "attachments": [SimpleUploadedFile("修复后.png", PNG, content_type="image/png")]})
    attachment = appeal.attachments.get()
    assert attachment.event == appeal.events.get(action="reply")
    timeline = client.get(f"/appeals/{appeal.pk}/").content.decode().split('class="timeline"')[1].split("</ol>")[0]
    assert "修复后.png" in timeline
