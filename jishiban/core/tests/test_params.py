"""The parameter parsers every interface uses (``core.params``): what they accept, what they
refuse, and that nothing they return can overflow later."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from jishiban.core import params
from jishiban.core.params import ParameterError


@pytest.mark.parametrize("text", ["²", "١٢", "1.5", "1e3", "0x10", "", " ", "一", "99999999999999999999", "-1", "0"])
def test_page_numbers_people_do_not_mean_are_refused(text):
    if not text.strip():
        assert params.page_number(text) == 1  # blank: the default
        return
    with pytest.raises(ParameterError) as caught:
        params.page_number(text)
    assert caught.value.name == "page" and "整数" in str(caught.value)


def test_offsets_and_limits_stay_in_their_bounds():
    assert params.offset("0") == 0 and params.offset(None) == 0 and params.limit("500", maximum=500, default=9) == 500
    for bad in ("-5", "99999999999999999999", "1.0"):
        with pytest.raises(ParameterError):
            params.offset(bad)
    with pytest.raises(ParameterError):
        params.limit("501", maximum=500, default=9)


@given(st.text(max_size=30) | st.integers() | st.floats(allow_nan=True))
def test_integer_parsing_never_fails_otherwise(value):
    """Any value is either an int within the bounds or a ParameterError — never another error."""
    try:
        n = params.integer(value, "n", minimum=-10, maximum=10)
    except ParameterError:
        return
    assert -10 <= n <= 10


@pytest.mark.parametrize("text", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0001-01-01",
                                  "9999-12-31", "1899-12-31", "3000-01-01T00:00:00Z"])
def test_times_at_the_edge_of_the_calendar_are_refused(text):
    with pytest.raises(ParameterError) as caught:
        params.moment(text, "start_date")
    assert "1900-01-01" in caught.value.reason


def test_times_are_read_as_w3c_local_when_they_name_no_offset():
    assert params.moment("2026-11-27T09:30:00+08:00", "t") == datetime.fromisoformat("2026-11-27T09:30:00+08:00")
    assert params.moment("2026-11-27T09:30:00 08:00", "t").utcoffset() == timedelta(hours=8)  # unencoded "+"
    naive = params.moment("2026-11-27T09:30", "t")
    assert timezone.is_aware(naive) and timezone.localtime(naive).hour == 9
    assert params.moment("2026-11-27", "t") == timezone.make_aware(datetime(2026, 11, 27))
    assert params.moment("", "t") is None
    with pytest.raises(ParameterError):
        params.moment("last tuesday", "t")


@given(st.dates(min_value=date(1, 1, 2), max_value=date(9999, 12, 30)))
def test_every_accepted_day_has_a_next_and_a_previous_day(day):
    """What the filters do with a date (``+ 1 day``, local midnight to UTC) never overflows."""
    try:
        found = params.day(day.isoformat(), "d")
    except ParameterError:
        assert not params.EARLIEST_DAY <= day <= params.LATEST_DAY
        return
    start = timezone.make_aware(datetime.combine(found + timedelta(days=1), datetime.min.time()))
    assert start.astimezone(UTC) and found - timedelta(days=1)


@pytest.mark.parametrize("value", ["NaN", "nan", "inf", "-Infinity", float("nan"), float("inf"), "1e5", "91", True,
                                   "36,1"])
def test_coordinates_must_be_finite_numbers_in_range(value):
    with pytest.raises(ParameterError):
        params.coordinate(value, "lat", low=-90, high=90)


def test_coordinates_are_kept_to_six_places():
    assert params.coordinate("35.4149871", "lat", low=-90, high=90) == Decimal("35.414987")
    assert params.coordinate(116.58, "long", low=-180, high=180) == Decimal("116.580000")
    assert params.coordinate("", "lat", low=-90, high=90) is None
