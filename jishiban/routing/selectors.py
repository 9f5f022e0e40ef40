"""Reading the dispatch catalogue: the candidate rules for an appeal, the rules as plain data
for the matcher, the catalogue list with its filters, and the learned statistics."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import access
from .matching import Facts, RuleData, parse_keywords
from .models import DispatchRule, LearnedRoute, Origin


def category_chain(category) -> list:
    """``category`` and its ancestors, the appeal's own first."""
    chain, node = [], category
    while node is not None:
        chain.append(node)
        node = node.parent
    return chain


def facts_for(appeal) -> Facts:
    """What the matcher needs to know about ``appeal``."""
    path = tuple(c.code for c in reversed(category_chain(appeal.category))) if appeal.category_id else ()
    return Facts(
        category_path=path,
        county_code=appeal.county.code if appeal.county_id else None,
        town_code=appeal.town.code if appeal.town_id else None,
        channel_code=appeal.channel.code if appeal.channel_id else None,
        text=f"{appeal.title}\n{appeal.content}",
    )


RULE_RELATED = ("category", "county", "town", "channel", "lead_unit", "meeting", "decision__meeting")


def candidate_rules(*, category_ids, county_id, town_id, channel_id, on=None) -> list[DispatchRule]:
    """Rules in force on ``on`` that could apply to an appeal with these facts (the matcher
    decides on keywords and order). Rules whose lead unit can no longer take work are left out."""
    qs = (DispatchRule.objects.in_force(on)
          .filter(Q(category__isnull=True) | Q(category_id__in=list(category_ids)))
          .filter(Q(county__isnull=True) | Q(county_id=county_id))
          .filter(Q(town__isnull=True) | Q(town_id=town_id))
          .filter(Q(channel__isnull=True) | Q(channel_id=channel_id))
          .filter(lead_unit__is_active=True)
          .select_related(*RULE_RELATED).prefetch_related("co_units"))
    return list(qs)


def rules_in_force(on=None) -> list[DispatchRule]:
    """The whole catalogue in force on ``on`` (for matching many appeals in memory)."""
    return list(DispatchRule.objects.in_force(on).filter(lead_unit__is_active=True)
                .select_related(*RULE_RELATED).prefetch_related("co_units"))


def meeting_of(rule: DispatchRule):
    """The responsibility meeting a rule comes from (its own, or its decision's), or ``None``."""
    return rule.meeting or (rule.decision.meeting if rule.decision_id else None)


def meeting_source(meeting, decision_id: int | None) -> str:
    """``2026-03-05 月度攻坚会商 · 会商决定 #7``: a meeting's name and date and the decision's number."""
    text = _("%(date)s %(title)s") % {"date": f"{meeting.date:%Y-%m-%d}", "title": meeting.title}
    return _("%(meeting)s · 会商决定 #%(id)s") % {"meeting": text, "id": decision_id} if decision_id else text


def origin_note(rule: DispatchRule) -> str:
    """``2026-03-05 月度攻坚会商 · 会商决定 #7``, ``初始目录`` …: where the rule comes from, for its explanation."""
    meeting = meeting_of(rule)
    if rule.origin == Origin.MEETING and meeting is not None:
        return meeting_source(meeting, rule.decision_id)
    if rule.origin == Origin.MEETING and rule.decision_id:
        return _("会商决定 #%(id)s") % {"id": rule.decision_id}
    return str(Origin(rule.origin).label)


def rule_data(rule: DispatchRule) -> RuleData:
    return RuleData(
        id=rule.pk, lead=rule.pk,
        category_code=rule.category.code if rule.category_id else None,
        category_name=rule.category.name if rule.category_id else "",
        county_code=rule.county.code if rule.county_id else None,
        county_name=rule.county.name if rule.county_id else "",
        town_code=rule.town.code if rule.town_id else None,
        town_name=rule.town.name if rule.town_id else "",
        channel_code=rule.channel.code if rule.channel_id else None,
        channel_name=rule.channel.name if rule.channel_id else "",
        keywords=parse_keywords(rule.keywords), exclude_keywords=parse_keywords(rule.exclude_keywords),
        priority=rule.priority, valid_from=rule.valid_from, valid_until=rule.valid_until,
        active=rule.is_active and (rule.decision is None or rule.decision.is_active),
        title=_("规则 #%(id)s") % {"id": rule.pk}, origin_note=origin_note(rule),
    )


def decision_data(decision, *, priority: int) -> RuleData:
    """A meeting decision not (yet) in the catalogue, as a rule for the matcher."""
    when = meeting_source(decision.meeting, None) if decision.meeting_id else ""
    return RuleData(
        id=decision.pk, lead=decision.pk,
        category_code=decision.category.code, category_name=decision.category.name,
        county_code=decision.county.code if decision.county_id else None,
        county_name=decision.county.name if decision.county_id else "",
        keywords=parse_keywords(decision.keywords), priority=priority, valid_from=decision.valid_from,
        active=decision.is_active, title=_("会商决定 #%(id)s") % {"id": decision.pk}, origin_note=when,
    )


# --- the catalogue list ---------------------------------------------------------------------------

def rules_for(user, *, state: str = "active", origin: str = "", category=None, county=None, unit=None,
              q: str = ""):
    """The catalogue as ``user`` may see it (nothing unless they may view it), filtered.

    ``state``: ``active`` (in force today), ``inactive`` (switched off, expired or superseded),
    ``all``."""
    if not access.may_view(user):
        return DispatchRule.objects.none()
    qs = DispatchRule.objects.select_related(*RULE_RELATED).prefetch_related("co_units")
    today = timezone.localdate()
    in_force = DispatchRule.objects.in_force(today).values("pk")
    if state == "active":
        qs = qs.filter(pk__in=in_force)
    elif state == "inactive":
        qs = qs.exclude(pk__in=in_force)
    if origin:
        qs = qs.filter(origin=origin)
    if category is not None:
        ids = [category.pk] + list(category.children.values_list("pk", flat=True))
        ids += list(category.children.model.objects.filter(parent__parent=category).values_list("pk", flat=True))
        qs = qs.filter(category_id__in=ids)
    if county is not None:
        qs = qs.filter(county=county)
    if unit is not None:
        qs = qs.filter(Q(lead_unit=unit) | Q(co_units=unit)).distinct()
    if q:
        qs = qs.filter(Q(keywords__icontains=q) | Q(note__icontains=q) | Q(lead_unit__name__icontains=q)
                       | Q(category__name__icontains=q))
    return qs


def rule_for(user, pk: int) -> DispatchRule | None:
    return rules_for(user, state="all").filter(pk=pk).first()


# --- learned --------------------------------------------------------------------------------------

def learned_rows_many(category_ids, county_ids) -> list[LearnedRoute]:
    """Learned statistics for these categories in these counties (``None`` among them: appeals
    without a county), units that can still take work, best kept first; the caller picks each
    county's rows."""
    counties = [c for c in county_ids if c is not None]
    where = Q(county_id__in=counties)
    if None in county_ids:
        where |= Q(county__isnull=True)
    qs = LearnedRoute.objects.filter(where, category_id__in=list(category_ids), unit__is_active=True)
    return list(qs.select_related("unit", "category", "county").order_by("-kept", "unit__code"))

