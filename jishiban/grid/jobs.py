"""The grid app's schedule (django-q2, created on ``migrate``): every
``JISHIBAN_GRID_RESCAN_MINUTES`` (default 60) ``rescan`` looks again for 未诉先办 patterns."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone

log = logging.getLogger("jishiban.grid")
SCHEDULE = "grid-visit-rescan"


def ensure_schedules(using="default", **_kwargs) -> None:
    from django_q.models import Schedule

    minutes = int(getattr(settings, "JISHIBAN_GRID_RESCAN_MINUTES", 60))
    Schedule.objects.using(using).get_or_create(name=SCHEDULE, defaults={
        "func": "jishiban.grid.jobs.rescan", "schedule_type": Schedule.MINUTES, "minutes": minutes,
        "repeats": -1, "next_run": timezone.now(),
    })


def rescan() -> dict:
    from .patterns import rescan as run

    counts = run()
    log.info("grid visit rescan: %(appeals)d appeals looked at, %(visits)d visits suggested", counts)
    return counts
