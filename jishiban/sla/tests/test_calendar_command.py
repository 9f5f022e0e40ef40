"""The ``calendar`` management command: due, import, check."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jishiban.sla.models import CalendarYear

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("calendar", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("start", "duration", "printed"),
    [
        ("2026-09-30T10:00", "2d", "2026-10-09T17:30:00+08:00"),
        ("2026-09-30T10:00", "1d", "2026-10-08T17:30:00+08:00"),
        ("2026-09-30T10:00", "0d", "2026-09-30T17:30:00+08:00"),
        ("2026-09-30T10:00", "4h", "2026-09-30T15:30:00+08:00"),
        ("2026-09-30T02:00+00:00", "2d", "2026-10-09T17:30:00+08:00"),
        ("2026-09-30T02:00Z", "2d", "2026-10-09T17:30:00+08:00"),
    ],
)
def test_due_prints_the_iso_deadline_with_offset(start, duration, printed):
    assert run("due", start, duration) == printed + "\n"


@pytest.mark.parametrize("duration", ["2x", "", "1.5d"])
def test_due_with_a_malformed_duration_is_a_command_error(duration):
    with pytest.raises(CommandError, match="时限"):
        run("due", "2026-09-30T10:00", duration)


def test_due_with_a_negative_duration_is_a_command_error():
    # Without "--" argparse already refuses "-1d" as an unknown option.
    with pytest.raises(CommandError):
        run("due", "2026-09-30T10:00", "-1d")
    with pytest.raises(CommandError, match="negative"):
        run("due", "2026-09-30T10:00", "--", "-1d")


def test_due_with_a_malformed_start_is_a_command_error():
    with pytest.raises(CommandError, match="ISO 8601"):
        run("due", "next tuesday", "2d")


def test_due_without_arguments_is_a_command_error():
    with pytest.raises(CommandError):
        run("due", "2026-09-30T10:00")


def test_unknown_subcommand_is_a_command_error():
    with pytest.raises(CommandError):
        run("explain")


def test_import_prints_a_summary(tmp_path):
    path = tmp_path / "2031.json"
    path.write_text(
        json.dumps(
            {"year": 2031, "papers": [], "days": [{"name": "元旦", "date": "2031-01-01", "isOffDay": True}]}
        ),
        "utf-8",
    )
    printed = run("import", str(path))
    assert "新增 1 天" in printed
    assert "2031" in printed
    assert CalendarYear.objects.filter(year=2031).exists()


def test_import_of_a_bad_file_is_a_command_error_naming_it(tmp_path):
    path = tmp_path / "2031.json"
    path.write_text('{"year": 2031}', "utf-8")
    with pytest.raises(CommandError, match=r"2031\.json.*papers"):
        run("import", str(path))


def test_check_of_a_covered_year_prints_a_line():
    printed = run("check", "2026")
    assert printed.startswith("2026 年已有法定节假日数据")
    assert "放假 33 天，调休上班 6 天" in printed


def test_check_of_a_year_without_data_fails():
    with pytest.raises(CommandError, match="2099 年没有法定节假日数据"):
        run("check", "2099")


def test_check_of_a_malformed_year_fails():
    with pytest.raises(CommandError, match="四位"):
        run("check", "20x6")


def test_due_into_a_year_without_data_warns_on_stderr():
    out, err = StringIO(), StringIO()
    call_command("calendar", "due", "2099-12-31T10:00", "1d", stdout=out, stderr=err)
    assert out.getvalue() == "2100-01-01T17:30:00+08:00\n"
    assert "2099、2100 年没有法定节假日数据" in err.getvalue()
