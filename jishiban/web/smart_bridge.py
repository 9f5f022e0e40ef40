"""Smart help as the workbench shows it, each with the reason when there is none.

Category suggestions, the address resolver, dispatch suggestions and risk flags come from the
``smart`` and ``routing`` apps (both always installed). Each helper turns their answer into
plain dicts for the templates and, when smart help fails at run time, gives "no suggestion,
because …" instead of failing the page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

log = logging.getLogger("jishiban.web")


@dataclass
class Suggestions:
    items: list[dict] = field(default_factory=list)
    reason: str = ""  # why there are none (shown as "暂无智能建议：…")
    source: str = ""


# --- Categories ----------------------------------------------------------------------------

def category_suggestions(text: str, *, limit: int = 3) -> Suggestions:
    """The top ``limit`` categories for ``text`` with their explanation (``smart.category_suggestions``)."""
    from jishiban.smart.category_suggestions import category_status, suggest_categories

    text = (text or "").strip()
    if len(text) < 4:
        return Suggestions(reason=_("诉求内容太短，暂不能判断"))
    try:
        items = suggest_categories(text, limit=limit)
        reason = "" if items else category_status()
    except Exception as exc:  # smart help must never break the call desk
        log.warning("category suggestion failed: %s", exc)
        return Suggestions(reason=_("智能分类暂时不可用"))
    if not items:
        return Suggestions(reason=reason or _("没有足够把握的分类建议"), source="smart")
    return Suggestions(items=[{key: item[key] for key in ("code", "name", "path", "explanation")}
                              | {"score": round(float(item["score"]), 2)} for item in items[:limit]],
                       source="smart")


# --- Address → county/town ----------------------------------------------------------------------

def locate(address: str) -> dict | None:
    """``{"county": Region, "town": Region|None, "confidence": float, "evidence": [...]}`` or ``None``."""
    from jishiban.regions.models import Region
    from jishiban.smart.geocode import resolve

    address = (address or "").strip()
    if len(address) < 2:
        return None
    try:
        result = resolve(address)
    except Exception as exc:
        log.warning("geocoding failed: %s", exc)
        return None
    if not result.county_code and not result.town_code:
        return None
    codes = [c for c in (result.county_code, result.town_code) if c]
    regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
    county, town = regions.get(result.county_code), regions.get(result.town_code)
    if town is not None and county is None:
        county = town.parent
    if county is None:
        return None
    return {"county": county, "town": town, "confidence": float(result.confidence or 0),
            "evidence": [str(e) for e in result.evidence or []]}


# --- Dispatch suggestions -------------------------------------------------------------------------

class DispatchAdvisor:
    """Suggests lead (and co-) units for appeals from the dispatch catalogue
    (``jishiban.routing``: catalogue rules, meeting decisions, learned units, the domain rule).
    One instance per request shares the catalogue read across a queue page; for one appeal
    (``many=False``) only the rules that could apply to it are read. With ``user``, only units
    that user may dispatch to are suggested (``routing.picker.allowed_suggestions``)."""

    def __init__(self, *, many: bool = True, user=None):
        from jishiban.routing.services import Advisor

        self._advisor = Advisor(preload=many)
        self._user = user
        self._allowed = None

    def prepare(self, appeals) -> None:
        """Read the page's routing data at once (see ``routing.services.Advisor.prepare``)."""
        try:
            self._advisor.prepare(appeals)
        except Exception as exc:  # smart help never blocks the desk; suggest() reads one by one
            log.warning("dispatch suggestions could not be prepared: %s", exc)

    def suggestions(self, appeal, *, limit: int = 3) -> list[dict]:
        """Up to ``limit`` suggestions as ``suggestion_dict``s, best first; ``[]`` when routing fails."""
        from jishiban.routing.picker import Allowed, allowed_suggestions
        from jishiban.routing.services import suggest_units

        try:
            if self._user is None:
                found = suggest_units(appeal, limit=limit, advisor=self._advisor)
            else:
                self._allowed = self._allowed or Allowed(self._user)
                found = allowed_suggestions(self._user, appeal, limit=limit, advisor=self._advisor,
                                            allowed=self._allowed)
        except Exception as exc:  # smart help never blocks the desk
            log.warning("dispatch suggestion failed for %s: %s", appeal.pk, exc)
            return []
        return [suggestion_dict(s) for s in found]

    def suggest(self, appeal) -> dict | None:
        """The best suggestion (``suggestion_dict``) or None."""
        found = self.suggestions(appeal, limit=1)
        return found[0] if found else None


def suggestion_dict(s) -> dict:
    """A routing ``Suggestion`` as the pages show it: ``lead``, ``co`` (units), ``explanation``,
    ``source`` / ``source_label``, ``meeting`` (name, date, decision number) with ``meeting_id`` /
    ``decision_id`` / ``rule_id`` for its link, ``rank_note`` (why after the one before)."""
    return {"lead": s.lead_unit, "co": list(s.co_units), "source": s.source, "source_label": s.source_label,
            "explanation": s.explanation, "meeting": s.meeting, "meeting_id": s.meeting_id,
            "decision_id": s.decision_id, "rule_id": s.rule_id, "rank_note": s.rank_note}


# --- Risk ------------------------------------------------------------------------------------------

RISK_PREFIX = "risk:"


def risk_tags(appeal) -> list[str]:
    """The appeal's ``risk:*`` tags as their rules' labels (生命安全风险), never the codes."""
    codes = [t[len(RISK_PREFIX):] for t in (appeal.tags or []) if isinstance(t, str) and t.startswith(RISK_PREFIX)]
    if not codes:
        return []
    from django.utils.translation import gettext

    from jishiban.smart.risk import load_rules

    labels = {rule.code: rule.label for rule in load_rules()}
    return [gettext(labels[c]) if c in labels else gettext("其他风险") for c in codes]


def risk_flags_for_text(text: str) -> list[dict]:
    """Live risk flags from the smart rules (shown on the detail page); [] when they fail."""
    from jishiban.smart.risk import assess

    if not text:
        return []
    try:
        flags = assess(text)
    except Exception as exc:
        log.warning("risk assessment failed: %s", exc)
        return []
    return [{"code": f.code, "label": f.label, "evidence": f.evidence} for f in flags]
