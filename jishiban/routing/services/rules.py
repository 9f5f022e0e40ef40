"""Writing the dispatch catalogue: create, edit, (de)activate a rule, and keep the rules that
responsibility-meeting decisions made in step with those decisions.

Every write checks the fields (all errors at once, field → messages, nothing written on
error) and runs in one transaction with its co-handlers.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.appeals.errors import ActionForbidden, AppealValidationError
from jishiban.organisations.models import OrgKind
from jishiban.regions.models import RegionLevel

from .. import access
from ..matching import parse_keywords
from ..models import DispatchRule, Origin

MAX_KEYWORDS = 300
PRIORITY_RANGE = (-1000, 1000)
# Fields a meeting decision owns on its rule; edited through the decision, not here.
DECISION_FIELDS = ("category", "county", "keywords", "lead_unit", "co_units", "valid_from")
RULE_FIELDS = ("category", "county", "town", "channel", "keywords", "exclude_keywords", "lead_unit", "co_units",
               "priority", "origin", "meeting", "note", "valid_from", "valid_until")
# Origins people may choose; "seeded" and meeting decisions are written by the system.
CHOOSABLE_ORIGINS = (Origin.MANUAL, Origin.MEETING, Origin.LEARNED)


def meeting_priority() -> int:
    """Priority of rules made from meeting decisions: above seeded and curated rules."""
    return int(getattr(settings, "ROUTING_MEETING_PRIORITY", 50))


def _require_editor(by) -> None:
    if not access.may_edit(by):
        raise ActionForbidden(_("您无权维护派单目录"))


def _keywords(field: str, value: str, errors: dict) -> str:
    text = "，".join(parse_keywords(value or ""))
    if len(text) > MAX_KEYWORDS:
        errors.setdefault(field, []).append(_("关键词过长（最多 %(n)d 字）") % {"n": MAX_KEYWORDS})
    return text


def _unit_error(unit) -> str:
    if unit is None:
        return _("请选择主办单位")
    if unit.kind == OrgKind.CENTRE:
        return _("%(unit)s 是服务中心，不是承办单位") % {"unit": unit}
    if not unit.is_active:
        return _("%(unit)s 已停用") % {"unit": unit}
    return ""


def clean(data: dict, *, rule: DispatchRule | None = None) -> dict:
    """Check and normalise the fields of a rule (``RULE_FIELDS``; missing ones keep the rule's
    value). Returns the cleaned values; raises ``AppealValidationError`` naming each field."""
    current = {name: getattr(rule, name) for name in RULE_FIELDS if name != "co_units"} if rule else {}
    if rule is not None and rule.pk:
        current["co_units"] = list(rule.co_units.all())
    values = {**{"origin": Origin.MANUAL, "priority": 0, "keywords": "", "exclude_keywords": "", "note": "",
                 "co_units": [], "valid_from": None}, **current, **data}
    errors: dict[str, list[str]] = {}

    lead = values.get("lead_unit")
    if message := _unit_error(lead):
        errors["lead_unit"] = [message]
    co_units = []
    for unit in values.get("co_units") or []:
        if lead is not None and unit.pk == lead.pk or unit in co_units:
            continue
        if message := _unit_error(unit):
            errors.setdefault("co_units", []).append(message)
        co_units.append(unit)
    values["co_units"] = co_units

    county, town = values.get("county"), values.get("town")
    if county is not None and county.level != RegionLevel.COUNTY:
        errors["county"] = [_("%(name)s 不是县市区") % {"name": county}]
    if town is not None:
        if town.level != RegionLevel.TOWN:
            errors["town"] = [_("%(name)s 不是乡镇街道") % {"name": town}]
        elif county is None:
            values["county"] = county = town.parent
        elif town.parent_id != county.pk:
            errors["town"] = [_("%(town)s 不属于 %(county)s") % {"town": town, "county": county}]

    values["keywords"] = _keywords("keywords", values.get("keywords"), errors)
    values["exclude_keywords"] = _keywords("exclude_keywords", values.get("exclude_keywords"), errors)
    if values.get("category") is None and not values["keywords"]:
        errors.setdefault("category", []).append(_("请选择分类，或填写关键词（不限分类的规则须有关键词）"))

    try:
        priority = int(values.get("priority") or 0)
    except (TypeError, ValueError):
        priority = None
    if priority is None or not PRIORITY_RANGE[0] <= priority <= PRIORITY_RANGE[1]:
        errors["priority"] = [_("优先级须为 %(lo)d 到 %(hi)d 的整数") % {"lo": PRIORITY_RANGE[0], "hi": PRIORITY_RANGE[1]}]
    values["priority"] = priority or 0

    values["valid_from"] = values.get("valid_from") or timezone.localdate()
    until = values.get("valid_until")
    if not isinstance(values["valid_from"], dt.date):
        errors["valid_from"] = [_("日期格式错误（应为 2026-11-27）")]
    elif until is not None and (not isinstance(until, dt.date) or until < values["valid_from"]):
        errors["valid_until"] = [_("失效日期不能早于生效日期")]

    origin = values.get("origin") or Origin.MANUAL
    if origin not in Origin.values:
        errors["origin"] = [_("来源无效")]
    elif origin == Origin.MEETING and values.get("meeting") is None and not (rule and rule.decision_id):
        errors["meeting"] = [_("来源为会商决定时，请选择会商")]
    values["origin"] = origin
    values["note"] = (values.get("note") or "").strip()
    if len(values["note"]) > 4000:
        errors["note"] = [_("内容过长（最多 %(n)d 字）") % {"n": 4000}]

    if rule is not None and rule.decision_id:
        for name in DECISION_FIELDS:
            old = current.get(name)
            new = values.get(name)
            same = ({u.pk for u in old} == {u.pk for u in new}) if name == "co_units" else old == new
            if not same:
                errors.setdefault(name, []).append(
                    _("该规则由会商决定 #%(id)s 形成，请在会商派单决定中修改") % {"id": rule.decision_id})
    if errors:
        raise AppealValidationError(errors)
    return {name: values.get(name) for name in RULE_FIELDS}


def _write(rule: DispatchRule, values: dict, *, by) -> DispatchRule:
    co_units = values.pop("co_units")
    for name, value in values.items():
        setattr(rule, name, value)
    if rule.pk is None:
        rule.created_by = by
    rule.updated_by = by
    with transaction.atomic():
        rule.save()
        rule.co_units.set(co_units)
    return rule


def create_rule(*, by, **data) -> DispatchRule:
    """A new rule (fields of ``RULE_FIELDS``). Supervisors and administrators only."""
    _require_editor(by)
    if data.get("origin") not in (None, "", *CHOOSABLE_ORIGINS):
        raise AppealValidationError({"origin": [_("来源无效")]})
    return _write(DispatchRule(), clean(data), by=by)


def update_rule(rule: DispatchRule, *, by, **data) -> DispatchRule:
    """Change ``rule``; fields not given keep their value."""
    _require_editor(by)
    rule = DispatchRule.objects.get(pk=rule.pk)
    if "origin" in data and data["origin"] != rule.origin and data["origin"] not in CHOOSABLE_ORIGINS:
        raise AppealValidationError({"origin": [_("来源无效")]})
    return _write(rule, clean(data, rule=rule), by=by)


def set_active(rule: DispatchRule, *, by, active: bool) -> DispatchRule:
    """Deactivate (停用) or reactivate a rule; routing ignores inactive rules."""
    _require_editor(by)
    DispatchRule.objects.filter(pk=rule.pk).update(is_active=bool(active), updated_by=by, updated_at=timezone.now())
    rule.refresh_from_db()
    return rule


def sync_decision(decision) -> DispatchRule:
    """Make or refresh the catalogue rule of a meeting decision (origin "meeting").

    The decision owns category, county, keywords, units and start date; what people set on
    the rule itself (town, channel, exclusions, end date, priority) is kept. A decision that
    stops applying makes its rule inactive.
    """
    rule = DispatchRule.objects.filter(decision=decision).first()
    created = rule is None
    if created:
        rule = DispatchRule(decision=decision, origin=Origin.MEETING, priority=meeting_priority(),
                            created_by=decision.created_by)
    rule.category_id = decision.category_id
    rule.county_id = decision.county_id
    rule.keywords = "，".join(parse_keywords(decision.keywords))[:MAX_KEYWORDS]
    rule.lead_unit_id = decision.lead_unit_id
    rule.meeting_id = decision.meeting_id
    rule.valid_from = decision.valid_from
    rule.note = rule.note or decision.legal_basis
    if created or not decision.is_active:
        rule.is_active = decision.is_active
    if rule.town_id and rule.county_id and rule.town.parent_id != rule.county_id:
        rule.town = None
    with transaction.atomic():
        rule.save()
        if decision.pk:
            rule.co_units.set([u for u in decision.co_units.all() if u.pk != decision.lead_unit_id])
    return rule
