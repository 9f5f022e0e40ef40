"""``jishiban import appeals``: canonical CSV/XLSX/JSONL, bad rows, re-import, interrupted imports."""

import csv
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from jishiban.appeals.models import Appeal, AppealEvent
from jishiban.channels.models import Channel
from jishiban.intake.bulk.loader import Importer
from jishiban.intake.bulk.mappings import MAPPINGS
from jishiban.intake.bulk.readers import read

HEADER = ["external_id", "received_at", "title", "content", "address", "lat", "lon", "citizen_name",
          "citizen_phone", "appeal_type", "category", "county"]
GOOD = [
    ["A1", "2026-10-01T09:00:00+08:00", "停水", "小区停水三天", "任城区某路", "35.4", "116.5", "张三", "139 0000 1111",
     "complaint", "020101", "370811"],
    ["A2", "2026-10-02 10:00", "路灯", "路灯不亮", "", "", "", "李四", "", "consult", "", "370812"],
    ["", "2026-10-03 10:00", "无编号", "无编号的诉求", "", "", "", "", "", "", "", ""],
]
BAD = [
    ["B1", "soon", "坏时间", "内容", "", "", "", "", "", "consult", "", ""],
    ["B2", "2026-10-02 10:00", "", "", "", "", "", "", "", "", "", ""],
    ["B3", "2026-10-02 10:00", "x", "坏分类", "", "99", "", "", "", "", "nope", "999"],
]
DUPLICATES = [
    ["", "2026-10-03 10:00", "无编号", "无编号的诉求", "", "", "", "", "", "", "", ""],
    ["A1", "2026-10-01T09:00:00+08:00", "停水", "重复一行", "", "", "", "", "", "complaint", "", ""],
]


def write_csv(path: Path, rows, header=HEADER, encoding="utf-8"):
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run_import(path, *extra, channel="12345-phone"):
    out, err = StringIO(), StringIO()
    call_command("import", "appeals", str(path), "--channel", channel, *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def report_rows(path: Path):
    with path.open(encoding="utf-8-sig") as fh:
        return list(csv.reader(fh))[1:]


def test_canonical_csv_imports_good_rows_and_reports_bad_ones(reference_data, tmp_path):
    source = write_csv(tmp_path / "in.csv", GOOD + BAD + DUPLICATES)
    report = tmp_path / "report.csv"
    out, _err = run_import(source, "--report", str(report))
    assert "导入 3 件，已存在 2 件，拒绝 3 行" in out
    assert str(report) in out
    assert Appeal.objects.count() == 3 and AppealEvent.objects.filter(action="receive").count() == 3
    rejected = {row[0]: row for row in report_rows(report)}
    assert set(rejected) == {"5", "6", "7"}  # header is row 1
    assert rejected["5"][1] == "B1" and "received_at" in rejected["5"][2]
    assert "content" in rejected["6"][2]
    assert all(field in rejected["7"][2] for field in ("category", "county", "lat"))


def test_imported_rows_follow_the_pipeline_rules(reference_data, tmp_path):
    run_import(write_csv(tmp_path / "in.csv", GOOD), "--report", str(tmp_path / "r.csv"))
    first = Appeal.objects.get(external_id="A1")
    assert first.citizen_phone == "13900001111"  # normalised as in the pipeline
    assert first.county.code == "370811" and first.category.code == "020101"
    assert first.number.startswith("JN20261001") and first.status == "received" and first.version == 1
    assert str(first.lat) == "35.400000"
    derived = Appeal.objects.get(title="无编号")
    assert derived.external_id.startswith("row-")
    event = AppealEvent.objects.get(appeal=first)
    assert event.at == first.received_at and event.payload["external_id"] == "A1"


def test_numbers_continue_the_daily_sequence_of_single_intake(reference_data, tmp_path):
    from jishiban.testing import make_appeal

    single = make_appeal(received_at="2026-10-01T08:00:00+08:00")
    run_import(write_csv(tmp_path / "in.csv", GOOD[:1]), "--report", str(tmp_path / "r.csv"))
    imported = Appeal.objects.get(external_id="A1")
    assert single.number == "JN2026100100001" and imported.number == "JN2026100100002"
    later = make_appeal(received_at="2026-10-01T18:00:00+08:00")  # ids and numbers go on after an import
    assert later.number == "JN2026100100003" and later.pk > imported.pk


def test_running_the_same_file_twice_imports_nothing_new(reference_data, tmp_path):
    source = write_csv(tmp_path / "in.csv", GOOD + BAD)
    run_import(source, "--report", str(tmp_path / "r1.csv"))
    out, _err = run_import(source, "--report", str(tmp_path / "r2.csv"))
    assert "导入 0 件，已存在 3 件，拒绝 3 行" in out
    assert Appeal.objects.count() == 3


def test_gb18030_csv_is_detected(reference_data, tmp_path):
    source = write_csv(tmp_path / "gbk.csv", GOOD[:2], encoding="gb18030")
    out, _err = run_import(source, "--report", str(tmp_path / "r.csv"))
    assert "导入 2 件" in out
    assert Appeal.objects.get(external_id="A1").content == "小区停水三天"


def test_xlsx_import(reference_data, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append([1001, "2026-10-01 09:00", "停水", "小区停水", "", 35.4, 116.5, "张三", "13900001111", "complaint",
                  "020101", "370811"])
    sheet.append(["1002", None, "无内容", None, None, None, None, None, None, None, None, None])
    path = tmp_path / "in.xlsx"
    book.save(path)
    report = tmp_path / "r.csv"
    out, _err = run_import(path, "--report", str(report))
    assert "导入 1 件，已存在 0 件，拒绝 1 行" in out
    assert Appeal.objects.get().external_id == "1001"
    assert report_rows(report)[0][:2] == ["3", "1002"]


def test_jsonl_import_with_a_broken_line(reference_data, tmp_path):
    lines = [json.dumps(dict(zip(HEADER, GOOD[0], strict=True)), ensure_ascii=False), "{not json",
             json.dumps(dict(zip(HEADER, GOOD[1], strict=True)), ensure_ascii=False)]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = tmp_path / "r.csv"
    out, _err = run_import(path, "--report", str(report))
    assert "导入 2 件，已存在 0 件，拒绝 1 行" in out
    assert report_rows(report)[0][0] == "2" and "JSON" in report_rows(report)[0][2]


def test_missing_columns_stop_before_anything_is_written(reference_data, tmp_path):
    source = write_csv(tmp_path / "in.csv", [["x", "y"]], header=["id", "text"])
    with pytest.raises(CommandError, match="content"):
        run_import(source, "--report", str(tmp_path / "r.csv"))
    assert Appeal.objects.count() == 0


def test_unknown_channel_is_refused(reference_data, tmp_path):
    with pytest.raises(CommandError):
        run_import(write_csv(tmp_path / "in.csv", GOOD), channel="no-such")


class Killed(Exception):
    pass


def test_interrupted_import_keeps_committed_batches_and_a_rerun_completes_it(reference_data, tmp_path):
    """GIVEN an import killed right after its first committed batch
    WHEN the same file is imported again
    THEN the first batch is kept, nothing is duplicated and the rest is imported."""
    rows = [[f"K{n}", "2026-10-01 09:00", f"标题{n}", f"第{n}件诉求", "", "", "", "", "", "", "", ""]
            for n in range(25)]
    source = write_csv(tmp_path / "in.csv", rows)
    channel = Channel.objects.get(code="12345-phone")
    reported = []

    def crash_after_first_batch(stats):
        reported.append(stats.imported)
        raise Killed

    importer = Importer(channel, batch_size=10, on_batch=crash_after_first_batch)
    with pytest.raises(Killed):
        importer.run(read(source, "csv"), MAPPINGS["canonical"])
    assert reported == [10] and Appeal.objects.count() == 10

    again = Importer(channel, batch_size=10).run(read(source, "csv"), MAPPINGS["canonical"])
    assert (again.imported, again.present, again.rejected) == (15, 10, 0)
    assert Appeal.objects.count() == 25 and AppealEvent.objects.count() == 25
    assert len(set(Appeal.objects.values_list("number", flat=True))) == 25


def test_a_batch_failing_mid_write_leaves_nothing_of_that_batch(reference_data, tmp_path, monkeypatch):
    rows = [[f"F{n}", "2026-10-01 09:00", "t", f"诉求{n}", "", "", "", "", "", "", "", ""] for n in range(5)]
    source = write_csv(tmp_path / "in.csv", rows)
    channel = Channel.objects.get(code="12345-phone")
    importer = Importer(channel, batch_size=10)

    def broken_events(rows):
        raise Killed

    monkeypatch.setattr(importer.events, "write", broken_events)
    with pytest.raises(Killed):
        importer.run(read(source, "csv"), MAPPINGS["canonical"])
    assert Appeal.objects.count() == 0 and importer.stats.imported == 0
    from jishiban.appeals.models import NumberSequence

    assert not NumberSequence.objects.filter(last__gt=0).exists()


def test_after_intake_hooks_run_once_per_imported_appeal(reference_data, tmp_path):
    from jishiban.intake.hooks import register_after_intake, unregister_after_intake

    seen = []
    register_after_intake(seen.append)
    try:
        run_import(write_csv(tmp_path / "in.csv", GOOD), "--report", str(tmp_path / "r.csv"))
        run_import(write_csv(tmp_path / "in.csv", GOOD), "--report", str(tmp_path / "r.csv"))
    finally:
        unregister_after_intake(seen.append)
    assert sorted(seen) == sorted(Appeal.objects.values_list("pk", flat=True))


def test_worker_processes_give_the_same_result_as_one_process(reference_data, tmp_path):
    """One preparation process, or one with a pool of two: the same rows, numbers and
    rejections as preparing in the importing process. Rows with unknown codes are handed back
    to the parent (workers never query)."""
    rows = [[f"W{n}", "2026-10-01 09:00", "t", f"诉求{n}", "", "", "", "", "", "", "020101" if n % 3 else "nope",
             "370811" if n % 4 else "999999"] for n in range(40)] + BAD
    source = write_csv(tmp_path / "in.csv", rows)
    results = {}
    for code, workers in (("12345-phone", 0), ("12345-web", 1), ("12345-wechat", 2)):
        rejected = []
        stats = Importer(Channel.objects.get(code=code), batch_size=7, workers=workers, on_reject=rejected.append,
                         after_intake=False).run(read(source, "csv"), MAPPINGS["canonical"])
        order = list(Appeal.objects.filter(channel__code=code).order_by("number").values_list("external_id", flat=True))
        results[workers] = ((stats.imported, stats.rejected), rejected, order)
    assert results[0] == results[1] == results[2]
    assert results[0][0] == (20, 23)


@pytest.mark.parametrize("workers", [1, 2])
def test_an_error_while_preparing_rows_in_workers_reaches_the_importer(reference_data, tmp_path, workers):
    """GIVEN a file that fails part-way (here: a reader that raises after 30 rows)
    WHEN it is imported with workers
    THEN the importer raises that error and what was committed before it stays."""
    source = read(write_csv(tmp_path / "in.csv", [[f"E{n}", "2026-10-01 09:00", "t", f"诉求{n}"] + [""] * 8
                                                  for n in range(60)]), "csv")

    def failing():
        for count, row in enumerate(source):
            if count == 30:
                raise UnicodeDecodeError("gb18030", b"\xff", 0, 1, "row 32 does not decode")
            yield row

    importer = Importer(Channel.objects.get(code="12345-phone"), batch_size=10, workers=workers, after_intake=False)
    with pytest.raises(UnicodeDecodeError, match="row 32"):
        importer.run(failing(), MAPPINGS["canonical"])
    assert importer.stats.imported == Appeal.objects.count() == 30


def test_stopping_an_import_with_workers_stops_its_preparation_process(reference_data, tmp_path):
    import multiprocessing

    rows = [[f"K{n}", "2026-10-01 09:00", "t", f"诉求{n}"] + [""] * 8 for n in range(3000)]
    source = write_csv(tmp_path / "in.csv", rows)

    def stop(stats):
        raise KeyboardInterrupt

    importer = Importer(Channel.objects.get(code="12345-phone"), batch_size=100, workers=1, after_intake=False,
                        on_batch=stop)
    with pytest.raises(KeyboardInterrupt):
        importer.run(read(source, "csv"), MAPPINGS["canonical"])
    assert Appeal.objects.count() == 100
    assert not [p for p in multiprocessing.active_children() if p.name == "jishiban-import-prepare"]


def test_ids_among_stored_ones_are_found_present(reference_data, tmp_path):
    """A batch whose id range spans ids already stored (not a new range) checks each id."""
    def row(key):
        return [key, "2026-10-01 09:00", "t", f"诉求{key}"] + [""] * 8

    channel = Channel.objects.get(code="12345-phone")
    Importer(channel, after_intake=False).run(read(write_csv(tmp_path / "a.csv", [row("M2"), row("M4")]), "csv"),
                                              MAPPINGS["canonical"])
    stats = Importer(channel, after_intake=False).run(
        read(write_csv(tmp_path / "b.csv", [row(f"M{n}") for n in range(1, 6)]), "csv"), MAPPINGS["canonical"])
    assert (stats.imported, stats.present) == (3, 2)
    assert sorted(Appeal.objects.values_list("external_id", flat=True)) == ["M1", "M2", "M3", "M4", "M5"]


def test_statistics_are_refreshed_as_the_import_grows_on_postgresql(reference_data, tmp_path, monkeypatch):
    from django.db import connection

    from jishiban.intake.bulk import loader

    monkeypatch.setattr(loader, "ANALYZE_FIRST_AT", 2)
    rows = [[f"S{n}", "2026-10-01 09:00", "t", f"诉求{n}", "", "", "", "", "", "", "", ""] for n in range(9)]
    importer = Importer(Channel.objects.get(code="12345-phone"), batch_size=3, after_intake=False)
    importer.run(read(write_csv(tmp_path / "in.csv", rows), "csv"), MAPPINGS["canonical"])
    # 3 → analyse, next at 12 (PostgreSQL only; SQLite keeps its planner).
    expected = 12 if connection.vendor == "postgresql" else 2
    assert importer._analyze_at == expected and Appeal.objects.count() == 9


@pytest.mark.parametrize("cpus,vendor,estimate,expected", [
    (2, "sqlite", 1_000_000, 1),       # reading and validating move off the writer
    (2, "postgresql", 1_000_000, 1),
    (2, "postgresql", 1_000, 0),       # small files never fork
    (8, "sqlite", 1_000_000, 1),       # the writer is the slower side: more would wait for it
    (1, "postgresql", 1_000_000, 0),
])
def test_automatic_worker_count_follows_cores_and_size(monkeypatch, cpus, vendor, estimate, expected):
    from importlib import import_module

    from django.db import connection

    command = import_module("jishiban.intake.management.commands.import")

    monkeypatch.setattr(command.os, "cpu_count", lambda: cpus)
    monkeypatch.setattr(type(connection), "vendor", vendor, raising=False)
    assert command.Command._workers("auto", estimate) == expected
    assert command.Command._workers("2", estimate) == 2
