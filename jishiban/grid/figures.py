"""Grid work's counter sums per county over days (the assessment source ``grid``): the counters
are defined in ``analytics.metrics`` (``GRID_COUNTERS``, ``grid_step_counters``); this module only
reads the rows they are made from."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import Sum
from django.utils import timezone

from jishiban.analytics import metrics

from .models import AppealLocation, EventStep, Grid, Task


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (datetime.combine(start, time.min, tzinfo=tz), datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz))


def county_counts(start: date, end: date) -> dict[int, dict[str, int]]:
    """``{county region id: {counter: n}}`` for the local days ``start`` … ``end`` (inclusive)."""
    from jishiban.appeals.repeats import repeats_among

    lo, hi = _bounds(start, end)
    out: dict[int, Counter] = defaultdict(Counter)
    steps = (EventStep.objects.filter(at__gte=lo, at__lt=hi, action__in=list(metrics._GRID_STEP_COUNTERS))
             .values_list("action", "payload", "event__state", "event__grid__county_id"))
    for action, payload, state, county in steps:
        out[county] += metrics.grid_step_counters(action, invalid=state == "invalid",
                                                  on_time=bool((payload or {}).get("on_time")))
    for county, done in Task.objects.filter(kind="visit", created_at__gte=lo, created_at__lt=hi).values_list(
            "grid__county_id", "done_at"):
        out[county]["grid_visits"] += 1
        out[county]["grid_visits_done"] += int(done is not None)
    located = AppealLocation.objects.filter(appeal__received_at__gte=lo, appeal__received_at__lt=hi)
    for county in located.values_list("grid__county_id", flat=True):
        out[county]["grid_appeals"] += 1
    from jishiban.appeals.models import Appeal

    repeated = repeats_among(Appeal.objects.filter(pk__in=located.values("appeal_id")))
    for county in repeated.values_list("grid_location__grid__county_id", flat=True):
        out[county]["grid_repeat_appeals"] += 1
    for county, residents in Grid.objects.values_list("county_id").annotate(n=Sum("residents")).values_list(
            "county_id", "n"):
        if county in out or residents:
            out[county]["grid_residents"] = int(residents or 0)
    return {county: dict(c) for county, c in out.items()}
