"""Importing holiday-cn JSON files into the holiday tables."""

import io
import json
from datetime import date
from pathlib import Path

import pytest

from jishiban.sla.models import CalendarYear, Holiday
from jishiban.sla.services import HolidayImportError, get_calendar, import_holiday_cn

from .calendars import at

pytestmark = pytest.mark.django_db

SHARED_DATA = Path("/work/shared/data/holiday-cn")

NOTICE_2031 = {
    "year": 2031,
    "papers": ["https://www.gov.cn/zhengce/example-2031.htm"],
    "days": [
        {"name": "元旦", "date": "2030-12-31", "isOffDay": True},
        {"name": "元旦", "date": "2031-01-01", "isOffDay": True},
        {"name": "春节", "date": "2031-01-25", "isOffDay": False},
    ],
}


def write(tmp_path: Path, name: str, payload) -> Path:
    path = tmp_path / name
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False), "utf-8")
    return path


@pytest.fixture
def shared_files() -> list[Path]:
    files = sorted(SHARED_DATA.glob("20*.json")) if SHARED_DATA.is_dir() else []
    if not files:
        pytest.skip(f"{SHARED_DATA} is not available")
    return files


# -- the real holiday-cn data ------------------------------------------------------------------


def test_import_of_shared_holiday_cn_files_agrees_with_the_seed(shared_files):
    summary = import_holiday_cn(*shared_files)
    assert summary.years_without_days == [2027]
    assert 2026 in summary.years_already_marked
    assert not CalendarYear.objects.filter(year=2027).exists()
    # A December day set by the following year's notice lands in its own year.
    assert Holiday.objects.get(date=date(2018, 12, 29)).is_off_day is False
    assert Holiday.objects.get(date=date(2026, 9, 25)).name == "中秋节"
    assert Holiday.objects.get(date=date(2026, 9, 25)).source == "holiday-cn 2026"
    assert get_calendar().add(at("2026-09-30T10:00"), "2d") == at("2026-10-09T17:30")
    assert "2027" in str(summary)


def test_reimporting_shared_files_changes_nothing(shared_files):
    import_holiday_cn(*shared_files)
    stamps = dict(Holiday.objects.values_list("date", "updated_at"))
    summary = import_holiday_cn(*shared_files)
    assert (summary.created, summary.updated) == (0, 0)
    assert summary.unchanged == sum(len(json.loads(path.read_text("utf-8"))["days"]) for path in shared_files)
    assert dict(Holiday.objects.values_list("date", "updated_at")) == stamps


# -- a small file ------------------------------------------------------------------------------


def test_import_marks_the_year_covered_and_the_calendar_uses_it(tmp_path):
    summary = import_holiday_cn(write(tmp_path, "2031.json", NOTICE_2031))
    assert (summary.created, summary.updated, summary.unchanged) == (3, 0, 0)
    assert summary.years_marked == [2031]
    year = CalendarYear.objects.get(year=2031)
    assert year.source == "holiday-cn"
    assert "example-2031" in year.note
    cal = get_calendar()
    assert not cal.is_working_day(date(2031, 1, 1))
    assert cal.is_working_day(date(2031, 1, 25))  # make-up Saturday
    assert not cal.is_working_day(date(2030, 12, 31))  # set by the 2031 notice


def test_reimporting_a_file_is_idempotent(tmp_path):
    path = write(tmp_path, "2031.json", NOTICE_2031)
    import_holiday_cn(path)
    again = import_holiday_cn(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert again.years_marked == [] and again.years_already_marked == [2031]
    assert CalendarYear.objects.filter(year=2031).count() == 1


def test_a_changed_notice_updates_the_day(tmp_path):
    import_holiday_cn(write(tmp_path, "2031.json", NOTICE_2031))
    revised = {**NOTICE_2031, "days": [{"name": "春节", "date": "2031-01-25", "isOffDay": True}]}
    summary = import_holiday_cn(write(tmp_path, "2031-revised.json", revised))
    assert summary.updated == 1
    assert Holiday.objects.get(date=date(2031, 1, 25)).is_off_day is True


def test_empty_days_list_does_not_mark_the_year_covered(tmp_path):
    summary = import_holiday_cn(write(tmp_path, "2032.json", {"year": 2032, "papers": [], "days": []}))
    assert summary.years_without_days == [2032]
    assert not CalendarYear.objects.filter(year=2032).exists()
    assert "2032" in str(summary)


def test_empty_file_for_a_covered_year_keeps_it_covered(tmp_path):
    import_holiday_cn(write(tmp_path, "2026.json", {"year": 2026, "papers": [], "days": []}))
    assert CalendarYear.objects.filter(year=2026).exists()


def test_an_open_file_can_be_imported():
    upload = io.BytesIO(json.dumps(NOTICE_2031).encode("utf-8"))
    upload.name = "uploads/2031.json"
    summary = import_holiday_cn(upload)
    assert summary.files == ["2031.json"]
    assert CalendarYear.objects.filter(year=2031).exists()


def test_a_bad_file_in_a_batch_writes_nothing(tmp_path):
    good = write(tmp_path, "2031.json", NOTICE_2031)
    bad = write(
        tmp_path,
        "2033.json",
        {"year": 2033, "papers": [], "days": [{"name": "x", "date": "nope", "isOffDay": True}]},
    )
    with pytest.raises(HolidayImportError, match="2033.json"):
        import_holiday_cn(good, bad)
    assert not Holiday.objects.filter(date__year=2031).exists()
    assert not CalendarYear.objects.filter(year=2031).exists()


# -- errors name the file and the field --------------------------------------------------------


def _notice_with_day(**day) -> dict:
    return {
        "year": 2031,
        "papers": [],
        "days": [{"name": "元旦", "date": "2031-01-01", "isOffDay": True, **day}],
    }


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"papers": [], "days": []}, "year"),
        ({"year": "2031", "papers": [], "days": []}, "year"),
        ({"year": 2031, "papers": "x", "days": []}, "papers"),
        ({"year": 2031, "papers": [], "days": {}}, "days"),
        (_notice_with_day(date="2031-02-30"), "days[0].date"),
        (_notice_with_day(date="2031/01/01"), "days[0].date"),
        (_notice_with_day(date="2035-01-01"), "days[0].date"),
        (_notice_with_day(isOffDay="yes"), "days[0].isOffDay"),
        (_notice_with_day(name=None), "days[0].name"),
        ({"year": 2031, "papers": [], "days": [{"date": "2031-01-01", "isOffDay": True}]}, "days[0].name"),
    ],
)
def test_malformed_file_is_refused_naming_file_and_field(tmp_path, payload, field):
    with pytest.raises(HolidayImportError) as caught:
        import_holiday_cn(write(tmp_path, "2031.json", payload))
    assert "2031.json" in str(caught.value)
    assert field in str(caught.value)


def test_invalid_json_is_refused_with_its_position(tmp_path):
    with pytest.raises(HolidayImportError, match=r"2031\.json.*JSON.*第 1 行"):
        import_holiday_cn(write(tmp_path, "2031.json", '{"year": 2031,'))


def test_a_top_level_list_is_refused(tmp_path):
    with pytest.raises(HolidayImportError, match="2031.json"):
        import_holiday_cn(write(tmp_path, "2031.json", "[]"))


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(HolidayImportError, match="无法读取"):
        import_holiday_cn(tmp_path / "1999.json")


def test_a_day_both_off_and_worked_in_one_file_is_refused(tmp_path):
    payload = {
        "year": 2031,
        "papers": [],
        "days": [
            {"name": "元旦", "date": "2031-01-01", "isOffDay": True},
            {"name": "元旦", "date": "2031-01-01", "isOffDay": False},
        ],
    }
    with pytest.raises(HolidayImportError, match=r"days\[1\]\.isOffDay"):
        import_holiday_cn(write(tmp_path, "2031.json", payload))


def test_files_that_disagree_about_a_day_are_refused(tmp_path):
    first = write(tmp_path, "2031.json", NOTICE_2031)
    second = write(
        tmp_path,
        "2030.json",
        {"year": 2030, "papers": [], "days": [{"name": "x", "date": "2030-12-31", "isOffDay": False}]},
    )
    with pytest.raises(HolidayImportError, match="2030-12-31"):
        import_holiday_cn(first, second)
