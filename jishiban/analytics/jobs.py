"""The scheduled fill of the daily tables (django-q2, created on ``migrate``): every 5 minutes
``stats_fill`` takes in new events and passed deadlines. Running it twice changes nothing the
second time; two at once: the second stops (``rollup.FillBusy``)."""

from __future__ import annotations

import logging

from django.utils import timezone

from . import rollup

logger = logging.getLogger("jishiban.analytics")

SCHEDULES = [("analytics-fill", "jishiban.analytics.jobs.stats_fill", 5)]


def ensure_schedules(**_kwargs) -> None:
    from django_q.models import Schedule

    for name, func, minutes in SCHEDULES:
        Schedule.objects.get_or_create(name=name, defaults={
            "func": func, "schedule_type": Schedule.MINUTES, "minutes": minutes, "repeats": -1,
            "next_run": timezone.now(),
        })


def stats_fill() -> dict:
    try:
        r = rollup.fill()
    except rollup.FillBusy:
        logger.info("analytics fill skipped: another fill is running")
        return {"skipped": 1}
    return {"events": r.events, "orders": r.orders, "appeals": r.appeals, "rows": r.rows_changed}
