"""Calendars for the pure clock tests, from the State Council notice for 2026 (国办发明电〔2025〕7号)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from jishiban.sla.clock import WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _days(first: str, last: str) -> set[date]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return {start + timedelta(days=i) for i in range((end - start).days + 1)}


OFF_2026 = (
    _days("2026-01-01", "2026-01-03")  # 元旦
    | _days("2026-02-15", "2026-02-23")  # 春节
    | _days("2026-04-04", "2026-04-06")  # 清明节
    | _days("2026-05-01", "2026-05-05")  # 劳动节
    | _days("2026-06-19", "2026-06-21")  # 端午节
    | _days("2026-09-25", "2026-09-27")  # 中秋节
    | _days("2026-10-01", "2026-10-07")  # 国庆节
)
MAKE_UP_2026 = {
    date(2026, 1, 4),
    date(2026, 2, 14),
    date(2026, 2, 28),
    date(2026, 5, 9),
    date(2026, 9, 20),
    date(2026, 10, 10),
}


def calendar_2026(**kwargs) -> WorkCalendar:
    """2026 with its official data; every other year counts weekends only."""
    return WorkCalendar(OFF_2026, MAKE_UP_2026, {2026}, tz=SHANGHAI, **kwargs)


def at(text: str) -> datetime:
    """An aware datetime in Asia/Shanghai from ``2026-09-30T10:00``."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)
