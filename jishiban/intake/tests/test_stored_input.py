"""Input that would be stored as sent and break what is written from it later.

One rule in the pipeline (``pipeline.intake_problems``) for every channel: no control characters
(NUL never reaches the database), bounded tags and extras, a valid e-mail; received times
between a configured earliest day and now plus a small clock skew; and wrong JSON types are
errors. Every XML writer copes with what came in before the rule.
"""

import json
from datetime import timedelta
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from jishiban.api.tokens import create_token
from jishiban.appeals.errors import AppealValidationError
from jishiban.appeals.models import Appeal, AppealEvent
from jishiban.channels.models import Channel
from jishiban.core.spreadsheets import write_xlsx
from jishiban.intake.pipeline import Citizen, Location, Submission, submit
from jishiban.open311.keys import create_key
from jishiban.open311.tests.conftest import parse_xml
from jishiban.testing import make_appeal

CONTROLS = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f"]


def _api(user, body):
    return Client(raise_request_exception=False).post(
        "/api/v1/appeals", json.dumps(body), content_type="application/json",
        headers={"Authorization": f"Bearer {create_token(user)[1]}"})


def _body(**extra):
    return {"channel": "12345-web", "content": "小区路灯不亮已经一周", "location": {"address": "任城区某小区"}, **extra}


@pytest.mark.parametrize("char", CONTROLS)
def test_control_characters_in_content_or_address_are_refused_by_the_pipeline(reference_data, char):
    for submission, field in ((Submission(channel="12345-web", content=f"路灯{char}不亮"), "content"),
                              (Submission(channel="12345-web", content="路灯不亮",
                                          location=Location(address=f"任城区{char}某路")), "address")):
        with pytest.raises(AppealValidationError) as caught:
            submit(submission)
        assert field in caught.value.errors and f"U+{ord(char):04X}" in caught.value.errors[field][0]
    assert Appeal.objects.count() == 0


def test_tab_newline_and_carriage_return_are_kept_as_text(reference_data):
    result = submit(Submission(channel="12345-web", content="第一行\r\n第二行\t末尾", citizen=Citizen(name="张三")))
    assert result.appeal.content == "第一行\n第二行 末尾"


def test_every_field_error_comes_at_once(reference_data):
    with pytest.raises(AppealValidationError) as caught:
        submit(Submission(channel="no-such", content="路灯\x00不亮", tags=["x" * 41]))
    assert {"channel", "content", "tags"} <= set(caught.value.errors)


def test_the_rest_api_refuses_nul_anywhere_with_a_422(personas):
    for body in (_body(content="路灯\x00不亮"), _body(extras={"note": "a\x00b"}), _body(extras={"k\x01": 1}),
                 _body(tags=["夜间\x07"]), _body(citizen={"name": "张\x00三"})):
        response = _api(personas.operator, body)
        assert response.status_code == 422, (body, response.content)
        assert "控制字符" in json.dumps(response.json(), ensure_ascii=False)
    assert Appeal.objects.count() == 0


def test_open311_refuses_control_characters_with_a_400(reference_data):
    _row, key = create_key(channel=Channel.objects.get(code="open311"), name="测试")
    response = Client().post("/open311/v2/requests.xml", {
        "api_key": key, "service_code": "020101", "description": "路灯\x01不亮", "address_string": "任城区\x00某路"})
    assert response.status_code == 400
    errors = parse_xml(response.content)  # well-formed, even while it quotes the problem
    descriptions = [e.findtext("description") for e in errors]
    assert any(d.startswith("description:") for d in descriptions) and any("address_string" in d for d in descriptions)
    assert Appeal.objects.count() == 0


def test_bulk_import_rejects_the_row_and_keeps_the_others(reference_data, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in (
        {"external_id": "C1", "received_at": "2026-10-01T09:00:00+08:00", "content": "停水\x00三天"},
        {"external_id": "C2", "received_at": "2026-10-01T09:00:00+08:00", "content": "停水三天"},
    )), encoding="utf-8")
    report = tmp_path / "report.csv"
    out = StringIO()
    call_command("import", "appeals", str(source), "--channel", "12345-phone", "--report", str(report), stdout=out,
                 stderr=StringIO())
    assert list(Appeal.objects.values_list("external_id", flat=True)) == ["C2"]
    assert "U+0000" in report.read_text(encoding="utf-8-sig")


def test_stored_control_characters_do_not_break_the_public_xml(reference_data):
    """GIVEN an appeal stored before the rule (or a reply written by another path) with control
    characters WHEN anyone reads the public list as XML THEN the document is well-formed."""
    appeal = make_appeal(channel="12345-web", content="路灯不亮", address="任城区某路")
    Appeal.objects.filter(pk=appeal.pk).update(content="路灯\x01不亮\x1b", address="任城区\x0b某路", title="停\x08电")
    response = Client().get("/open311/v2/requests.xml")
    assert response.status_code == 200
    root = parse_xml(response.content)
    description = root.find("request/description").text
    assert "\x01" not in description and "\ufffd" in description


def test_the_xlsx_writer_copes_with_stored_control_characters():
    stream = BytesIO()
    assert write_xlsx(stream, "诉求", ["内容"], [["停\x01电"], ["=1+1"]]) == 2
    from openpyxl import load_workbook

    cells = [row[0] for row in load_workbook(stream).active.iter_rows(min_row=2, values_only=True)]
    assert cells == ["停\ufffd电", "'=1+1"]


@pytest.mark.parametrize("received_at, says", [("0001-01-01T00:00:00+08:00", "1900-01-01"),
                                               ("1999-12-31T23:59:59+08:00", "2000-01-01")])
def test_received_times_before_the_earliest_day_are_refused(personas, received_at, says):
    """0001-01-01 used to be stored and numbered JN1010100001."""
    response = _api(personas.operator, _body(received_at=received_at))
    assert response.status_code == 422 and says in response.json()["errors"]["received_at"][0]
    with pytest.raises(AppealValidationError):
        submit(Submission(channel="12345-web", content="很久以前", received_at=received_at))
    assert Appeal.objects.count() == 0


def test_received_times_beyond_the_clock_skew_are_refused_and_the_skew_is_configurable(reference_data):
    soon = timezone.now() + timedelta(minutes=3)
    submit(Submission(channel="12345-web", content="三分钟后", received_at=soon))  # within 5 minutes
    with override_settings(JISHIBAN={**_jishiban(), "CLOCK_SKEW_SECONDS": 60}):
        with pytest.raises(AppealValidationError) as caught:
            submit(Submission(channel="12345-web", content="又是三分钟后", received_at=soon))
    assert "received_at" in caught.value.errors


def test_the_earliest_day_is_configurable(reference_data):
    with override_settings(JISHIBAN={**_jishiban(), "EARLIEST_RECEIVED": timezone.localdate() - timedelta(days=1)}):
        with pytest.raises(AppealValidationError):
            submit(Submission(channel="12345-web", content="一周前", received_at=timezone.now() - timedelta(days=7)))


def _jishiban():
    from django.conf import settings

    return dict(settings.JISHIBAN)


@pytest.mark.parametrize("body, field", [
    (_body(citizen="x"), "citizen"), (_body(location="x"), "location"), (_body(citizen=None), "citizen"),
    (_body(location=["任城区"]), "location"), (_body(tags="夜间"), "tags"), (_body(tags=[1, 2]), "tags"),
    (_body(extras="x"), "extras"), (_body(attachments=["x"]), "attachments"),
])
def test_wrong_types_are_errors_not_silently_empty(personas, body, field):
    response = _api(personas.operator, body)
    assert response.status_code == 422, response.content
    assert any(name.split(".")[0] == field for name in response.json()["errors"]), response.json()
    assert Appeal.objects.count() == 0


@pytest.mark.parametrize("body, field", [
    (_body(tags=[f"标签{n}" for n in range(21)]), "tags"), (_body(tags=["长" * 41]), "tags"),
    (_body(extras={"blob": "x" * 20_000}), "extras"), (_body(citizen={"email": "not-an-email"}), "email"),
])
def test_sizes_and_email_are_bounded_in_the_api_as_in_open311(personas, body, field):
    response = _api(personas.operator, body)
    assert response.status_code == 422 and field in response.json()["errors"], response.content
    assert AppealEvent.objects.count() == 0


def test_a_valid_email_and_tags_within_the_bounds_pass(personas):
    response = _api(personas.operator, _body(citizen={"email": "zhang@example.com"}, tags=["夜间"] * 20,
                                             extras={"blob": "x" * 1000}))
    assert response.status_code == 201, response.content
