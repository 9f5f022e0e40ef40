"""The cockpit summary's schedules (django-q2, created on ``migrate``): the last two days every
five minutes, after the analytics fill has taken in new events; the whole window nightly."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from . import services

SCHEDULES = [("cockpit-recent", "jishiban.cockpit.jobs.refresh_recent", "minutes", 5),
             ("cockpit-window", "jishiban.cockpit.jobs.refresh_window", "daily", 1)]


def ensure_schedules(**_kwargs) -> None:
    from django_q.models import Schedule

    for name, func, kind, minutes in SCHEDULES:
        Schedule.objects.get_or_create(name=name, defaults={
            "func": func, "schedule_type": Schedule.MINUTES if kind == "minutes" else Schedule.DAILY,
            "minutes": minutes if kind == "minutes" else None, "repeats": -1, "next_run": timezone.now(),
        })


def refresh_recent() -> dict:
    today = timezone.localdate()
    return {"rows": services.refresh(today - timedelta(days=1), today)}


def refresh_window() -> dict:
    start, end = services.window(timezone.localdate())
    return {"rows": services.refresh(start, end)}
