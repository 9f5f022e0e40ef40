"""Property tests for the working-time arithmetic (hypothesis, no database)."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from jishiban.sla.clock import Duration

from .calendars import SHANGHAI, calendar_2026

# One calendar for every example; its record of missing years just grows.
CAL = calendar_2026()
PROPERTY = settings(max_examples=200, deadline=None, database=None)

# Aware starts around the 2026 data, given in Shanghai time or in UTC.
starts = st.datetimes(
    min_value=datetime(2025, 10, 1),  # noqa: DTZ001 - bounds for hypothesis, made aware below
    max_value=datetime(2026, 12, 31, 23, 59),  # noqa: DTZ001
    timezones=st.sampled_from([SHANGHAI, UTC]),
)
day_counts = st.integers(min_value=0, max_value=40)
working_seconds = st.integers(min_value=0, max_value=200 * 3600)


def _local(moment: datetime) -> datetime:
    return moment.astimezone(SHANGHAI)


def _strictly_inside_work_period(moment: datetime) -> bool:
    local = _local(moment)
    if not CAL.is_working_day(local.date()):
        return False
    clock = local.timetz().replace(tzinfo=None)
    return any(opening < clock < closing for opening, closing in CAL.work_periods)


@PROPERTY
@given(start=starts, n=day_counts)
def test_adding_working_days_never_lands_on_an_off_day_and_ends_at_close(start, n):
    deadline = CAL.add(start, Duration(n, "d"))
    assert CAL.is_working_day(_local(deadline).date())
    assert _local(deadline).timetz().replace(tzinfo=None) == CAL.closing_time
    assert deadline >= start


@PROPERTY
@given(start=starts, n=st.integers(min_value=1, max_value=30), m=st.integers(min_value=0, max_value=30))
def test_adding_days_in_two_steps_equals_adding_them_at_once(start, n, m):
    # n >= 1: "0d" is the same-day rule, which is not "zero working days later" on an off day.
    stepwise = CAL.add(CAL.add(start, Duration(n, "d")), Duration(m, "d"))
    assert stepwise == CAL.add(start, Duration(n + m, "d"))


@PROPERTY
@given(start=starts, seconds=working_seconds)
def test_working_time_added_is_the_working_time_measured(start, seconds):
    end = CAL.add_working_time(start, timedelta(seconds=seconds))
    assert CAL.working_seconds_between(start, end) == seconds


@PROPERTY
@given(start=starts, hours=st.integers(min_value=0, max_value=120))
def test_working_seconds_between_start_and_added_hours_is_hours_times_3600(start, hours):
    assert CAL.working_seconds_between(start, CAL.add_working_hours(start, hours)) == hours * 3600


@PROPERTY
@given(start=starts, first=st.integers(0, 3000), second=st.integers(0, 3000))
def test_splitting_working_minutes_gives_the_same_end(start, first, second):
    stepwise = CAL.add(CAL.add(start, Duration(first, "m")), Duration(second, "m"))
    assert stepwise == CAL.add(start, Duration(first + second, "m"))


@PROPERTY
@given(a=starts, b=starts, c=starts)
def test_working_time_between_adds_up_over_any_midpoint(a, b, c):
    assert CAL.working_time_between(a, b) + CAL.working_time_between(b, c) == CAL.working_time_between(a, c)


@PROPERTY
@given(start=starts, m=day_counts, n=day_counts)
def test_subtracting_then_adding_days_gives_back_a_day_deadline(start, m, n):
    deadline = CAL.add(start, Duration(m, "d"))
    assert CAL.add(CAL.subtract(deadline, Duration(n, "d")), Duration(n, "d")) == deadline


@PROPERTY
@given(start=starts, n=st.integers(min_value=1, max_value=40))
def test_adding_then_subtracting_days_gives_close_of_last_working_day_on_or_before_start(start, n):
    day = _local(start).date()
    if not CAL.is_working_day(day):
        day = CAL.previous_working_day(day)
    assert CAL.subtract(CAL.add(start, Duration(n, "d")), Duration(n, "d")) == CAL.close_of_business(day)


@PROPERTY
@given(end=starts, n=st.integers(min_value=1, max_value=40))
def test_subtracting_days_ends_earlier_at_a_close_of_business(end, n):
    earlier = CAL.subtract(end, Duration(n, "d"))
    assert earlier < end
    assert CAL.is_working_day(_local(earlier).date())
    assert _local(earlier).timetz().replace(tzinfo=None) == CAL.closing_time


@PROPERTY
@given(end=starts, seconds=working_seconds)
def test_subtracting_working_time_is_undone_by_adding_it(end, seconds):
    amount = timedelta(seconds=seconds)
    earlier = CAL.subtract_working_time(end, amount)
    assert CAL.working_time_between(earlier, end) == amount
    back = CAL.add_working_time(earlier, amount)
    # Equal as working time always; equal as instants when `end` lies inside a work period.
    assert CAL.working_time_between(back, end) == timedelta(0)
    if _strictly_inside_work_period(end):
        assert back == end
