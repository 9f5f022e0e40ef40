"""Data sharing: exports mask personal data, honour row-level access, and are logged."""

import csv
import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from jishiban.appeals import services
from jishiban.appeals.models import PersonalDataAccess
from jishiban.intake.exports import ExportRequest, export_appeals
from jishiban.intake.models import ExportLog
from jishiban.testing import advance, make_appeal


@pytest.fixture
def appeals(personas):
    water = advance(make_appeal(citizen_name="张三丰", citizen_phone="13912345678"), personas, "accepted")
    urban = services.dispatch(make_appeal(content="占道经营", county="370812", citizen_name="李四"),
                              by=personas.dispatcher, lead_unit=personas.urban)
    report = advance(make_appeal(content="举报偷排污水", appeal_type="report", citizen_name="赵六"), personas,
                     "dispatched")
    return water, urban, report


def read_csv(data: bytes):
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def export(user, org=None, **kw):
    stream = io.BytesIO()
    today = timezone.localdate()
    log = export_appeals(user, ExportRequest(org=org, date_from=today, date_to=today, **kw), stream, via="web")
    return log, stream.getvalue()


def test_unit_export_masks_phone_and_is_logged(personas, appeals):
    log, data = export(personas.dept_head, org="city-water")
    rows = read_csv(data)
    assert [r["编号"] for r in rows] == [appeals[0].number, appeals[2].number]
    assert rows[0]["诉求人"] == "张三丰" and rows[0]["联系电话"] == "139****5678"
    assert log.row_count == 2 and log.user == personas.dept_head and log.filters["org"] == "city-water"
    assert not log.personal_data


def test_roles_that_see_less_get_less(personas, appeals):
    _log, data = export(personas.county_other)
    assert [r["编号"] for r in read_csv(data)] == [appeals[1].number]
    _log, data = export(personas.analyst)
    rows = {r["编号"]: r for r in read_csv(data)}
    assert rows[appeals[0].number]["诉求人"] == "张**"  # analysts do not see identities
    assert rows[appeals[2].number]["诉求人"] == "（保密）" and rows[appeals[2].number]["联系电话"] == ""


def test_personal_data_only_where_allowed_and_each_reveal_logged(personas, appeals):
    _log, data = export(personas.supervisor, personal_data=True)
    rows = {r["编号"]: r for r in read_csv(data)}
    assert rows[appeals[0].number]["联系电话"] == "13912345678"
    assert PersonalDataAccess.objects.filter(user=personas.supervisor).count() == 3
    _log, data = export(personas.analyst, personal_data=True)
    assert all("*" in r["联系电话"] or not r["联系电话"] for r in read_csv(data))
    assert not PersonalDataAccess.objects.filter(user=personas.analyst).exists()


def test_roles_without_export_right_are_refused(personas, appeals):
    from jishiban.appeals.errors import ActionForbidden

    for persona in ("handler", "citizen", "operator", "grid_worker"):
        with pytest.raises(ActionForbidden):
            export(getattr(personas, persona))
    assert ExportLog.objects.count() == 0


def test_xlsx_export(personas, appeals):
    from openpyxl import load_workbook

    log, data = export(personas.supervisor, format="xlsx")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.max_row == 4 and sheet.cell(1, 1).value == "编号" and log.format == "xlsx"


def test_formula_cells_are_neutralised(personas):
    make_appeal(content="=HYPERLINK(\"http://x\")")
    _log, data = export(personas.supervisor)
    assert read_csv(data)[0]["诉求内容"].startswith("'=")


def test_command_without_user_masks_everyone(personas, appeals, tmp_path):
    out = tmp_path / "water.csv"
    today = timezone.localdate().isoformat()
    stdout, stderr = StringIO(), StringIO()
    call_command("export", "appeals", "--org", "city-water", "--from", today, "--to", today, "--out", str(out),
                 stdout=stdout, stderr=stderr)
    rows = read_csv(out.read_bytes())
    assert len(rows) == 2 and rows[0]["诉求人"] == "张**" and rows[0]["联系电话"] == "139****5678"
    assert str(out) in stdout.getvalue()
    log = ExportLog.objects.get()
    assert log.user is None and log.via == "command" and log.row_count == 2


def test_command_without_user_keeps_confidential_and_anonymous_citizens_hidden(personas, tmp_path):
    """An export made for nobody in particular shows what someone who may not see the citizen
    sees: （保密） without a phone for a confidential appeal, 匿名 for an anonymous one."""
    make_appeal(citizen_name="钱七", citizen_phone="13700001234", confidential=True)
    make_appeal(citizen_name="孙八", citizen_phone="13600004321", anonymous=True)
    out = tmp_path / "all.csv"
    today = timezone.localdate().isoformat()
    call_command("export", "appeals", "--from", today, "--to", today, "--out", str(out),
                 stdout=StringIO(), stderr=StringIO())
    shown = sorted((row["诉求人"], row["联系电话"]) for row in read_csv(out.read_bytes()))
    assert shown == [("匿名", ""), ("（保密）", "")]


def test_command_as_user_and_errors(personas, appeals, tmp_path):
    today = timezone.localdate().isoformat()
    out = tmp_path / "x.xlsx"
    call_command("export", "appeals", "--from", today, "--to", today, "--format", "xlsx", "--as", "county_yanzhou",
                 "--out", str(out), stdout=StringIO(), stderr=StringIO())
    assert ExportLog.objects.get().row_count == 1
    with pytest.raises(CommandError):
        call_command("export", "appeals", "--from", today, "--to", "2000-01-01", "--out", str(out),
                     stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError):
        call_command("export", "appeals", "--from", today, "--to", today, "--as", "dept_water", "--out", str(out),
                     stdout=StringIO(), stderr=StringIO())
    assert ExportLog.objects.count() == 1


def test_export_view_for_authorised_users(personas, appeals):
    today = timezone.localdate().isoformat()
    client = Client()
    client.force_login(personas.dept_head)
    response = client.get("/api/v1/exports/appeals.csv", {"org": "city-water", "from": today, "to": today})
    assert response.status_code == 200
    rows = read_csv(b"".join(response.streaming_content))
    assert len(rows) == 2 and "attachment" in response["Content-Disposition"]
    client.force_login(personas.handler)
    response = client.get("/api/v1/exports/appeals.csv", {"from": today, "to": today})
    assert response.status_code == 403
    response = Client().get("/api/v1/exports/appeals.csv", {"from": today, "to": today})
    assert response.status_code == 401
    client.force_login(personas.supervisor)
    response = client.get("/api/v1/exports/appeals.xlsx", {"org": "nope", "from": today, "to": today})
    assert response.status_code == 422 and "org" in response.json()["errors"]
    assert ExportLog.objects.count() == 1
