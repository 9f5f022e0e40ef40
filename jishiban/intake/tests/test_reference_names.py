"""Reference fields named as people write them: a spreadsheet with 投诉 and 鱼台县, an API call
with a category's name, a form given a path. One resolver per field, the same for every
interface; a value it cannot resolve is named in the rejection."""

import csv
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from jishiban.appeals.creation import NewAppeal, validate
from jishiban.appeals.errors import AppealValidationError
from jishiban.appeals.lookup import appeal_type
from jishiban.appeals.models import Appeal
from jishiban.channels.lookup import CHANNELS
from jishiban.regions.lookup import COUNTIES, TOWNS
from jishiban.regions.models import Region, RegionLevel
from jishiban.taxonomy.lookup import CATEGORIES
from jishiban.taxonomy.models import Category

HEADER = ["external_id", "received_at", "content", "appeal_type", "category", "county", "town"]


def import_rows(tmp_path, rows, *extra):
    source = tmp_path / "names.csv"
    with source.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *rows])
    report = tmp_path / "report.csv"
    out = StringIO()
    with translation.override("zh-hans"):  # the reasons are read in Chinese below
        call_command("import", "appeals", str(source), "--channel", "12345热线电话", "--report", str(report),
                     "--no-after-intake", *extra, stdout=out, stderr=StringIO())
    with report.open(encoding="utf-8-sig") as fh:
        return out.getvalue(), list(csv.reader(fh))[1:]


@pytest.mark.parametrize("workers", ["0", "1"])
def test_a_spreadsheet_with_names_imports_every_row(reference_data, tmp_path, workers):
    rows = [
        ["N1", "2026-10-01 09:00", "小区停水", "投诉", "停水", "鱼台县", "谷亭街道"],
        ["N2", "2026-10-01 09:05", "小区停水", "投诉类", "水电气暖/供水/停水", "鱼台", "谷亭"],
        ["N3", "2026-10-01 09:10", "小区停水", "complaint", "020101", "370827", "370827001"],
        ["N4", "2026-10-01 09:15", "小区停水", "咨询", "供水 > 停水", "济宁市鱼台县", ""],
        ["N5", "2026-10-01 09:20", "高新区的路灯", "建议", "", "高新区", ""],
    ]
    out, report = import_rows(tmp_path, rows, "--workers", workers)
    assert "导入 5 件，已存在 0 件，拒绝 0 行" in out, report
    yutai = Region.objects.get(code="370827")
    for number in ("N1", "N2", "N3"):
        appeal = Appeal.objects.get(external_id=number)
        assert (appeal.appeal_type, appeal.category.code, appeal.county, appeal.town.code) == (
            "complaint", "020101", yutai, "370827001")
    assert Appeal.objects.get(external_id="N4").appeal_type == "consult"
    assert Appeal.objects.get(external_id="N5").county.code == "370871"


@pytest.mark.parametrize("workers", ["0", "1"])
def test_the_rejection_report_names_the_value_it_could_not_resolve(reference_data, tmp_path, workers):
    rows = [
        ["R1", "2026-10-01 09:00", "内容", "抱怨", "", "", ""],
        ["R2", "2026-10-01 09:00", "内容", "投诉", "", "鱼台镇", ""],
        ["R3", "2026-10-01 09:00", "内容", "投诉", "停电了", "", ""],
        ["R4", "2026-10-01 09:00", "内容", "投诉", "食品安全", "", ""],
        ["R5", "2026-10-01 09:00", "内容", "投诉", "", "鱼台县", "王庄街道"],
    ]
    out, report = import_rows(tmp_path, rows, "--workers", workers)
    assert "导入 0 件，已存在 0 件，拒绝 5 行" in out
    reasons = {row[1]: row[2] for row in report}
    assert "appeal_type" in reasons["R1"] and "抱怨" in reasons["R1"]
    assert reasons["R2"].startswith("county:") and "鱼台镇" in reasons["R2"] and "鱼台县" in reasons["R2"]
    assert reasons["R3"].startswith("category:") and "停电了" in reasons["R3"]
    assert "食品安全" in reasons["R4"] and "不唯一" in reasons["R4"]  # two categories bear that name
    assert reasons["R5"].startswith("town:") and "王庄街道" in reasons["R5"]
    assert not Appeal.objects.exists()


def test_the_api_takes_names_too(personas):
    from jishiban.api.tests.conftest import ApiClient

    client = ApiClient(personas.operator)
    body = {"channel": "12345网站", "content": "小区停水", "appeal_type": "投诉", "category": "停水",
            "location": {"county": "鱼台", "address": "谷亭街道某小区"}, "external_id": "API-N1"}
    response = client.post("/appeals", body)
    assert response.status_code == 201, response.content
    appeal = Appeal.objects.get(external_id="API-N1")
    assert (appeal.channel.code, appeal.appeal_type, appeal.category.code, appeal.county.code) == (
        "12345-web", "complaint", "020101", "370827")
    response = client.post("/appeals", {**body, "location": {"county": "鱼台镇"}, "external_id": "API-N2"})
    assert response.status_code == 422
    assert "鱼台镇" in response.json()["errors"]["county"][0]


def test_the_desk_form_takes_a_category_path(reference_data):
    from jishiban.web.forms.intake import IntakeForm

    form = IntakeForm(data={"citizen_phone": "13900001111", "channel": "12345-phone", "appeal_type": "complaint",
                            "category": "供水/停水", "content": "停水了"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["category"] == "020101"


def test_each_resolver_takes_code_name_and_variant(reference_data):
    assert {COUNTIES.get(v).code for v in ("370827", "鱼台县", "鱼台", "济宁市鱼台县", " 鱼台县 ")} == {"370827"}
    assert TOWNS.get("谷亭").code == TOWNS.get("鱼台县谷亭街道").code == "370827001"
    assert CATEGORIES.get("水电气暖 / 供水 / 停水").code == CATEGORIES.get("停水").code == "020101"
    assert CHANNELS.get("12345热线电话").code == CHANNELS.get("12345-phone").code
    assert {appeal_type(v) for v in ("投诉", "投诉类", "complaint", "Complaint")} == {"complaint"}
    assert COUNTIES.get("鱼台镇") is None and appeal_type("抱怨") is None


def test_a_row_saved_elsewhere_is_found_by_code_at_once(reference_data):
    assert COUNTIES.get("鱼台").code == "370827"  # the snapshot is now built
    city = Region.objects.get(code="3708")
    Region.objects.bulk_create([Region(code="370899", name="试验县", level=RegionLevel.COUNTY, parent=city)])  # no signal
    assert COUNTIES.get("370899").name == "试验县"
    assert COUNTIES.get("试验").name == "试验县"  # the probe found a change: the snapshot is rebuilt


def test_inactive_categories_are_not_found(reference_data):
    Category.objects.filter(code="020101").update(is_active=False)
    CATEGORIES.clear()
    with pytest.raises(AppealValidationError) as err:
        validate(NewAppeal(channel="12345-phone", content="停水", category="停水"))
    assert "停水" in err.value.message
