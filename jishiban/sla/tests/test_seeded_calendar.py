"""The calendar a fresh database has: seeded from chinesecalendar by migration, cached in-process."""

from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from jishiban.sla import services
from jishiban.sla.models import CalendarYear, Holiday
from jishiban.sla.services import due, due_before, get_calendar, missing_years

from .calendars import MAKE_UP_2026, OFF_2026, at

pytestmark = pytest.mark.django_db


def test_migration_seeds_every_year_the_package_covers():
    years = set(CalendarYear.objects.values_list("year", flat=True))
    assert set(range(2004, 2027)) <= years
    assert Holiday.objects.get(date=date(2026, 9, 25)).name == "中秋"
    assert Holiday.objects.get(date=date(2026, 10, 10)).is_off_day is False


def test_seeded_2026_matches_the_state_council_notice():
    rows = Holiday.objects.filter(date__year=2026)
    assert {row.date for row in rows if row.is_off_day} == OFF_2026
    assert {row.date for row in rows if not row.is_off_day} == MAKE_UP_2026


@pytest.mark.parametrize(
    ("duration", "deadline"),
    [
        ("0d", "2026-09-30T17:30"),
        ("1d", "2026-10-08T17:30"),
        ("2d", "2026-10-09T17:30"),
        ("2h", "2026-09-30T12:00"),
    ],
)
def test_due_counts_the_national_day_holiday_from_the_database(duration, deadline):
    assert due(at("2026-09-30T10:00"), duration) == at(deadline)


def test_due_before_gives_the_yellow_card_time():
    assert due_before(at("2026-10-09T17:30"), "1d") == at("2026-10-08T17:30")


def test_due_refuses_a_malformed_limit():
    with pytest.raises(ValueError, match="2x"):
        due(at("2026-09-30T10:00"), "2x")


def test_calendar_is_cached_between_calls():
    assert get_calendar() is get_calendar()


def test_saving_a_holiday_refreshes_the_cached_calendar():
    assert get_calendar().is_working_day(date(2026, 11, 27))
    Holiday.objects.create(date=date(2026, 11, 27), is_off_day=True, name="测试放假", source="test")
    assert not get_calendar().is_working_day(date(2026, 11, 27))
    Holiday.objects.filter(date=date(2026, 11, 27)).get().delete()
    assert get_calendar().is_working_day(date(2026, 11, 27))


def test_marking_a_year_covered_refreshes_the_cached_calendar():
    assert 2040 not in get_calendar().covered_years
    CalendarYear.objects.create(year=2040, source="test")
    assert 2040 in get_calendar().covered_years


def test_cached_calendar_expires_after_the_ttl(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(services, "_monotonic", lambda: now[0])
    assert get_calendar().is_working_day(date(2026, 10, 10))
    # Changed behind the cache's back, as another process would: QuerySet.update sends no signal.
    Holiday.objects.filter(date=date(2026, 10, 10)).update(is_off_day=True)
    now[0] += services.CACHE_TTL_SECONDS - 1
    assert get_calendar().is_working_day(date(2026, 10, 10))
    now[0] += 2
    assert not get_calendar().is_working_day(date(2026, 10, 10))


@override_settings(JISHIBAN={"WORK_HOURS": "09:00-12:00,13:00-17:00"})
def test_work_hours_come_from_settings():
    assert due(at("2026-09-30T10:00"), "1d") == at("2026-10-08T17:00")


@override_settings(JISHIBAN={"WORK_HOURS": "9 to 5"})
def test_malformed_work_hours_setting_fails_loudly():
    with pytest.raises(ImproperlyConfigured, match="JISHIBAN_WORK_HOURS"):
        get_calendar()


def test_missing_years_lists_years_without_data():
    assert missing_years([2025, 2026, 2099, 2098]) == [2098, 2099]
