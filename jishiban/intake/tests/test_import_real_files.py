"""The teddy and nyc311 mappings on the reference files in ../shared/data (skipped when absent)."""

import csv
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from jishiban.appeals.models import Appeal

DATA = Path(settings.BASE_DIR).parent / "shared" / "data"
TEDDY = DATA / "teddy2020" / "sample_with_time.csv"
NYC_CSV = DATA / "us311" / "nyc311_2018_sample_1000.csv"
NYC_JSON = DATA / "us311" / "nyc311_fhrw-4uyv.json"


def need(path: Path):
    if not path.is_file():
        pytest.skip(f"reference data {path} is absent")


def run(path, channel, mapping, report):
    out = StringIO()
    call_command("import", "appeals", str(path), "--channel", channel, "--mapping", mapping, "--report",
                 str(report), stdout=out, stderr=StringIO())
    return out.getvalue()


def source_rows(path):
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_teddy_message_board(reference_data, tmp_path):
    need(TEDDY)
    rows = source_rows(TEDDY)
    unique_ids = {r["留言编号"] for r in rows}
    out = run(TEDDY, "wenzheng", "teddy", tmp_path / "r.csv")
    assert Appeal.objects.count() == len(unique_ids)
    assert f"导入 {len(unique_ids)} 件，已存在 {len(rows) - len(unique_ids)} 件，拒绝 0 行" in out
    first = rows[0]
    appeal = Appeal.objects.get(external_id=first["留言编号"])
    assert appeal.title == first["留言主题"].strip()
    local = timezone.localtime(appeal.received_at)
    assert local.strftime("%Y/%-m/%-d %-H:%M:%S") == first["留言时间"]
    assert appeal.extras["board_user"] == first["留言用户"] and appeal.extras["label"] == first["一级分类"]
    again = run(TEDDY, "wenzheng", "teddy", tmp_path / "r2.csv")
    assert f"导入 0 件，已存在 {len(rows)} 件" in again


def test_nyc311_csv_in_new_york_time(reference_data, tmp_path):
    need(NYC_CSV)
    rows = source_rows(NYC_CSV)
    out = run(NYC_CSV, "open311", "nyc311", tmp_path / "r.csv")
    assert f"导入 {len(rows)} 件" in out and "拒绝 0 行" in out
    first = rows[0]
    appeal = Appeal.objects.get(external_id=first["Unique Key"])
    assert appeal.title == first["Complaint Type"] and first["Descriptor"] in appeal.content
    assert appeal.received_at.astimezone(ZoneInfo("America/New_York")).strftime("%m/%d/%Y %I:%M:%S %p") == \
        first["Created Date"]
    assert appeal.county is None and float(appeal.lat) == pytest.approx(float(first["Latitude"]), abs=1e-6)
    assert appeal.appeal_type == "complaint" and appeal.extras["agency"] == first["Agency"]


def test_nyc311_socrata_json(reference_data, tmp_path):
    need(NYC_JSON)
    import json

    records = json.loads(NYC_JSON.read_text(encoding="utf-8"))
    out = run(NYC_JSON, "open311", "nyc311", tmp_path / "r.csv")
    assert f"导入 {len(records)} 件" in out
    record = records[0]
    appeal = Appeal.objects.get(external_id=record["unique_key"])
    assert appeal.address.startswith(record["incident_address"])
    assert appeal.received_at.astimezone(ZoneInfo("America/New_York")).replace(tzinfo=None).isoformat() == \
        record["created_date"].replace(".000", "")
