"""Readable appeal numbers: prefix + receipt date + daily sequence (JN2026112700001)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from .models import NumberSequence


def allocate(day: date, count: int = 1) -> list[str]:
    """Reserve ``count`` consecutive numbers for ``day``.

    Runs in its own atomic block: the UPDATE takes the row lock on PostgreSQL and SQLite's
    IMMEDIATE transactions serialise writers, so two callers never get the same number.
    """
    if count < 1:
        return []
    prefix = settings.JISHIBAN["NUMBER_PREFIX"]
    with transaction.atomic():
        if not NumberSequence.objects.filter(day=day).update(last=F("last") + count):
            try:
                with transaction.atomic():
                    NumberSequence.objects.create(day=day, last=count)
            except IntegrityError:  # another writer created today's row first
                NumberSequence.objects.filter(day=day).update(last=F("last") + count)
        last = NumberSequence.objects.values_list("last", flat=True).get(day=day)
    first = last - count + 1
    stamp = day.strftime("%Y%m%d")
    return [f"{prefix}{stamp}{n:05d}" for n in range(first, last + 1)]
