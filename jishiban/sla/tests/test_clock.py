"""The pure working-time clock: no database, the 2026 notice as data."""

import logging
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from jishiban.sla.clock import Duration, WorkCalendar, parse_duration, parse_work_hours

from .calendars import SHANGHAI, at, calendar_2026


@pytest.fixture
def cal() -> WorkCalendar:
    return calendar_2026()


# -- durations ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2d", Duration(2, "d")),
        ("4h", Duration(4, "h")),
        ("30m", Duration(30, "m")),
        ("0d", Duration(0, "d")),
        (" 5d ", Duration(5, "d")),
    ],
)
def test_parse_duration_reads_days_hours_and_minutes(text, expected):
    assert parse_duration(text) == expected


def test_duration_prints_back_as_written():
    assert str(parse_duration("2d")) == "2d"
    assert str(Duration(30, "m")) == "30m"


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("2x", "not understood"),
        ("-1d", "negative"),
        ("", "empty"),
        ("   ", "empty"),
        ("d", "not understood"),
        ("2", "not understood"),
        ("1.5d", "not understood"),
        ("2 d", "not understood"),
        ("99999d", "too long"),
    ],
)
def test_parse_duration_rejects_malformed_text_with_a_reason(text, complaint):
    with pytest.raises(ValueError, match=complaint):
        parse_duration(text)


def test_duration_refuses_negative_amounts_and_unknown_units():
    with pytest.raises(ValueError, match="negative"):
        Duration(-1, "d")
    with pytest.raises(ValueError, match="unit"):
        Duration(1, "w")  # type: ignore[arg-type]


# -- work hours --------------------------------------------------------------------------------


def test_parse_work_hours_reads_the_default_setting():
    assert parse_work_hours("08:30-12:00,13:30-17:30") == (
        (time(8, 30), time(12, 0)),
        (time(13, 30), time(17, 30)),
    )


@pytest.mark.parametrize(
    "text", ["", "8:30", "08:30-12", "12:00-08:30", "08:00-12:00,11:00-13:00", "25:00-26:00"]
)
def test_parse_work_hours_rejects_malformed_or_overlapping_periods(text):
    with pytest.raises(ValueError):
        parse_work_hours(text)


# -- working days ------------------------------------------------------------------------------


def test_make_up_saturday_counts_as_working_day(cal):
    assert cal.is_working_day(date(2026, 10, 10))


def test_make_up_sunday_counts_as_working_day(cal):
    assert cal.is_working_day(date(2026, 9, 20))


@pytest.mark.parametrize("day", [date(2026, 9, 25), date(2026, 10, 1), date(2026, 10, 5), date(2026, 10, 7)])
def test_official_holidays_are_not_working_days(cal, day):
    assert not cal.is_working_day(day)


def test_ordinary_weekend_is_off_and_weekday_is_working(cal):
    assert not cal.is_working_day(date(2026, 9, 19))
    assert cal.is_working_day(date(2026, 9, 21))


def test_next_working_day_jumps_the_national_day_holiday(cal):
    assert cal.next_working_day(date(2026, 9, 30)) == date(2026, 10, 8)
    assert cal.previous_working_day(date(2026, 10, 8)) == date(2026, 9, 30)


def test_a_datetime_is_not_accepted_as_a_day(cal):
    with pytest.raises(ValueError):
        cal.is_working_day(at("2026-10-01T10:00"))


def test_a_day_cannot_be_both_off_and_make_up():
    with pytest.raises(ValueError, match="2026-10-01"):
        WorkCalendar({date(2026, 10, 1)}, {date(2026, 10, 1)}, {2026})


# -- adding working days -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("duration", "deadline"),
    [
        ("0d", "2026-09-30T17:30"),
        ("1d", "2026-10-08T17:30"),
        ("2d", "2026-10-09T17:30"),
        ("3d", "2026-10-10T17:30"),  # the make-up Saturday
        ("4d", "2026-10-12T17:30"),
    ],
)
def test_days_across_national_day_end_at_close_of_business(cal, duration, deadline):
    assert cal.add(at("2026-09-30T10:00"), duration) == at(deadline)


@pytest.mark.parametrize("hour", ["00:00", "08:29", "17:31", "23:59"])
def test_day_of_receipt_never_counts_whatever_the_hour(cal, hour):
    assert cal.add(at(f"2026-09-21T{hour}"), "1d") == at("2026-09-22T17:30")


def test_appeal_received_on_a_holiday_counts_from_the_next_working_day(cal):
    assert cal.add(at("2026-10-03T09:00"), "1d") == at("2026-10-08T17:30")


def test_appeal_received_on_saturday_is_due_on_the_make_up_sunday(cal):
    assert cal.add(at("2026-09-19T10:00"), "1d") == at("2026-09-20T17:30")


def test_mid_autumn_friday_is_skipped(cal):
    # Thursday 24th + 1 working day: Friday 25th is 中秋, the weekend 26–27 is off.
    assert cal.add(at("2026-09-24T10:00"), "1d") == at("2026-09-28T17:30")


def test_same_day_on_a_holiday_ends_at_close_of_next_working_day(cal):
    assert cal.add(at("2026-10-01T10:00"), "0d") == at("2026-10-08T17:30")


def test_same_day_at_closing_time_is_still_today(cal):
    assert cal.add(at("2026-09-30T17:30"), "0d") == at("2026-09-30T17:30")


def test_same_day_after_closing_time_moves_to_next_working_day(cal):
    assert cal.add(at("2026-09-29T19:00"), "0d") == at("2026-09-30T17:30")


def test_start_in_another_offset_is_read_in_the_calendar_zone(cal):
    start_utc = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    deadline = cal.add(start_utc, "2d")
    assert deadline == at("2026-10-09T17:30")
    assert deadline.utcoffset() == timedelta(hours=8)
    # 20:00 UTC on the 30th is already 1 October (a holiday) in Shanghai.
    assert cal.add(datetime(2026, 9, 30, 20, 0, tzinfo=UTC), "1d") == at("2026-10-08T17:30")


def test_custom_work_periods_move_the_close_of_business():
    cal = calendar_2026()
    short = WorkCalendar(cal.off_days, cal.make_up_days, {2026}, parse_work_hours("09:00-17:00"), tz=SHANGHAI)
    assert short.add(at("2026-09-30T10:00"), "1d") == at("2026-10-08T17:00")


# -- adding working hours ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "duration", "deadline"),
    [
        ("2026-09-30T10:00", "2h", "2026-09-30T12:00"),  # ends at the lunch close, not at 13:30
        ("2026-09-30T10:00", "3h", "2026-09-30T14:30"),
        ("2026-09-30T10:00", "8h", "2026-10-08T10:30"),
        ("2026-09-30T12:30", "1h", "2026-09-30T14:30"),  # lunch break does not count
        ("2026-09-30T07:00", "30m", "2026-09-30T09:00"),  # before opening
        ("2026-09-30T18:00", "1h", "2026-10-08T09:30"),  # after closing, before the holiday
        ("2026-09-19T10:00", "2h", "2026-09-20T10:30"),  # Saturday → make-up Sunday
    ],
)
def test_working_hours_count_only_time_inside_work_periods(cal, start, duration, deadline):
    assert cal.add(at(start), duration) == at(deadline)


def test_zero_hours_outside_work_time_is_the_next_opening(cal):
    assert cal.add(at("2026-09-30T12:15"), "0h") == at("2026-09-30T13:30")
    assert cal.add(at("2026-09-30T10:15"), "0h") == at("2026-09-30T10:15")


# -- subtracting -------------------------------------------------------------------------------


def test_yellow_card_one_working_day_before_is_previous_close(cal):
    assert cal.subtract(at("2026-10-09T17:30"), "1d") == at("2026-10-08T17:30")


def test_yellow_card_before_monday_deadline_lands_on_make_up_saturday(cal):
    assert cal.subtract(at("2026-10-12T17:30"), "1d") == at("2026-10-10T17:30")


def test_yellow_card_before_first_day_after_holiday_goes_back_over_it(cal):
    assert cal.subtract(at("2026-10-08T17:30"), "1d") == at("2026-09-30T17:30")


def test_subtracting_zero_days_returns_the_end_unchanged(cal):
    assert cal.subtract(at("2026-10-08T11:00"), "0d") == at("2026-10-08T11:00")


@pytest.mark.parametrize(
    ("end", "duration", "start"),
    [
        ("2026-10-08T10:30", "8h", "2026-09-30T10:00"),
        ("2026-09-30T14:30", "1h", "2026-09-30T13:30"),  # runs out at an opening: stays there
        ("2026-09-30T13:00", "30m", "2026-09-30T11:30"),  # end in the lunch break
        ("2026-10-08T08:00", "1h", "2026-09-30T16:30"),  # end before opening, after the holiday
    ],
)
def test_subtracting_hours_goes_back_through_working_time(cal, end, duration, start):
    assert cal.subtract(at(end), duration) == at(start)


# -- measuring ---------------------------------------------------------------------------------


def test_working_seconds_between_skips_nights_lunches_and_holidays(cal):
    assert cal.working_seconds_between(at("2026-09-30T10:00"), at("2026-10-08T10:30")) == 8 * 3600


def test_working_seconds_between_is_negative_backwards(cal):
    assert cal.working_seconds_between(at("2026-10-08T10:30"), at("2026-09-30T10:00")) == -8 * 3600


def test_no_working_time_inside_the_national_day_holiday(cal):
    assert cal.working_seconds_between(at("2026-10-01T00:00"), at("2026-10-07T23:59")) == 0


# -- years without data ------------------------------------------------------------------------


def test_year_without_data_counts_weekends_only_and_warns_once(cal, caplog):
    caplog.set_level(logging.WARNING, logger="jishiban.sla")
    # 1 January 2027 is a Friday: without the 2027 notice it counts as an ordinary working day.
    assert cal.add(at("2026-12-31T10:00"), "1d") == at("2027-01-01T17:30")
    assert cal.add(at("2026-12-31T10:00"), "2d") == at("2027-01-04T17:30")
    assert cal.missing_years_used == {2027}
    warnings = [r.getMessage() for r in caplog.records if r.name == "jishiban.sla"]
    assert warnings == ["no holiday data for 2027; counting weekends only"]


def test_covered_year_is_not_recorded_as_missing(cal):
    cal.add(at("2026-09-30T10:00"), "2d")
    assert cal.missing_years_used == set()


def test_calendars_sharing_warned_years_log_a_missing_year_once(caplog):
    caplog.set_level(logging.WARNING, logger="jishiban.sla")
    warned: set[int] = set()
    for _ in range(2):
        calendar_2026(warned_years=warned).is_working_day(date(2027, 3, 1))
    assert len([r for r in caplog.records if r.name == "jishiban.sla"]) == 1


# -- refusals ----------------------------------------------------------------------------------


def test_naive_datetimes_are_refused(cal):
    naive = datetime(2026, 9, 30, 10, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="naive"):
        cal.add(naive, "1d")
    with pytest.raises(ValueError, match="naive"):
        cal.subtract(naive, "1h")
    with pytest.raises(ValueError, match="naive"):
        cal.working_seconds_between(naive, at("2026-09-30T11:00"))


def test_negative_amounts_are_refused(cal):
    with pytest.raises(ValueError):
        cal.add_working_days(at("2026-09-30T10:00"), -1)
    with pytest.raises(ValueError):
        cal.add_working_time(at("2026-09-30T10:00"), timedelta(hours=-1))


def test_results_are_in_the_calendar_time_zone():
    tokyo = WorkCalendar(tz=ZoneInfo("Asia/Tokyo"))
    deadline = tokyo.add(datetime(2026, 9, 30, 1, 0, tzinfo=UTC), "1d")
    assert deadline.tzinfo == ZoneInfo("Asia/Tokyo")
    assert deadline == datetime(2026, 10, 1, 17, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
