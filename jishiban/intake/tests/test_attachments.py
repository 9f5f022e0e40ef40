"""Attachments travel with a submission, are checked, stored in the appeal's transaction and
served only to users who may see the appeal."""

import io

import pytest
from django.core.files.storage import default_storage
from django.db import transaction
from django.test import Client

from jishiban.appeals.errors import AppealValidationError
from jishiban.appeals.models import Appeal
from jishiban.intake.attachments import IncomingFile
from jishiban.intake.models import Attachment
from jishiban.intake.pipeline import Citizen, Location, Submission, submit
from jishiban.testing import advance

JPEG = b"\xff\xd8\xff\xe0" + b"\x10" * 100
PDF = b"%PDF-1.7\n" + b"0" * 50


def submission(*files, **extra):
    return Submission(channel="jishiban-app", content="楼道堆放杂物，存在消防隐患",
                      citizen=Citizen(name="王五", phone="13900002222"), location=Location(county="370811"),
                      attachments=list(files), **extra)


def test_bytes_and_file_objects_are_stored_with_hash_and_size(personas):
    result = submit(submission(IncomingFile("楼道.jpg", JPEG), IncomingFile("说明.pdf", io.BytesIO(PDF))),
                    by=personas.operator)
    rows = list(Attachment.objects.order_by("id"))
    assert [r.original_name for r in rows] == ["楼道.jpg", "说明.pdf"]
    assert rows[0].content_type == "image/jpeg" and rows[1].content_type == "application/pdf"
    assert rows[0].size == len(JPEG) and len(rows[0].sha256) == 64
    assert rows[0].appeal == result.appeal and rows[0].uploaded_by == personas.operator
    assert rows[0].file.read() == JPEG


@pytest.mark.parametrize("item,fragment", [
    (IncomingFile("run.exe", b"MZ\x90\x00"), "不支持的文件类型"),
    (IncomingFile("fake.jpg", b"<html><script>"), "不符"),
    (IncomingFile("empty.pdf", b""), "为空"),
    (IncomingFile("", JPEG, "image/jpeg"), "缺少文件名"),
])
def test_bad_files_reject_the_submission_with_field_errors(reference_data, item, fragment):
    with pytest.raises(AppealValidationError) as err:
        submit(submission(item))
    assert fragment in err.value.errors["attachments"][0]
    assert Appeal.objects.count() == 0 and Attachment.objects.count() == 0


def test_size_and_count_limits_come_from_settings(reference_data, settings):
    settings.JISHIBAN_ATTACHMENT_MAX_BYTES = 50
    with pytest.raises(AppealValidationError) as err:
        submit(submission(IncomingFile("big.jpg", JPEG)))
    assert "过大" in err.value.errors["attachments"][0]
    settings.JISHIBAN_ATTACHMENT_MAX_BYTES = 10_000
    settings.JISHIBAN_ATTACHMENT_MAX_COUNT = 1
    with pytest.raises(AppealValidationError) as err:
        submit(submission(IncomingFile("a.jpg", JPEG), IncomingFile("b.jpg", JPEG)))
    assert "过多" in err.value.errors["attachments"][0]


def test_file_errors_come_with_the_other_field_errors(reference_data):
    bad = Submission(channel="no-such", content="", attachments=[IncomingFile("x.exe", b"MZ")])
    with pytest.raises(AppealValidationError) as err:
        submit(bad)
    assert set(err.value.errors) == {"channel", "content", "attachments"}


def test_rollback_removes_files_already_written(reference_data, monkeypatch):
    from jishiban.intake import pipeline

    def store_then_fail(appeal, files, *, by=None, stored=None):
        stored.append(default_storage.save("attachments/orphan.jpg", io.BytesIO(JPEG)))
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipeline, "store", store_then_fail)
    with pytest.raises(RuntimeError):
        submit(submission(IncomingFile("a.jpg", JPEG)))
    assert Appeal.objects.count() == 0 and not default_storage.exists("attachments/orphan.jpg")


def test_retry_with_the_same_external_id_does_not_store_files_twice(reference_data):
    first = submit(submission(IncomingFile("a.jpg", JPEG), external_id="APP-1"))
    again = submit(submission(IncomingFile("a.jpg", JPEG), external_id="APP-1"))
    assert first.created and not again.created and Attachment.objects.count() == 1


def test_download_only_for_users_who_see_the_appeal(personas):
    with transaction.atomic():
        appeal = submit(submission(IncomingFile("现场.jpg", JPEG))).appeal
    advance(appeal, personas, "dispatched")
    attachment = Attachment.objects.get()
    url = f"/api/v1/attachments/{attachment.pk}"
    for persona, status in (("handler", 200), ("county_rencheng", 200), ("other_handler", 404),
                            ("county_other", 404), ("citizen", 302)):  # citizens: sent to the portal
        client = Client()
        client.force_login(getattr(personas, persona))
        response = client.get(url)
        assert response.status_code == status, persona
        if status == 200:
            assert b"".join(response.streaming_content) == JPEG
            assert response["Content-Type"] == "image/jpeg" and "attachment" in response["Content-Disposition"]
    assert Client().get(url).status_code == 401
    client = Client()
    client.force_login(personas.dispatcher)
    assert client.get("/api/v1/attachments/999999").status_code == 404
