"""The scheduled jobs (django-q2, created on ``migrate``): every 5 minutes ``stats_fill`` takes
in new events and passed deadlines; each morning, Monday and 1st of the month ``keep_report``
makes the 日统计, 周分析 and 月通报 (and on the 1st the 体检报告 of the units that have a
``ReportPlan`` for it) and keeps their files, city-wide and for each county's or department's
plan. Running it twice changes nothing the second time; two at once: the second stops
(``rollup.FillBusy``)."""

from __future__ import annotations

import logging

from django.utils import timezone

from . import rollup

logger = logging.getLogger("jishiban.analytics")

SCHEDULES = [("analytics-fill", "jishiban.analytics.jobs.stats_fill", 5)]
# Reports kept as files (services.keep_reports): (name, kind, schedule type, local hour).
REPORT_SCHEDULES = [("analytics-daily-report", "daily", "D", 7), ("analytics-weekly-report", "weekly", "W", 7),
                    ("analytics-monthly-report", "monthly", "M", 8), ("analytics-health-report", "health", "M", 9)]


def _first_run(kind: str, hour: int):
    """The next local ``hour`` o'clock on a day the report is due (Mondays, the 1st)."""
    from datetime import datetime, time, timedelta

    today = timezone.localdate()
    day = today + timedelta(days=1)
    if kind == "weekly":
        day = today + timedelta(days=7 - today.weekday())
    elif kind in ("monthly", "health"):
        day = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    return datetime.combine(day, time(hour), timezone.get_current_timezone())


def ensure_schedules(**_kwargs) -> None:
    from django_q.models import Schedule

    for name, func, minutes in SCHEDULES:
        Schedule.objects.get_or_create(name=name, defaults={
            "func": func, "schedule_type": Schedule.MINUTES, "minutes": minutes, "repeats": -1,
            "next_run": timezone.now(),
        })
    for name, kind, every, hour in REPORT_SCHEDULES:
        Schedule.objects.get_or_create(name=name, defaults={
            "func": "jishiban.analytics.jobs.keep_report", "args": repr(kind), "schedule_type": every,
            "repeats": -1, "next_run": _first_run(kind, hour)})


def keep_report(kind: str) -> dict:
    """The scheduled report of ``kind`` (after the day's fill, so its figures are current)."""
    stats_fill()
    from . import services

    return {"kept": len(services.keep_reports(kind))}


def stats_fill() -> dict:
    try:
        r = rollup.fill()
    except rollup.FillBusy:
        logger.info("analytics fill skipped: another fill is running")
        return {"skipped": 1}
    return {"events": r.events, "orders": r.orders, "appeals": r.appeals, "rows": r.rows_changed}
