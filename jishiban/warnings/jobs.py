"""The scheduled scan (django-q2, created on ``migrate``): every few minutes ``scan`` looks for
spikes, hot events, risk and repeat signals and raises or updates warnings."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger("jishiban.warnings")


def ensure_schedules(**_kwargs) -> None:
    from django_q.models import Schedule

    minutes = int(getattr(settings, "JISHIBAN_WARNINGS_SCAN_MINUTES", 5))
    Schedule.objects.get_or_create(name="warnings-scan", defaults={
        "func": "jishiban.warnings.jobs.scan", "schedule_type": Schedule.MINUTES, "minutes": minutes,
        "repeats": -1, "next_run": timezone.now(),
    })


def scan() -> dict:
    from .scan import run

    return run().as_dict()
