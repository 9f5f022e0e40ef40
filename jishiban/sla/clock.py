"""The working-time clock: deadlines counted in Chinese working days and working hours.

Pure Python (no Django), so it is unit-tested without a database; ``services.get_calendar()``
builds a :class:`WorkCalendar` from the database.

The rules every caller relies on:

* **Working day.** A make-up working day (调休上班) is a working day; an official off day is not;
  any other day is a working day from Monday to Friday. For a year outside ``covered_years``
  (no official notice loaded) only weekends are off: the calendar records the year in
  ``missing_years_used`` and logs one WARNING per year on the ``jishiban.sla`` logger.
  Days listed explicitly (a notice for year Y can set days of Y-1 or Y+1) are honoured even then.
* **N working days (``Nd``, N >= 1)** end at the close of business of the Nth working day after
  the day of receipt; the day of receipt never counts, whatever the hour.
  **``0d``** ("same day") ends at today's close of business if today is a working day and the
  start is not after that close; otherwise at the close of the next working day. A deadline is
  never earlier than its start.
* **Working hours / minutes (``Nh``, ``Nm``)** count only time inside the work periods of working
  days; a start outside them begins counting at the next opening. An amount that runs out
  exactly at a closing time ends at that closing time (12:00, 17:30), not at the next opening.
* **Subtracting days** (``subtract(end, Nd)``, N >= 1) gives the close of business of the Nth
  working day before the calendar day of ``end`` (the hour of ``end`` does not matter, as for
  adding). ``0d`` returns ``end`` unchanged. So for a day deadline D (a close of business),
  ``add(subtract(D, Nd), Nd) == D`` — "yellow card 1 working day before the deadline" of a
  deadline at 17:30 on Friday 2026-10-09 is 17:30 on Thursday 2026-10-08, after which exactly
  one working day remains.
* **Subtracting hours / minutes** goes back through working time only; an ``end`` outside
  working time starts from the previous closing time, and an amount that runs out exactly at an
  opening time ends at that opening (08:30, 13:30).

All datetimes in and out are timezone-aware; results are expressed in the calendar's time
zone. A naive datetime raises ``ValueError``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo

logger = logging.getLogger("jishiban.sla")

Unit = Literal["d", "h", "m"]
WorkPeriods = tuple[tuple[time, time], ...]

DEFAULT_WORK_PERIODS: WorkPeriods = ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))
DEFAULT_TIME_ZONE = ZoneInfo("Asia/Shanghai")
# A deadline of more than 10,000 working days or hours is a typo, not a rule.
MAX_DURATION_AMOUNT = 10_000

_UNITS = ("d", "h", "m")
_UNIT_SECONDS = {"h": 3600, "m": 60}
_DURATION_RE = re.compile(r"([0-9]+)([dhm])")
_CLOCK = r"([01]?[0-9]|2[0-3]):([0-5][0-9])"
_PERIOD_RE = re.compile(rf"{_CLOCK}\s*-\s*{_CLOCK}")
_DURATION_HELP = "use a whole number followed by d (working days), h (working hours) or m (working minutes), e.g. 2d, 4h, 30m"


@dataclass(frozen=True)
class Duration:
    """A time limit: ``amount`` working days (``d``), working hours (``h``) or working minutes (``m``)."""

    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise ValueError(f"duration amount must be a whole number, got {self.amount!r}")
        if self.amount < 0:
            raise ValueError(f"duration amount cannot be negative, got {self.amount}")
        if self.unit not in _UNITS:
            raise ValueError(f"duration unit must be one of d, h, m, got {self.unit!r}")

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"

    @property
    def is_days(self) -> bool:
        return self.unit == "d"

    def as_timedelta(self) -> timedelta:
        """Working time of an hour or minute duration (days have no fixed length: raises ValueError)."""
        if self.is_days:
            raise ValueError(f"{self} is counted in working days, which have no fixed length")
        return timedelta(seconds=self.amount * _UNIT_SECONDS[self.unit])


def parse_duration(text: str | Duration) -> Duration:
    """Parse ``2d`` / ``4h`` / ``30m`` / ``0d`` (a Duration passes through); ValueError says what is wrong."""
    if isinstance(text, Duration):
        return text
    if not isinstance(text, str):
        raise ValueError(f"duration must be text like '2d', got {text!r}")
    cleaned = text.strip()
    if not cleaned:
        raise ValueError(f"duration is empty; {_DURATION_HELP}")
    if cleaned.startswith("-"):
        raise ValueError(f"duration {text!r} is negative; {_DURATION_HELP}")
    match = _DURATION_RE.fullmatch(cleaned)
    if match is None:
        raise ValueError(f"duration {text!r} is not understood; {_DURATION_HELP}")
    amount = int(match[1])
    if amount > MAX_DURATION_AMOUNT:
        raise ValueError(f"duration {text!r} is too long (at most {MAX_DURATION_AMOUNT} per unit)")
    return Duration(amount, match[2])  # type: ignore[arg-type]


def parse_work_hours(text: str) -> WorkPeriods:
    """Parse ``"08:30-12:00,13:30-17:30"`` into ``((time(8, 30), time(12, 0)), ...)``.

    Periods must be in order, each ending after it starts and none overlapping; raises
    ValueError naming the offending part otherwise.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("work hours are empty; write them like 08:30-12:00,13:30-17:30")
    periods = []
    for part in text.split(","):
        match = _PERIOD_RE.fullmatch(part.strip())
        if match is None:
            raise ValueError(f"work period {part.strip()!r} is not HH:MM-HH:MM (e.g. 08:30-12:00)")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        periods.append((time(h1, m1), time(h2, m2)))
    return _check_periods(periods)


def _check_periods(periods: Sequence[tuple[time, time]]) -> WorkPeriods:
    checked = tuple((start, end) for start, end in periods)
    if not checked:
        raise ValueError("at least one work period is needed")
    previous_end: time | None = None
    for start, end in checked:
        if not (isinstance(start, time) and isinstance(end, time)) or start.tzinfo or end.tzinfo:
            raise ValueError(f"work period {start!r}-{end!r} must be two naive datetime.time values")
        if start >= end:
            raise ValueError(f"work period {start:%H:%M}-{end:%H:%M} ends before it starts")
        if previous_end is not None and start < previous_end:
            raise ValueError(f"work period {start:%H:%M}-{end:%H:%M} overlaps or precedes the one before")
        previous_end = end
    return checked


def _span(a: datetime, b: datetime) -> timedelta:
    # Subtracting two datetimes that share a tzinfo ignores their offsets; going through UTC
    # keeps the arithmetic right in zones with daylight saving time too.
    return b.astimezone(UTC) - a.astimezone(UTC)


class WorkCalendar:
    """Working days and hours of one place. Immutable apart from the missing-year record.

    ``off_days``: official days off (holidays, including weekend days inside a holiday);
    ``make_up_days``: weekend days worked instead (调休上班); ``covered_years``: years whose
    official notice is loaded. A date in both sets raises ValueError. ``warned_years`` may be
    shared between calendars rebuilt from the same data so each missing year is logged once
    per process rather than once per rebuild.
    """

    def __init__(
        self,
        off_days: Iterable[date] = (),
        make_up_days: Iterable[date] = (),
        covered_years: Iterable[int] = (),
        work_periods: Sequence[tuple[time, time]] = DEFAULT_WORK_PERIODS,
        tz: tzinfo = DEFAULT_TIME_ZONE,
        *,
        warned_years: set[int] | None = None,
    ) -> None:
        self.off_days = frozenset(self._check_date(d, "off day") for d in off_days)
        self.make_up_days = frozenset(self._check_date(d, "make-up day") for d in make_up_days)
        both = self.off_days & self.make_up_days
        if both:
            listed = ", ".join(sorted(d.isoformat() for d in both))
            raise ValueError(f"dates cannot be both off days and make-up working days: {listed}")
        self.covered_years = frozenset(int(y) for y in covered_years)
        self.work_periods: WorkPeriods = _check_periods(work_periods)
        if not isinstance(tz, tzinfo):
            raise ValueError(f"tz must be a tzinfo such as ZoneInfo('Asia/Shanghai'), got {tz!r}")
        self.tz = tz
        self.opening_time = self.work_periods[0][0]
        self.closing_time = self.work_periods[-1][1]
        self.missing_years_used: set[int] = set()
        self._warned_years = warned_years if warned_years is not None else set()

    def __repr__(self) -> str:
        years = sorted(self.covered_years)
        span = f"{years[0]}–{years[-1]}" if years else "none"
        return f"<WorkCalendar years={span} off={len(self.off_days)} make_up={len(self.make_up_days)} tz={self.tz}>"

    # -- days ---------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """Make-up days work, official off days rest, other days work Monday to Friday."""
        d = self._check_date(d, "day")
        if d.year not in self.covered_years:
            self._note_missing_year(d.year)
        if d in self.make_up_days:
            return True
        if d in self.off_days:
            return False
        return d.weekday() < 5

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        d = self._check_date(d, "day")
        d += timedelta(days=1)
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def previous_working_day(self, d: date) -> date:
        """The last working day strictly before ``d``."""
        d = self._check_date(d, "day")
        d -= timedelta(days=1)
        while not self.is_working_day(d):
            d -= timedelta(days=1)
        return d

    def close_of_business(self, d: date) -> datetime:
        """The closing time of day ``d`` (whether or not it is a working day), aware."""
        return self._at(self._check_date(d, "day"), self.closing_time)

    def is_working_time(self, moment: datetime) -> bool:
        """Whether ``moment`` falls on a working day inside a working period (ends included:
        a deadline at close of business is working time)."""
        local = self._local(moment, "moment")
        return self.is_working_day(local.date()) and any(
            start <= local.time().replace(tzinfo=None) <= end for start, end in self.work_periods)

    def working_moment_before(self, moment: datetime) -> datetime:
        """``moment`` when it is working time, else the last working moment before it: the end of
        the working period before it that day, or the close of business of the working day
        before. A deadline asked for on a rest day or at night becomes the one a unit can keep."""
        local = self._local(moment, "moment")
        if self.is_working_time(local):
            return local
        d, at = local.date(), local.time().replace(tzinfo=None)
        if self.is_working_day(d):
            ends = [end for _start, end in self.work_periods if end <= at]
            if ends:
                return self._at(d, ends[-1])
        return self.close_of_business(self.previous_working_day(d))

    # -- adding and subtracting -------------------------------------------------------------

    def add(self, start: datetime, duration: Duration | str) -> datetime:
        """``start`` plus a time limit (see the module docstring for the exact rules)."""
        duration = parse_duration(duration)
        if duration.is_days:
            return self.add_working_days(start, duration.amount)
        return self.add_working_time(start, duration.as_timedelta())

    def subtract(self, end: datetime, duration: Duration | str) -> datetime:
        """``end`` minus a time limit; the inverse of :meth:`add` for deadlines it produced."""
        duration = parse_duration(duration)
        if duration.is_days:
            return self.subtract_working_days(end, duration.amount)
        return self.subtract_working_time(end, duration.as_timedelta())

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """Close of business of the ``n``th working day after the day of ``start``.

        ``n == 0``: today's close if today is a working day and ``start`` is not after it,
        else the close of the next working day.
        """
        local = self._local(start, "start")
        n = self._check_count(n)
        day = local.date()
        if n == 0:
            if self.is_working_day(day) and local <= self._at(day, self.closing_time):
                return self._at(day, self.closing_time)
            return self._at(self.next_working_day(day), self.closing_time)
        for _ in range(n):
            day = self.next_working_day(day)
        return self._at(day, self.closing_time)

    def subtract_working_days(self, end: datetime, n: int) -> datetime:
        """Close of business of the ``n``th working day before the day of ``end``; ``n == 0`` → ``end``."""
        local = self._local(end, "end")
        n = self._check_count(n)
        if n == 0:
            return local
        day = local.date()
        for _ in range(n):
            day = self.previous_working_day(day)
        return self._at(day, self.closing_time)

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        return self.add_working_time(start, timedelta(hours=hours))

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime:
        return self.add_working_time(start, timedelta(minutes=minutes))

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """The instant after ``amount`` of working time counted from ``start``.

        Counting starts at ``start`` if it lies in a work period, else at the next opening;
        an amount running out exactly at a closing time ends there.
        """
        local = self._local(start, "start")
        remaining = self._check_amount(amount)
        day = local.date()
        cursor: datetime | None = local
        while True:
            if self.is_working_day(day):
                for opening, closing in self.work_periods:
                    begin = self._at(day, opening)
                    if cursor is not None and cursor > begin:
                        begin = cursor
                    end = self._at(day, closing)
                    if begin > end:
                        continue
                    available = _span(begin, end)
                    if remaining <= available:
                        return self._shift(begin, remaining)
                    remaining -= available
            day += timedelta(days=1)
            cursor = None

    def subtract_working_time(self, end: datetime, amount: timedelta) -> datetime:
        """The instant ``amount`` of working time before ``end`` (mirror of :meth:`add_working_time`).

        Counting back starts at ``end`` if it lies in a work period, else at the previous
        closing; an amount running out exactly at an opening time ends there.
        """
        local = self._local(end, "end")
        remaining = self._check_amount(amount)
        day = local.date()
        cursor: datetime | None = local
        while True:
            if self.is_working_day(day):
                for opening, closing in reversed(self.work_periods):
                    stop = self._at(day, closing)
                    if cursor is not None and cursor < stop:
                        stop = cursor
                    begin = self._at(day, opening)
                    if stop < begin:
                        continue
                    available = _span(begin, stop)
                    if remaining <= available:
                        return self._shift(stop, -remaining)
                    remaining -= available
            day -= timedelta(days=1)
            cursor = None

    # -- measuring ------------------------------------------------------------------------

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time from ``a`` to ``b``; negative if ``b`` is before ``a``."""
        la, lb = self._local(a, "a"), self._local(b, "b")
        if lb < la:
            return -self.working_time_between(b, a)
        total = timedelta(0)
        day = la.date()
        last = lb.date()
        while day <= last:
            if self.is_working_day(day):
                for opening, closing in self.work_periods:
                    begin = max(la, self._at(day, opening))
                    end = min(lb, self._at(day, closing))
                    if end > begin:
                        total += _span(begin, end)
            day += timedelta(days=1)
        return total

    def working_seconds_between(self, a: datetime, b: datetime) -> float:
        """Seconds of working time from ``a`` to ``b``; negative if ``b`` is before ``a``."""
        return self.working_time_between(a, b).total_seconds()

    # -- helpers --------------------------------------------------------------------------

    def _at(self, d: date, t: time) -> datetime:
        return datetime.combine(d, t, tzinfo=self.tz)

    def _shift(self, moment: datetime, delta: timedelta) -> datetime:
        return (moment.astimezone(UTC) + delta).astimezone(self.tz)

    def _local(self, moment: datetime, name: str) -> datetime:
        if not isinstance(moment, datetime):
            raise ValueError(f"{name} must be a datetime, got {type(moment).__name__}")
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"{name} {moment.isoformat()} is naive; pass a timezone-aware datetime")
        return moment.astimezone(self.tz)

    @staticmethod
    def _check_date(d: date, name: str) -> date:
        if isinstance(d, datetime) or not isinstance(d, date):
            raise ValueError(f"{name} must be a datetime.date, got {d!r}")
        return d

    @staticmethod
    def _check_count(n: int) -> int:
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"number of working days must be a whole number >= 0, got {n!r}")
        return n

    @staticmethod
    def _check_amount(amount: timedelta) -> timedelta:
        if not isinstance(amount, timedelta) or amount < timedelta(0):
            raise ValueError(f"working time must be a timedelta >= 0, got {amount!r}")
        return amount

    def _note_missing_year(self, year: int) -> None:
        self.missing_years_used.add(year)
        if year not in self._warned_years:
            self._warned_years.add(year)
            logger.warning("no holiday data for %s; counting weekends only", year)
