"""Reading warnings in the reader's scope (``policy.warning_scope``): the list, one warning,
hot events and open counts. The cockpit reads ``open_warnings``, ``hot_events`` and
``open_counts``; their signatures and keys are kept stable."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet
from django.urls import reverse

from jishiban.accounts import policy
from jishiban.appeals.models import Appeal

from .models import OPEN_STATES, EarlyWarning, WarningKind


def visible_warnings(user) -> QuerySet:
    """The warnings ``user`` may see: all of them, their county's, or none."""
    scope = policy.warning_scope(user)
    qs = EarlyWarning.objects.all()
    if scope == "all":
        return qs
    if scope == "county":
        return qs.filter(county_id=user.region_id)
    return qs.none()


def sees(user, warning) -> bool:
    """Whether ``user`` may see ``warning`` — ``visible_warnings`` for one row already in hand."""
    scope = policy.warning_scope(user)
    return scope == "all" or (scope == "county" and warning.county_id == user.region_id)


def warning_url(warning) -> str:
    return reverse("warnings:detail", args=[warning.pk])


def _open(user) -> QuerySet:
    return visible_warnings(user).filter(state__in=OPEN_STATES)


def as_dict(w: EarlyWarning) -> dict:
    return {
        "id": w.pk, "kind": w.kind, "kind_label": str(w.get_kind_display()), "title": w.title, "why": w.why,
        "state": w.state, "state_label": str(w.get_state_display()), "raised_at": w.raised_at,
        "county_code": w.county.code if w.county_id else None,
        "county_name": w.county.name if w.county_id else "",
        "category_name": w.category.name if w.category_id else "",
        "observed": w.observed, "expected": w.expected, "score": w.score,
        "appeal_count": w.n_appeals,
        "url": warning_url(w),
    }


def open_warnings(user, *, limit: int = 20) -> list[dict]:
    """Open warnings ``user`` may see, newest first."""
    qs = (_open(user).select_related("county", "category").annotate(n_appeals=Count("appeals"))
          .order_by("-raised_at", "-id"))[: max(0, int(limit))]
    return [as_dict(w) for w in qs]


def hot_events(user, *, limit: int = 20) -> list[dict]:
    """Open hot events ``user`` may see, latest activity first, with the units handling them."""
    units_of = Prefetch("appeals", queryset=Appeal.objects.select_related("lead_unit").only("id", "lead_unit"))
    qs = (_open(user).filter(kind=WarningKind.EVENT).select_related("county").prefetch_related(units_of)
          .order_by("-latest_at", "-id"))[: max(0, int(limit))]
    out = []
    for w in qs:
        appeals = list(w.appeals.all())
        units = sorted({a.lead_unit.name for a in appeals if a.lead_unit_id})
        out.append({
            "id": w.pk, "title": w.title, "first_at": w.first_at, "latest_at": w.latest_at,
            "appeal_count": len(appeals), "county_code": w.county.code if w.county_id else None,
            "county_name": w.county.name if w.county_id else "",
            "lon": float(w.lon) if w.lon is not None else None, "lat": float(w.lat) if w.lat is not None else None,
            "units": units, "url": warning_url(w),
        })
    return out


def open_counts(user) -> dict[str, int]:
    """Open warnings per kind (every kind present, zero when none)."""
    counts = {k: 0 for k in WarningKind.values}
    for row in _open(user).values("kind").annotate(n=Count("id")):
        counts[row["kind"]] = row["n"]
    return counts


def open_by_county(user) -> dict[str, int]:
    """Open warnings per county code (counted in the database; the city's own are left out)."""
    rows = _open(user).filter(county__isnull=False).values("county__code").annotate(n=Count("id")).order_by()
    return {r["county__code"]: r["n"] for r in rows}


def warning_list(user, *, kind: str = "", state: str = "open") -> QuerySet:
    qs = visible_warnings(user).select_related("county", "category").annotate(n_appeals=Count("appeals"))
    if kind in WarningKind.values:
        qs = qs.filter(kind=kind)
    if state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif state == "closed":
        qs = qs.exclude(state__in=OPEN_STATES)
    return qs.order_by("-raised_at", "-id")


def get_warning(user, pk) -> EarlyWarning | None:
    return (visible_warnings(user).select_related("county", "category", "assignee", "unit", "order")
            .filter(pk=pk).first())


def appeals_of(user, warning, *, limit: int = 200) -> QuerySet:
    """The appeals behind ``warning`` that ``user`` may see."""
    return (Appeal.objects.visible_to(user).filter(pk__in=warning.appeals.values("pk"))
            .select_related("county", "category", "lead_unit").order_by("-received_at")[:limit])
