"""Computing the parts of an appeal's suggestion; each part says why when it has nothing.

Every function here reads only; ``services`` stores the result and applies the safe parts.
Each part returns ``(value, reason)`` with ``reason`` empty when the part is available.
"""

from __future__ import annotations

import copy
import logging

from django.utils.translation import gettext as _

from . import conf
from .category_suggestions import Unavailable, classify
from .dedupe_db import Found, live_index, repeat_of, text_of
from .geocode.resolver import resolve

log = logging.getLogger("jishiban.smart")

def doc_of(appeal):
    return (appeal.title or "", appeal.content or "") if appeal.title else (appeal.content or "")


def _ref(region) -> dict | None:
    return {"id": region.pk, "code": region.code, "name": region.name} if region is not None else None


# --- categories ------------------------------------------------------------------------------

def categories_part(appeal) -> tuple[dict, str]:
    try:
        return classify(doc_of(appeal)), ""
    except Unavailable as exc:
        return {"items": [], "needs_choice": True, "model_version": None, "model_version_id": None}, str(exc)


# --- region ------------------------------------------------------------------------------------

def region_part(appeal) -> tuple[dict, str]:
    """County/town/community from the address (then the text), the grid from coordinates."""
    from jishiban.regions.models import Region, RegionLevel

    from .geocode_db import locate_grid

    res, source = None, ""
    for where, text in (("address", appeal.address), ("text", text_of(appeal))):
        if text:
            res, source = resolve(text), where
            if res.county_code:
                break
    codes = [c for c in (res.county_code, res.town_code) if c] if res else []
    found = {r.code: r for r in Region.objects.filter(code__in=codes)}
    county, town = found.get(res.county_code) if res else None, found.get(res.town_code) if res else None
    if town is not None and county is None:
        county = town.ancestor(RegionLevel.COUNTY)
    evidence = list(res.evidence) if res else []
    confidence = float(res.confidence) if res and county else 0.0
    community = None
    if res and res.community_name:
        row = (Region.objects.filter(level=RegionLevel.COMMUNITY, name=res.community_name, parent=town).first()
               if town is not None else None)
        community = {"code": row.code if row else None, "name": res.community_name}
    grid = locate_grid(appeal.lat, appeal.lon)
    if grid is not None:
        g_town, g_county = grid.ancestor(RegionLevel.TOWN), grid.ancestor(RegionLevel.COUNTY)
        evidence.append(_("坐标（%(lat)s, %(lon)s）位于网格 %(g)s") % {"lat": appeal.lat, "lon": appeal.lon, "g": grid.name})
        if county is None:
            county, town, confidence, source = g_county, g_town, 1.0, "grid"
        elif g_county is not None and g_county.pk != county.pk:
            evidence.append(_("文字所指区县（%(a)s）与坐标所在区县（%(b)s）不一致") % {"a": county.name, "b": g_county.name})
            confidence = min(confidence, 0.5)
        elif town is None and g_town is not None:
            town = g_town
    value = {"county": _ref(county), "town": _ref(town), "community": community, "grid": _ref(grid),
             "confidence": round(confidence, 3), "evidence": evidence, "source": source if county else ""}
    if county is None:
        return value, _("地址和内容中没有可识别的济宁县市区或乡镇街道")
    return value, ""


# --- units ----------------------------------------------------------------------------------------

def units_part(appeal, categories: dict, region: dict) -> tuple[list[dict], str]:
    """Dispatch suggestions of the routing catalogue. An appeal without category or county is
    looked at with the suggested ones, and each suggestion says so."""
    from jishiban.regions.models import Region
    from jishiban.routing.services import suggest_units
    from jishiban.taxonomy.models import Category

    view, basis = appeal, []
    if appeal.category_id is None and categories.get("items"):
        top = categories["items"][0]
        category = Category.objects.filter(code=top["code"]).first() if top.get("code") else None
        if category is not None:
            view = copy.copy(appeal)
            view.category = category
            basis.append(_("按建议分类“%(c)s”") % {"c": category.name})
    if appeal.county_id is None and region.get("county"):
        county = Region.objects.filter(pk=region["county"]["id"]).first()
        if county is not None:
            view = copy.copy(view) if view is appeal else view
            view.county = county
            if region.get("town"):
                view.town = Region.objects.filter(pk=region["town"]["id"]).first()
            basis.append(_("按识别的区县“%(c)s”") % {"c": county.name})
    if view.category_id is None:
        return [], _("没有分类（也没有把握足够的分类建议），无法建议承办单位")
    items = []
    for s in suggest_units(view, limit=3):
        item = s.as_dict()
        item["lead_unit"]["id"] = s.lead_unit.pk
        if basis:
            item["basis"] = "；".join(basis)
            item["explanation"] = f"{item['basis']}：{item['explanation']}"
        items.append(item)
    return items, "" if items else _("派单目录和历史中没有适用的承办单位")


# --- duplicates and repeats ---------------------------------------------------------------------

def _candidate(found: Found) -> dict:
    c, row = found.candidate, found.row
    s = c.signals
    return {
        "appeal_id": row["pk"], "number": row["number"], "title": row["title"], "status": row["status"],
        "received_at": row["received_at"].isoformat(), "score": c.score, "relation": c.relation, "reason": c.reason,
        "signals": {"lexical": s.lexical, "topic": s.topic, "semantic": None if s.semantic is None else round(s.semantic, 4),
                    "places": list(s.places), "same_caller": s.same_caller, "same_address": s.same_address,
                    "days_apart": s.days_apart},
    }


def duplicates_part(appeal, embedding=None) -> tuple[list[dict], dict | None, str]:
    """(candidates, repeat flag, reason): lookup in the live index, then add the appeal to it."""
    index = live_index()
    found = index.query(appeal, embedding=embedding, include_related=bool(conf.get("INCLUDE_RELATED")))
    index.add(appeal, embedding=embedding)
    from jishiban.appeals.repeats import rule

    repeat_rule = rule()  # the one 重复诉求 rule's window and threshold; the index judges "same matter"
    flag = repeat_of(found, threshold=repeat_rule.threshold, window_days=float(repeat_rule.window_days))
    numbers = {f.row["pk"]: f.row["number"] for f in found}
    repeat = None
    if flag is not None:
        repeat = {"count": flag.count, "by_caller": [numbers[i] for i in flag.by_caller],
                  "by_address": [numbers[i] for i in flag.by_address], "reason": flag.reason,
                  "threshold": repeat_rule.threshold, "window_days": float(repeat_rule.window_days)}
    items = [_candidate(f) for f in found[: int(conf.get("DUPLICATE_LIMIT"))]]
    reason = ""
    if not items:
        size = len(index.index) if index.index is not None else 0
        reason = (_("历史数据为空：近 %(d)s 天没有其他诉求") if size <= 1 else _("近 %(d)s 天没有相似或相关的诉求")) % {
            "d": int(float(conf.get("DUPLICATE_WINDOW_DAYS")))}
    return items, repeat, reason


# --- risk ------------------------------------------------------------------------------------------

def risks_part(appeal) -> tuple[list[dict], str]:
    from .risk import assess

    flags = assess(text_of(appeal))
    return [{"code": f.code, "label": f.label, "evidence": f.evidence, "terms": list(f.terms)} for f in flags], ""
