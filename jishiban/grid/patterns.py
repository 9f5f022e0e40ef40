"""未诉先办: patterns among a grid's appeals that ask its worker to visit before more calls come.

* several appeals of one kind (the same second-level category) in the grid within a few days
  (``JISHIBAN_GRID_CLUSTER_COUNT`` appeals within ``JISHIBAN_GRID_CLUSTER_DAYS``, default 3 in 7);
* a repeat complainant (the one repeat rule, ``appeals.repeats.is_repeat``), once per caller
  (the pattern keeps a hash of the phone, not the number);
* a risk flag smart help set (a ``risk:`` tag).

Each makes one open "visit suggested" task per grid and pattern (``services.suggest_visit``).
The after-intake hook looks at each new appeal once; ``rescan`` (the ``grid-visit-rescan``
schedule, ``jishiban grid rescan``) looks again at the recent appeals located in grids, for what
appeared later (a risk flag set afterwards, a category corrected into a cluster). Suggesting is
idempotent: a pattern already suggested after its latest appeal suggests nothing again.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext as _


def cluster_rule() -> tuple[int, int]:
    return (int(getattr(settings, "JISHIBAN_GRID_CLUSTER_COUNT", 3)),
            int(getattr(settings, "JISHIBAN_GRID_CLUSTER_DAYS", 7)))


def look_at(appeal, grid) -> list:
    """The visit tasks ``appeal`` gives rise to in ``grid`` (new ones only)."""
    from jishiban.appeals.models import Appeal
    from jishiban.appeals.repeats import is_repeat
    from jishiban.appeals.workflow import GONE

    from .services import suggest_visit

    made = []
    if appeal.confidential:
        return made  # a confidential appeal never reaches the grid worker, not even as a hint
    count, days = cluster_rule()
    if appeal.category_id:
        family = appeal.category.parent_id or appeal.category_id
        similar = Appeal.objects.filter(grid_id=grid.region_id, received_at__gte=appeal.received_at - timedelta(days=days),
                                        received_at__lte=appeal.received_at).filter(
            category__parent_id=family).exclude(status__in=GONE).count()
        if similar >= count:
            name = appeal.category.parent.name if appeal.category.parent_id else appeal.category.name
            made.append(suggest_visit(grid, pattern=f"cluster:{family}", appeal=appeal, reason=_(
                "%(days)d 天内本网格有 %(n)d 件“%(c)s”类诉求，建议上门走访") % {"days": days, "n": similar, "c": name}))
    if is_repeat(appeal):
        caller = hashlib.sha256((appeal.citizen_phone or f"user:{appeal.citizen_user_id}").encode()).hexdigest()[:16]
        made.append(suggest_visit(grid, pattern=f"repeat:{caller}", appeal=appeal,
                                  reason=_("诉求件 %s 为重复诉求，建议走访诉求人了解情况") % appeal.number))
    risks = [t for t in appeal.tags or [] if isinstance(t, str) and t.startswith("risk:")]
    if risks:
        made.append(suggest_visit(grid, pattern=f"risk:{appeal.pk}", appeal=appeal,
                                  reason=_("诉求件 %s 有风险提示，建议尽快上门了解") % appeal.number))
    return [t for t in made if t is not None]


def rescan_days() -> int:
    """How far back ``rescan`` looks (``JISHIBAN_GRID_RESCAN_DAYS``, default the cluster window)."""
    return int(getattr(settings, "JISHIBAN_GRID_RESCAN_DAYS", cluster_rule()[1]))


def rescan(now=None) -> dict[str, int]:
    """Look again at every appeal located in a grid and received within ``rescan_days()``;
    returns how many appeals were looked at and how many visit tasks were made."""
    from django.utils import timezone

    from jishiban.appeals.workflow import GONE

    from .models import AppealLocation

    now = now or timezone.now()
    rows = (AppealLocation.objects.filter(appeal__received_at__gte=now - timedelta(days=rescan_days()),
                                          appeal__received_at__lte=now, appeal__confidential=False)
            .exclude(appeal__status__in=GONE).select_related("grid__region", "appeal__category__parent")
            .order_by("appeal__received_at", "appeal_id"))
    looked = made = 0
    for row in rows.iterator(chunk_size=500):
        looked += 1
        made += len(look_at(row.appeal, row.grid))
    return {"appeals": looked, "visits": made}
