"""Read-only REST API of routing: ``router`` (django-ninja), mounted at the API root.

* ``GET /routing/rules`` — the dispatch catalogue (dispatchers, supervisors, administrators;
  403 for others), filtered by ``state`` / ``origin`` / ``county`` / ``category``, paged with
  ``limit`` / ``offset``;
* ``GET /appeals/{number}/routing`` — the unit suggestions for an appeal, each with its
  explanation; 404 when the caller may not see the appeal (``Appeal.objects.visible_to``);
* ``GET /dispatch/units?q=zjj&appeal=NUMBER`` — the dispatch picker: units found by name,
  short name, pinyin (full or initials), county, domain or code, the appeal's suggestions on
  top, only units the caller may dispatch to (county staff: their county's and the city units
  marked 县级可派); 403 for those who may not dispatch.

Authentication is the API's (``jishiban.api.auth.API_AUTH``: bearer token or session).
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from jishiban.api.auth import API_AUTH
from jishiban.api.schemas import ErrorOut
from jishiban.appeals.models import Appeal
from jishiban.regions.models import Region
from jishiban.taxonomy.models import Category

from . import access, selectors
from .services import suggest_units

router = Router(auth=API_AUTH, tags=["routing"])


READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class UnitOut(Schema):
    code: str
    name: str


class RuleOut(Schema):
    id: int
    category: str | None = Field(None, description="分类代码（含下级分类）；空为不限分类")
    category_name: str = ""
    county: str | None = Field(None, description="县市区代码；空为全市")
    town: str | None = None
    channel: str | None = None
    keywords: list[str] = Field(default_factory=list, description="任一命中即适用；空为不限")
    exclude_keywords: list[str] = Field(default_factory=list)
    lead_unit: UnitOut
    co_units: list[UnitOut] = Field(default_factory=list)
    priority: int
    origin: str = Field(..., description="seeded 初始目录 / manual 人工维护 / meeting 会商决定 / learned 历史学习")
    decision_id: int | None = None
    meeting_id: int | None = None
    valid_from: dt.date
    valid_until: dt.date | None = None
    is_active: bool
    note: str = ""


class RuleFilters(Schema):
    state: str = Field("active", pattern="^(active|inactive|all)$", description="active 在用 / inactive / all")
    origin: str = Field("", description="来源")
    county: str = Field("", description="县市区代码")
    category: str = Field("", description="分类代码（含下级）")
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0)


class RulePage(Schema):
    count: int
    results: list[RuleOut]


class RoutingSuggestionOut(Schema):
    lead_unit: UnitOut
    co_units: list[UnitOut]
    score: float
    source: str = Field(..., description="catalogue 派单目录 / meeting 会商决定 / learned 历史派单 / domain 职能领域")
    source_label: str
    explanation: str = Field(..., description="建议的理由（中文）")
    rule_id: int | None = None
    decision_id: int | None = None
    meeting_id: int | None = Field(None, description="会商（决定所出自的责任会商）")
    meeting: str = Field("", description="会商名称、日期与决定编号，如 2026-03-05 月度攻坚会商 · 会商决定 #7")
    rank_note: str = Field("", description="排在上一条建议之后的原因（第一条为空）")


class PickedUnitOut(Schema):
    code: str
    name: str
    short_name: str = ""
    level: str = Field(..., description="city 市级 / county 县级 / town 乡镇级")
    kind: str
    county: str | None = Field(None, description="所属县市区代码；市级单位为空")
    county_name: str = ""
    domain: str = ""
    suggestion: RoutingSuggestionOut | None = Field(None, description="派单建议（有则排在前面）")


def _unit(unit) -> dict:
    return {"code": unit.code, "name": unit.name}


def _rule(rule) -> dict:
    return {
        "id": rule.pk, "category": rule.category.code if rule.category_id else None,
        "category_name": rule.category.name if rule.category_id else "",
        "county": rule.county.code if rule.county_id else None, "town": rule.town.code if rule.town_id else None,
        "channel": rule.channel.code if rule.channel_id else None, "keywords": list(rule.keyword_list),
        "exclude_keywords": list(rule.exclude_list), "lead_unit": _unit(rule.lead_unit),
        "co_units": [_unit(u) for u in rule.co_units.all()], "priority": rule.priority, "origin": rule.origin,
        "decision_id": rule.decision_id, "meeting_id": rule.meeting_id or (
            rule.decision.meeting_id if rule.decision_id else None),
        "valid_from": rule.valid_from, "valid_until": rule.valid_until, "is_active": rule.is_active,
        "note": rule.note,
    }


@router.get("/routing/rules", response={200: RulePage, **READ_ERRORS}, url_name="routing_rules",
            summary="派单目录")
def rules(request, filters: Query[RuleFilters]):
    if not access.may_view(request.user):
        raise HttpError(403, _("您无权查看派单目录"))
    county = Region.objects.filter(code=filters.county).first() if filters.county else None
    category = Category.objects.filter(code=filters.category).first() if filters.category else None
    if (filters.county and county is None) or (filters.category and category is None):
        return {"count": 0, "results": []}
    qs = selectors.rules_for(request.user, state=filters.state, origin=filters.origin, county=county,
                             category=category)
    page = qs[filters.offset:filters.offset + filters.limit]
    return {"count": qs.count(), "results": [_rule(r) for r in page]}


@router.get("/appeals/{number}/routing", response={200: list[RoutingSuggestionOut], **READ_ERRORS},
            url_name="appeal_routing", summary="诉求件的派单建议")
def appeal_routing(request, number: str, limit: int = Query(3, ge=1, le=10)):
    appeal = (Appeal.objects.visible_to(request.user)
              .select_related("category__parent__parent", "county", "town", "channel").filter(number=number).first())
    if appeal is None:
        raise Http404(_("诉求件 %(n)s 不存在或无权查看") % {"n": number})
    if not access.may_see_suggestions(request.user):
        raise HttpError(403, _("您无权查看派单建议"))
    return [s.as_dict() for s in suggest_units(appeal, limit=limit)]


@router.get("/dispatch/units", response={200: list[PickedUnitOut], **READ_ERRORS}, url_name="dispatch_units",
            summary="派单选择单位（名称、简称、拼音全拼或首字母检索）")
def dispatch_units(request, q: str = Query("", max_length=40, description="如 zjj、zhujianju、住建、任城 住建"),
                   appeal: str = Query("", max_length=24, description="诉求件编号：其派单建议排在前面"),
                   limit: int = Query(20, ge=1, le=50)):
    from jishiban.accounts.policy import may_dispatch

    from .picker import choices

    if not may_dispatch(request.user):
        raise HttpError(403, _("您无权派单"))
    found = None
    if appeal:
        found = (Appeal.objects.visible_to(request.user)
                 .select_related("category__parent__parent", "county", "town", "channel").filter(number=appeal).first())
        if found is None:
            raise Http404(_("诉求件 %(n)s 不存在或无权查看") % {"n": appeal})
    return [{
        "code": c.unit.code, "name": c.unit.name, "short_name": c.unit.short_name, "level": c.unit.level,
        "kind": c.unit.kind, "county": c.county.code if c.county else None,
        "county_name": c.county.name if c.county else "", "domain": c.unit.domain,
        "suggestion": c.suggestion.as_dict() if c.suggestion else None,
    } for c in choices(request.user, q, appeal=found, limit=limit)]
