"""Optional smart help for the workbench, each with the reason when it is not available.

The smart-help app may or may not provide category suggestions, a geocoder, a dispatch
catalogue and risk flags. Each helper here imports it lazily, normalises what it returns to
plain dicts with an explanation, and falls back to the plain rule (or to "no suggestion,
because …") instead of failing the page.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

log = logging.getLogger("jishiban.web")


@dataclass
class Suggestions:
    items: list[dict] = field(default_factory=list)
    reason: str = ""  # why there are none (shown as "暂无智能建议：…")
    source: str = ""


def _optional(module: str, name: str):
    """``module.name`` when the module imports and has it; otherwise ``None``."""
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    return getattr(mod, name, None)


def _get(item, *names, default=None):
    for name in names:
        if isinstance(item, dict) and name in item:
            return item[name]
        if hasattr(item, name):
            return getattr(item, name)
    return default


# --- Categories ----------------------------------------------------------------------------

def category_suggestions(text: str, *, limit: int = 3) -> Suggestions:
    """The top ``limit`` categories for ``text`` with their explanation, when smart help offers them."""
    text = (text or "").strip()
    func = _optional("jishiban.smart.suggest", "suggest_categories")
    if func is None:
        return Suggestions(reason=_("智能分类模块尚未启用"))
    if len(text) < 4:
        return Suggestions(reason=_("诉求内容太短，暂不能判断"))
    try:
        raw = func(text, limit=limit)
    except Exception as exc:  # smart help must never break the call desk
        log.warning("category suggestion failed: %s", exc)
        return Suggestions(reason=_("智能分类暂时不可用"))
    items = []
    from jishiban.taxonomy.models import Category

    codes = [str(_get(r, "code", "category_code", "category", default="")) for r in raw or []]
    codes = [getattr(c, "code", c) for c in codes]
    known = {c.code: c for c in Category.objects.filter(code__in=codes).select_related("parent__parent")}
    for r, code in zip(raw or [], codes, strict=False):
        category = known.get(code)
        if category is None:
            continue
        score = _get(r, "score", "probability", "confidence", default=None)
        items.append({
            "code": code, "name": category.name, "path": " / ".join(category.path_names),
            "score": round(float(score), 2) if isinstance(score, int | float) else None,
            "explanation": str(_get(r, "explanation", "reason", "why", default="") or ""),
        })
    if not items:
        return Suggestions(reason=_("没有足够把握的分类建议"), source="smart")
    return Suggestions(items=items[:limit], source="smart")


# --- Address → county/town ----------------------------------------------------------------------

def locate(address: str) -> dict | None:
    """``{"county": Region, "town": Region|None, "confidence": float, "evidence": [...]}`` or ``None``."""
    address = (address or "").strip()
    if len(address) < 2:
        return None
    func = _optional("jishiban.smart.geocode", "resolve") or _optional("jishiban.smart.geocode.resolver", "resolve")
    if func is None:
        return None
    try:
        result = func(address)
    except Exception as exc:
        log.warning("geocoding failed: %s", exc)
        return None
    county_code = _get(result, "county_code")
    town_code = _get(result, "town_code")
    if not county_code and not town_code:
        return None
    from jishiban.regions.models import Region

    regions = {r.code: r for r in Region.objects.filter(code__in=[c for c in (county_code, town_code) if c])}
    county, town = regions.get(county_code), regions.get(town_code)
    if town is not None and county is None:
        county = town.parent
    if county is None:
        return None
    return {"county": county, "town": town, "confidence": float(_get(result, "confidence", default=0) or 0),
            "evidence": [str(e) for e in (_get(result, "evidence", default=[]) or [])]}


# --- Dispatch suggestions -------------------------------------------------------------------------

class DispatchAdvisor:
    """Suggests lead (and co-) units for appeals from the dispatch catalogue
    (``jishiban.routing``: catalogue rules, meeting decisions, learned units, the domain rule).
    One instance per request shares the catalogue read across a queue page; for one appeal
    (``many=False``) only the rules that could apply to it are read."""

    def __init__(self, *, many: bool = True):
        from jishiban.routing.services import Advisor

        self._advisor = Advisor(preload=many)

    def prepare(self, appeals) -> None:
        """Read the page's routing data at once (see ``routing.services.Advisor.prepare``)."""
        try:
            self._advisor.prepare(appeals)
        except Exception as exc:  # smart help never blocks the desk; suggest() reads one by one
            log.warning("dispatch suggestions could not be prepared: %s", exc)

    def suggest(self, appeal) -> dict | None:
        """``{"lead": Organisation, "co": [Organisation], "explanation": str, "source": str}`` or None."""
        from jishiban.routing.services import suggest_units

        try:
            suggestions = suggest_units(appeal, limit=1, advisor=self._advisor)
        except Exception as exc:  # smart help never blocks the desk
            log.warning("dispatch suggestion failed for %s: %s", appeal.pk, exc)
            return None
        if not suggestions:
            return None
        best = suggestions[0]
        return {"lead": best.lead_unit, "co": list(best.co_units), "source": best.source,
                "explanation": best.explanation}


# --- Risk ------------------------------------------------------------------------------------------

RISK_PREFIX = "risk:"


def risk_tags(appeal) -> list[str]:
    """The appeal's ``risk:*`` tags without the prefix."""
    return [t[len(RISK_PREFIX):] for t in (appeal.tags or []) if isinstance(t, str) and t.startswith(RISK_PREFIX)]


def risk_flags_for_text(text: str) -> list[dict]:
    """Live risk flags from the smart rules (shown on the detail page), or [] when not available."""
    assess = _optional("jishiban.smart.risk", "assess")
    if assess is None or not text:
        return []
    try:
        flags = assess(text)
    except Exception as exc:
        log.warning("risk assessment failed: %s", exc)
        return []
    return [{"code": str(_get(f, "code", default="")), "label": str(_get(f, "label", default="")),
             "evidence": str(_get(f, "evidence", "snippet", default="") or "")} for f in flags]
