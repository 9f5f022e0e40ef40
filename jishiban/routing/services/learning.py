"""Learning from past dispatches: which unit accepted and kept appeals of a category in a county.

One aggregate query over the dispatch events of the last ``ROUTING_LEARN_DAYS`` days (default
365): for each dispatch to unit U, *kept* when U accepted the appeal afterwards and did not
return it afterwards. Counts are grouped by (appeal category, appeal county, U), rolled up to
the category's ancestors, and written to ``LearnedRoute`` in one transaction (the table is
replaced, so a run is idempotent). Run by ``jishiban routing learn`` and a daily django-q2
schedule; ``bench/routing_learn.py`` measures it on the demo data.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from jishiban.appeals.models import AppealEvent
from jishiban.appeals.selectors import returning_unit_code
from jishiban.organisations.models import Organisation
from jishiban.taxonomy.models import Category

from ..models import LearnedRoute

SCHEDULE_NAME = "routing-learn"


def learn_days() -> int:
    return int(getattr(settings, "ROUTING_LEARN_DAYS", 365))


def dispatch_outcomes(since=None, until=None):
    """Per (category, county, unit code): dispatched, kept (accepted and not returned by that
    unit afterwards), returned, last dispatch time, for dispatches in [since, until). One query."""
    dispatches = AppealEvent.objects.filter(action="dispatch", appeal__category__isnull=False)
    if since is not None:
        dispatches = dispatches.filter(at__gte=since)
    if until is not None:
        dispatches = dispatches.filter(at__lt=until)
    dispatches = dispatches.annotate(unit_code=KeyTextTransform("lead_unit", "payload"))
    accepted = AppealEvent.objects.filter(
        appeal_id=OuterRef("appeal_id"), action="accept", at__gte=OuterRef("at"),
        actor_unit__code=OuterRef("unit_code"),
    )
    returned = (AppealEvent.objects.filter(appeal_id=OuterRef("appeal_id"), action="return", at__gte=OuterRef("at"))
                .annotate(returned_unit=returning_unit_code())
                .filter(returned_unit=OuterRef("unit_code")))
    return (dispatches.annotate(was_accepted=Exists(accepted), was_returned=Exists(returned))
            .values("appeal__category_id", "appeal__county_id", "unit_code")
            .annotate(dispatched=Count("id"),
                      kept=Count("id", filter=Q(was_accepted=True, was_returned=False)),
                      returned=Count("id", filter=Q(was_returned=True)),
                      last_at=Max("at"))
            .order_by())


def learn(now=None) -> dict:
    """Rebuild ``LearnedRoute`` from the dispatches of the ``learn_days`` before ``now`` (an
    earlier ``now`` learns only from what was known then: held-back evaluation); returns
    ``{"dispatches", "rows", "seconds"}``."""
    started = time.perf_counter()
    now = now or timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The planner's cost estimate switches JIT compilation on, which takes longer than
            # the query itself (0.7 s of 0.9 s on the demo data); only for this transaction.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        rows = list(dispatch_outcomes(since=now - timedelta(days=learn_days()), until=now))
    units = dict(Organisation.objects.filter(code__in={r["unit_code"] for r in rows if r["unit_code"]})
                 .values_list("code", "pk"))
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    totals: dict[tuple, dict] = defaultdict(lambda: {"dispatched": 0, "kept": 0, "returned": 0, "last_at": None})
    dispatches = 0
    for row in rows:
        unit_id = units.get(row["unit_code"])
        if unit_id is None:
            continue
        dispatches += row["dispatched"]
        category_id = row["appeal__category_id"]
        while category_id is not None:  # the appeal's category and each ancestor
            total = totals[(category_id, row["appeal__county_id"], unit_id)]
            for name in ("dispatched", "kept", "returned"):
                total[name] += row[name]
            if total["last_at"] is None or row["last_at"] > total["last_at"]:
                total["last_at"] = row["last_at"]
            category_id = parents.get(category_id)
    with transaction.atomic():
        LearnedRoute.objects.all().delete()
        LearnedRoute.objects.bulk_create([
            LearnedRoute(category_id=cat, county_id=county, unit_id=unit, refreshed_at=now, **values)
            for (cat, county, unit), values in totals.items()
        ], batch_size=2000)
    return {"dispatches": dispatches, "rows": len(totals), "seconds": round(time.perf_counter() - started, 3)}


def ensure_schedule(app_config=None, using="default", **kwargs) -> None:
    """``post_migrate``: a daily django-q2 job rebuilding the statistics (an operator's later
    edits to the schedule are kept)."""
    from django_q.models import Schedule

    Schedule.objects.using(using).get_or_create(name=SCHEDULE_NAME, defaults={
        "func": "jishiban.routing.services.learning.learn", "schedule_type": Schedule.DAILY, "repeats": -1,
        "next_run": timezone.now(),
    })
