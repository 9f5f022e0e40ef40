"""What the dispatch picker offers a user: the suggested units first, then the units found by
what they typed — only units the role policy lets them dispatch to (``dispatch_units``).

Used by the workbench's picker (``web.views.dispatch.unit_options``) and the API
(``GET /api/v1/dispatch/units``). Read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from jishiban.accounts.policy import dispatch_units, is_county_staff
from jishiban.organisations.models import Organisation
from jishiban.organisations.selectors import county_of, search_units

from .services.suggest import Advisor, Suggestion, suggest_units

SUGGESTIONS = 3


@dataclass(frozen=True)
class Choice:
    """One unit the picker offers; ``suggestion`` when routing suggested it (with its reason)."""

    unit: Organisation
    county: object | None = None  # the county (Region) it serves, ``None`` for a city unit
    suggestion: Suggestion | None = None


class Allowed:
    """The units ``user`` may dispatch to, asked once per request (``None``: every unit)."""

    def __init__(self, user):
        self.user = user
        self.ids = (set(Organisation.objects.filter(dispatch_units(user)).values_list("pk", flat=True))
                    if is_county_staff(user) else None)

    def __contains__(self, unit) -> bool:
        return self.ids is None or getattr(unit, "pk", unit) in self.ids


def allowed_suggestions(user, appeal, *, limit: int = SUGGESTIONS, advisor: Advisor | None = None,
                        allowed: Allowed | None = None) -> list[Suggestion]:
    """``suggest_units`` for ``appeal`` keeping only units ``user`` may dispatch to (a suggested
    co-handler they may not reach is dropped from it)."""
    allowed = allowed or Allowed(user)
    found = suggest_units(appeal, limit=limit + 5 if allowed.ids is not None else limit, advisor=advisor)
    kept = []
    for suggestion in found:
        if suggestion.lead_unit in allowed:
            co = tuple(u for u in suggestion.co_units if u in allowed)
            kept.append(replace(suggestion, co_units=co) if co != suggestion.co_units else suggestion)
    if kept and kept[0].rank_note and kept[0] is not found[0]:
        kept[0] = replace(kept[0], rank_note="")  # the first offered has nothing before it
    return kept[:limit]


def choices(user, query: str = "", *, appeal=None, limit: int = 20, advisor: Advisor | None = None) -> list[Choice]:
    """The picker's list: the suggestions for ``appeal`` (those matching ``query`` when one is
    typed) on top, then the units ``query`` finds, best first. Without a query only suggestions."""
    allowed = Allowed(user)
    suggested = allowed_suggestions(user, appeal, advisor=advisor, allowed=allowed) if appeal is not None else []
    query = (query or "").strip()
    near = appeal.county_id if appeal is not None else (user.region_id if is_county_staff(user) else None)
    found = search_units(query, within=dispatch_units(user), near_county_id=near, limit=limit) if query else []
    by_pk = {u.pk: u for u in found}
    if not query and suggested:  # the suggested units with their county, in one query
        by_pk = Organisation.objects.select_related("region__parent").in_bulk([s.lead_unit.pk for s in suggested])
    out = []
    for suggestion in suggested:
        if query and suggestion.lead_unit.pk not in by_pk:
            continue
        unit = by_pk.get(suggestion.lead_unit.pk, suggestion.lead_unit)
        out.append(Choice(unit, county_of(unit), suggestion))
    shown = {c.unit.pk for c in out}
    out += [Choice(u, county_of(u)) for u in found if u.pk not in shown]
    return out[:limit]
