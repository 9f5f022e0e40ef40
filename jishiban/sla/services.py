"""The working calendar as the rest of the system sees it.

* ``get_calendar()`` — the :class:`~jishiban.sla.clock.WorkCalendar` built from the database,
  cached per process. Saving or deleting a ``Holiday`` / ``CalendarYear`` clears the cache of
  this process (signals, connected in ``apps.py``); other processes notice within
  ``CACHE_TTL_SECONDS``.
* ``due()`` / ``due_before()`` — deadlines and reminders from a time limit such as ``2d``.
* ``import_holiday_cn()`` — load holiday-cn JSON files (https://github.com/NateScarlet/holiday-cn).
* ``missing_years()`` / ``calendar_warning_text()`` — which years still count weekends only.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .clock import DEFAULT_WORK_PERIODS, Duration, WorkCalendar, WorkPeriods, parse_duration, parse_work_hours
from .models import CalendarYear, Holiday

CACHE_TTL_SECONDS = 60
HOLIDAY_CN_SOURCE = "holiday-cn"

_lock = threading.Lock()
_cached: tuple[WorkCalendar, float] | None = None
_generation = 0
# Shared by every calendar this process builds, so a missing year is logged once, not per rebuild.
_warned_years: set[int] = set()
_monotonic = time.monotonic  # replaced in tests


# -- the cached calendar ---------------------------------------------------------------------


def get_calendar() -> WorkCalendar:
    """The working calendar from the database; cached in-process for up to ``CACHE_TTL_SECONDS``.

    Raises ImproperlyConfigured if ``settings.JISHIBAN["WORK_HOURS"]`` cannot be parsed.
    """
    global _cached
    with _lock:
        if _cached is not None and _monotonic() - _cached[1] < CACHE_TTL_SECONDS:
            return _cached[0]
        generation = _generation
    calendar = _build_calendar()
    with _lock:
        # If the data changed while we were reading it, serve this build but do not keep it.
        if generation == _generation:
            _cached = (calendar, _monotonic())
    return calendar


def invalidate_calendar(**_kwargs: Any) -> None:
    """Forget the cached calendar; the next ``get_calendar()`` reads the database again."""
    global _cached, _generation
    with _lock:
        _cached = None
        _generation += 1


def on_calendar_data_changed(**_kwargs: Any) -> None:
    """Signal receiver for Holiday / CalendarYear saves and deletes.

    Clears now and again after commit: a rebuild between the write and its commit would
    otherwise cache the old rows.
    """
    invalidate_calendar()
    transaction.on_commit(invalidate_calendar)


def on_setting_changed(*, setting: str, **_kwargs: Any) -> None:
    if setting in {"JISHIBAN", "TIME_ZONE"}:
        invalidate_calendar()


def work_periods_from_settings() -> WorkPeriods:
    text = getattr(settings, "JISHIBAN", {}).get("WORK_HOURS")
    if not text:
        return DEFAULT_WORK_PERIODS
    try:
        return parse_work_hours(text)
    except ValueError as exc:
        raise ImproperlyConfigured(f"JISHIBAN_WORK_HOURS={text!r}: {exc}")


def _build_calendar() -> WorkCalendar:
    off_days, make_up_days = set(), set()
    for day, is_off_day in Holiday.objects.values_list("date", "is_off_day"):
        (off_days if is_off_day else make_up_days).add(day)
    covered = set(CalendarYear.objects.values_list("year", flat=True))
    return WorkCalendar(
        off_days,
        make_up_days,
        covered,
        work_periods_from_settings(),
        tz=timezone.get_default_timezone(),
        warned_years=_warned_years,
    )


# -- deadlines ---------------------------------------------------------------------------------


def due(start: datetime, duration_text: str | Duration) -> datetime:
    """The deadline ``duration_text`` (``2d``, ``4h``, ``30m``) after ``start``.

    ``start`` must be aware; raises ValueError for a naive start or a malformed limit.
    """
    return get_calendar().add(start, parse_duration(duration_text))


def due_before(deadline: datetime, duration_text: str | Duration) -> datetime:
    """The instant ``duration_text`` of working time before ``deadline`` (e.g. the yellow card).

    For ``1d`` before a deadline at a close of business: the previous working day's close.
    """
    return get_calendar().subtract(deadline, parse_duration(duration_text))


# -- which years have data ---------------------------------------------------------------------


def missing_years(years: Iterable[int]) -> list[int]:
    """Those of ``years`` without official holiday data, sorted (read from the database)."""
    wanted = {int(year) for year in years}
    have = set(CalendarYear.objects.filter(year__in=wanted).values_list("year", flat=True))
    return sorted(wanted - have)


def calendar_warning_text(today: date | None = None) -> str | None:
    """A Chinese warning if this year or next year has no holiday data, else None (uses the cache)."""
    today = today or timezone.localdate()
    covered = get_calendar().covered_years
    missing = [year for year in (today.year, today.year + 1) if year not in covered]
    if not missing:
        return None
    years = "、".join(str(year) for year in missing)
    return _(
        "尚未导入 %(years)s 年的法定节假日与调休数据，涉及这些年份的办理时限暂只按周末计算。"
        "请管理员在国务院放假通知发布后导入（jishiban calendar import）。"
    ) % {"years": years}


# -- importing holiday-cn files ----------------------------------------------------------------


class HolidayImportError(ValueError):
    """A holiday-cn file that cannot be imported; the message names the file and the field."""


@dataclass
class ImportSummary:
    """What an import changed. ``years_without_days``: files whose ``days`` list was empty."""

    files: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    years_marked: list[int] = field(default_factory=list)
    years_already_marked: list[int] = field(default_factory=list)
    years_without_days: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [
            _("已读取 %(count)d 个文件：新增 %(created)d 天，更新 %(updated)d 天，未变 %(unchanged)d 天。")
            % {
                "count": len(self.files),
                "created": self.created,
                "updated": self.updated,
                "unchanged": self.unchanged,
            }
        ]
        if self.years_marked:
            lines.append(_("新标记为已有数据的年份：%(years)s") % {"years": _join(self.years_marked)})
        if self.years_already_marked:
            lines.append(_("此前已有数据的年份：%(years)s") % {"years": _join(self.years_already_marked)})
        if self.years_without_days:
            lines.append(
                _("以下年份的文件没有任何日期（通知尚未发布），未标记为已有数据：%(years)s")
                % {"years": _join(self.years_without_days)}
            )
        return "\n".join(lines)


@dataclass(frozen=True)
class _Day:
    date: date
    is_off_day: bool
    name: str
    label: str  # "2026.json days[3]", for error messages


@dataclass(frozen=True)
class _File:
    label: str
    year: int
    papers: tuple[str, ...]
    days: tuple[_Day, ...]


def import_holiday_cn(*sources: str | os.PathLike | IO) -> ImportSummary:
    """Import one or more holiday-cn JSON files (paths or open files) in one transaction.

    Every listed day is inserted or updated by date (last import wins; rows not in the file
    are kept, since the notice for year Y may set days of Y-1 and Y+1). The file's ``year`` is
    marked covered only when its ``days`` list is non-empty: an empty file means the notice is
    not out yet. Re-importing the same files changes nothing. All files are validated before
    anything is written; raises HolidayImportError naming file and field.
    """
    if not sources:
        raise HolidayImportError(_("没有指定要导入的文件。"))
    parsed = [_parse_file(*_read_source(source)) for source in sources]
    days_by_date: dict[date, _Day] = {}
    for parsed_file in parsed:
        for day in parsed_file.days:
            other = days_by_date.get(day.date)
            if other is not None and other.is_off_day != day.is_off_day:
                raise HolidayImportError(
                    _("%(a)s 与 %(b)s 对 %(date)s 是否放假说法不一。")
                    % {"a": other.label, "b": day.label, "date": day.date.isoformat()}
                )
            days_by_date[day.date] = day
    source_of = {day.date: f"{HOLIDAY_CN_SOURCE} {f.year}" for f in parsed for day in f.days}

    summary = ImportSummary(files=[f.label for f in parsed])
    with transaction.atomic():
        existing = {row.date: row for row in Holiday.objects.filter(date__in=list(days_by_date))}
        for day_date, day in sorted(days_by_date.items()):
            wanted = {"is_off_day": day.is_off_day, "name": day.name, "source": source_of[day_date]}
            row = existing.get(day_date)
            if row is None:
                Holiday.objects.create(date=day_date, **wanted)
                summary.created += 1
            elif any(getattr(row, key) != value for key, value in wanted.items()):
                for key, value in wanted.items():
                    setattr(row, key, value)
                row.save()
                summary.updated += 1
            else:
                summary.unchanged += 1
        for parsed_file in sorted(parsed, key=lambda f: f.year):
            _mark_year(parsed_file, summary)
        transaction.on_commit(invalidate_calendar)
    return summary


def _mark_year(parsed_file: _File, summary: ImportSummary) -> None:
    if not parsed_file.days:
        summary.years_without_days.append(parsed_file.year)
        return
    note = "\n".join(parsed_file.papers)
    row, created = CalendarYear.objects.get_or_create(
        year=parsed_file.year, defaults={"source": HOLIDAY_CN_SOURCE, "note": note}
    )
    (summary.years_marked if created else summary.years_already_marked).append(parsed_file.year)
    if not created and (row.source, row.note) != (HOLIDAY_CN_SOURCE, note):
        row.source, row.note, row.imported_at = HOLIDAY_CN_SOURCE, note, timezone.now()
        row.save()


def _read_source(source: str | os.PathLike | IO) -> tuple[str, str]:
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        label = path.name
        try:
            raw: str | bytes = path.read_bytes()
        except OSError as exc:
            raise HolidayImportError(
                _("%(file)s：无法读取（%(error)s）。") % {"file": source, "error": exc.strerror or exc}
            )
    else:
        label = Path(str(getattr(source, "name", "") or _("上传的文件"))).name
        raw = source.read()
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise HolidayImportError(_("%(file)s：不是 UTF-8 编码的文本。") % {"file": label})
    return label, raw


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _parse_file(label: str, text: str) -> _File:
    def fail(where: str, problem: str) -> HolidayImportError:
        return HolidayImportError(
            _("%(file)s：字段 %(field)s %(problem)s") % {"file": label, "field": where, "problem": problem}
        )

    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HolidayImportError(
            _("%(file)s：不是有效的 JSON（第 %(line)d 行第 %(column)d 列：%(error)s）。")
            % {"file": label, "line": exc.lineno, "column": exc.colno, "error": exc.msg}
        )
    if not isinstance(payload, dict):
        raise HolidayImportError(
            _("%(file)s：顶层应为 JSON 对象，含 year、papers、days 三个字段。") % {"file": label}
        )
    for key in ("year", "papers", "days"):
        if key not in payload:
            raise fail(key, _("缺失。"))

    year = payload["year"]
    if isinstance(year, float) and year.is_integer():
        year = int(year)
    if isinstance(year, bool) or not isinstance(year, int) or not 1949 <= year <= 2200:
        raise fail("year", _("应为四位年份，实际为 %(value)r。") % {"value": payload["year"]})

    papers = payload["papers"]
    if not isinstance(papers, list) or not all(isinstance(paper, str) for paper in papers):
        raise fail("papers", _("应为字符串列表（国务院文件网址）。"))

    raw_days = payload["days"]
    if not isinstance(raw_days, list):
        raise fail("days", _("应为列表。"))
    days: dict[date, _Day] = {}
    for index, item in enumerate(raw_days):
        where = f"days[{index}]"
        if not isinstance(item, dict):
            raise fail(where, _("应为对象，含 name、date、isOffDay。"))
        for key in ("name", "date", "isOffDay"):
            if key not in item:
                raise fail(f"{where}.{key}", _("缺失。"))
        name, text_date, is_off_day = item["name"], item["date"], item["isOffDay"]
        if not isinstance(name, str) or len(name) > 100:
            raise fail(f"{where}.name", _("应为不超过 100 字的文本。"))
        day = _parse_iso_date(text_date)
        if day is None:
            raise fail(
                f"{where}.date", _("应为 YYYY-MM-DD 格式的日期，实际为 %(value)r。") % {"value": text_date}
            )
        if abs(day.year - year) > 1:
            raise fail(
                f"{where}.date",
                _("%(date)s 与文件年份 %(year)d 相差超过一年。") % {"date": day.isoformat(), "year": year},
            )
        if not isinstance(is_off_day, bool):
            raise fail(
                f"{where}.isOffDay", _("应为 true 或 false，实际为 %(value)r。") % {"value": is_off_day}
            )
        previous = days.get(day)
        if previous is not None and previous.is_off_day != is_off_day:
            raise fail(
                f"{where}.isOffDay",
                _("与 %(other)s 对同一天 %(date)s 的说法矛盾。")
                % {"other": previous.label, "date": day.isoformat()},
            )
        days[day] = _Day(date=day, is_off_day=is_off_day, name=name.strip(), label=f"{label} {where}")
    return _File(label=label, year=year, papers=tuple(papers), days=tuple(days.values()))


def _parse_iso_date(value: Any) -> date | None:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _join(years: Iterable[int]) -> str:
    return "、".join(str(year) for year in sorted(years))


def weekend_only_years(*moments) -> list[int]:
    """The years from the earliest to the latest of ``moments`` (aware datetimes or dates;
    ``None`` is skipped) that have no official holiday data, sorted: a deadline reaching into
    them was counted on weekends only (uses the cached calendar, no query when it is warm)."""
    years = [timezone.localtime(m).year if isinstance(m, datetime) else m.year for m in moments if m is not None]
    if not years:
        return []
    covered = get_calendar().covered_years
    return [year for year in range(min(years), max(years) + 1) if year not in covered]


def deadline_notice(start, *deadlines) -> str | None:
    """A Chinese notice for whoever set or got ``deadlines`` (counted from ``start``) when they
    reach into a year without holiday data, else None. The deadlines stand as computed."""
    deadlines = sorted({d for d in deadlines if d is not None})
    missing = weekend_only_years(start, *deadlines) if deadlines else []
    if not missing:
        return None
    from jishiban.core import dates

    shown = "、".join(dates.when(d) for d in deadlines[:3]) + (_("等") if len(deadlines) > 3 else "")
    return _(
        "请注意：时限 %(when)s 涉及 %(years)s 年，该年的法定节假日与调休尚未导入，"
        "已暂按周末计算（未计入节假日）。国务院放假通知发布并导入后，请核对该时限。"
    ) % {"when": shown, "years": "、".join(str(y) for y in missing)}
