"""Automatic supervision triggers: their configuration and where they fire.

Rules live in ``TriggerRule`` (admin); a reason without a row uses ``DEFAULT_RULES``. Triggers
fire from the workflow's ``transition_recorded`` signal (``receivers.py``) and from the
periodic ``sweep`` (red cards, tags added later by smart help, repeat complaints, promises past
their date). Opening is idempotent: one open order per appeal and reason, and an automatic
trigger does not fire again for the same cycle (e.g. the same dispatch for a red card) once an
order for it was closed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db.models import Exists, OuterRef, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jishiban.appeals import repeats
from jishiban.appeals.figures import card_of
from jishiban.appeals.models import Appeal
from jishiban.appeals.workflow import HANDLING_STATES
from jishiban.core import dates

from .models import Reason, RuleLevel, SupervisionOrder, TriggerRule
from .rules import AppealFacts, RuleView, has_repeat_tag, reasons_for, risk_tags

HANDLING = [str(s) for s in HANDLING_STATES]

DEFAULT_RULES: dict[str, dict] = {
    Reason.OVERDUE: {"level": RuleLevel.UNIT, "deadline_days": 2, "threshold": 0},
    Reason.RETURNED: {"level": RuleLevel.UNIT, "deadline_days": 3, "threshold": 2},
    Reason.DISSATISFIED: {"level": RuleLevel.UNIT, "deadline_days": 5, "threshold": 0},
    Reason.REPEAT: {"level": RuleLevel.UNIT, "deadline_days": 5, "threshold": 3, "window_days": 90},
    Reason.RISK: {"level": RuleLevel.CITY, "deadline_days": 1, "threshold": 0},
    Reason.PROMISE: {"level": RuleLevel.UNIT, "deadline_days": 3, "threshold": 0},
    Reason.LEADER: {"level": RuleLevel.CITY, "deadline_days": 3, "threshold": 0},
    Reason.KEY: {"level": RuleLevel.UNIT, "deadline_days": 5, "threshold": 0},
}

REQUIREMENTS = {
    Reason.OVERDUE: _("该诉求件已超过答复时限，请立即办理并反馈办理情况。"),
    Reason.RETURNED: _("该诉求件已多次退单，请主动担当、认真办理，不得推诿。"),
    Reason.DISSATISFIED: _("群众对答复不满意，请重新核实情况，切实解决群众诉求。"),
    Reason.REPEAT: _("群众就同一问题多次反映，请查明原因，从根本上解决。"),
    Reason.RISK: _("该诉求存在风险隐患，请立即核实处置，防止矛盾激化。"),
    Reason.PROMISE: _("分步解决承诺已到期未兑现，请尽快兑现并反馈。"),
    Reason.LEADER: _("请按领导批示要求办理，并在时限内反馈。"),
    Reason.KEY: _("该诉求件列为重点督办件，请主要负责同志亲自过问，限时办结。"),
}


@dataclass(frozen=True)
class RuleConfig:
    reason: str
    enabled: bool
    level: str
    deadline_days: int
    threshold: int
    window_days: int
    requirement: str

    def view(self) -> RuleView:
        return RuleView(self.reason, self.enabled, self.threshold)


def rules() -> dict[str, RuleConfig]:
    rows = {row.reason: row for row in TriggerRule.objects.all()}
    out = {}
    for reason, default in DEFAULT_RULES.items():
        row = rows.get(reason)
        if row is not None:
            out[reason] = RuleConfig(reason, row.enabled, row.level, max(row.deadline_days, 1), row.threshold,
                                     row.window_days or 90, row.requirement or str(REQUIREMENTS[reason]))
        else:
            out[reason] = RuleConfig(reason, True, default["level"], default["deadline_days"], default["threshold"],
                                     default.get("window_days", 90), str(REQUIREMENTS[reason]))
    return out


def ensure_default_rules(**_kwargs) -> None:
    """Create the missing rule rows with their defaults (post_migrate); never overwrites."""
    for reason, default in DEFAULT_RULES.items():
        TriggerRule.objects.get_or_create(reason=reason, defaults={
            "level": default["level"], "deadline_days": default["deadline_days"],
            "threshold": default["threshold"], "window_days": default.get("window_days", 90),
            "requirement": str(REQUIREMENTS[reason]),
        })


def repeat_count(appeal, window_days: int | None = None) -> int:
    """This appeal and the earlier ones that count towards a repeat complaint under the one
    rule (``appeals.repeats``: same caller or address, same category subtree); ``window_days``
    overrides the rule's window (the trigger rule's own, edited in the admin)."""
    if not appeal.category_id:
        return 0
    r = repeats.rule()
    if window_days:
        r = replace(r, window_days=int(window_days))
    return repeats.earlier_count(appeal, r) + 1


def facts_for(appeal, config: dict[str, RuleConfig], now=None) -> AppealFacts:
    repeat = config[Reason.REPEAT]
    return AppealFacts(
        card=str(card_of(appeal, now or timezone.now())), return_count=appeal.return_count, satisfaction=appeal.satisfaction,
        solved=appeal.solved, tags=tuple(appeal.tags or ()),
        repeat_count=repeat_count(appeal, repeat.window_days) if repeat.enabled and repeat.threshold else 0,
        handling=appeal.status in HANDLING, after_callback=appeal.status == "callback_done",
    )


def cycle_start(appeal, reason: str):
    """Since when an earlier order for ``reason`` counts as this cycle's (None: any order ever)."""
    if reason == Reason.OVERDUE:
        return appeal.dispatched_at
    if reason == Reason.DISSATISFIED:
        return appeal.replied_at
    return None


def already_fired(appeal, reason: str, since) -> bool:
    qs = SupervisionOrder.objects.filter(appeal=appeal, reason=reason)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    return qs.exists()


def describe(reason: str, appeal, facts: AppealFacts, config: dict[str, RuleConfig]) -> str:
    """Why the trigger fired, for the order page (stored with the order)."""
    if reason == Reason.OVERDUE:
        when = dates.when(appeal.reply_deadline) if appeal.reply_deadline else ""
        return gettext("答复时限 %(when)s 已过，亮红牌") % {"when": when}
    if reason == Reason.RETURNED:
        return gettext("已退单 %(n)d 次") % {"n": facts.return_count}
    if reason == Reason.DISSATISFIED:
        verdict = gettext("不满意") if facts.satisfaction == "dissatisfied" else gettext("未解决")
        return gettext("回访结果：%(v)s") % {"v": verdict}
    if reason == Reason.REPEAT:
        if config[Reason.REPEAT].threshold and facts.repeat_count >= config[Reason.REPEAT].threshold:
            return gettext("%(days)d 天内同一号码同类诉求 %(n)d 件") % {
                "days": config[Reason.REPEAT].window_days, "n": facts.repeat_count}
        return gettext("智能辅助标记为重复诉求") if has_repeat_tag(facts.tags) else ""
    if reason == Reason.RISK:
        return gettext("风险标签：%(tags)s") % {"tags": "、".join(risk_tags(facts.tags))}
    return ""


def evaluate(appeal, *, only: set[str] | None = None, now=None, announce: bool = True) -> list[SupervisionOrder]:
    """Open the orders ``appeal`` has earned now (restricted to ``only`` reasons); returns new
    orders. ``announce=False``: the caller tells the unit about them in its own message."""
    from .services.orders import open_order

    if not appeal.lead_unit_id:
        return []
    config = rules()
    views = {reason: cfg.view() for reason, cfg in config.items() if only is None or reason in only}
    opened = []
    facts = facts_for(appeal, config, now)
    for reason in reasons_for(facts, views):
        if already_fired(appeal, reason, cycle_start(appeal, reason)):
            continue
        order, created = open_order(appeal, reason=reason, detail=describe(reason, appeal, facts, config), now=now,
                                    announce=announce)
        if created:
            opened.append(order)
    return opened


# Which reasons a workflow action can make true.
ON_ACTION = {
    "dispatch": {Reason.RETURNED, Reason.REPEAT, Reason.RISK},
    "callback": {Reason.DISSATISFIED},
}


def on_transition(appeal, event, *, announce: bool = True) -> list[SupervisionOrder]:
    reasons = ON_ACTION.get(event.action)
    if not reasons:
        return []
    return evaluate(appeal, only=reasons, now=event.at, announce=announce)


def sweep(now=None) -> dict[str, int]:
    """Fire the triggers that no transition announces: red cards, tags added later, repeats."""
    now = now or timezone.now()
    config = rules()
    counts = {Reason.OVERDUE: 0, Reason.RISK: 0, Reason.REPEAT: 0}
    open_for = SupervisionOrder.objects.filter(appeal=OuterRef("pk"))
    if config[Reason.OVERDUE].enabled:
        red = (Appeal.objects.overdue(now).filter(lead_unit__isnull=False)
               .exclude(Exists(open_for.filter(reason=Reason.OVERDUE, created_at__gte=OuterRef("dispatched_at")))))
        for appeal in list(red):
            counts[Reason.OVERDUE] += len(evaluate(appeal, only={Reason.OVERDUE}, now=now))
    # Tags written by smart help after dispatch: "risk:…" and "repeat" / "repeat:…".
    tag_reasons = {r for r in (Reason.RISK, Reason.REPEAT) if config[r].enabled}
    if tag_reasons:
        tagged = (Appeal.objects.filter(status__in=HANDLING, lead_unit__isnull=False)
                  .annotate(tag_text=Cast("tags", TextField()))
                  .filter(Q(tag_text__contains='"risk:') | Q(tag_text__contains='"repeat')))
        for appeal in list(tagged):
            for order in evaluate(appeal, only=tag_reasons, now=now):
                counts[order.reason] += 1
    repeat = config[Reason.REPEAT]
    if repeat.enabled and repeat.threshold:
        r = replace(repeats.rule(), window_days=int(repeat.window_days or repeats.rule().window_days))
        held = (Appeal.objects.in_hand().filter(lead_unit__isnull=False, category__isnull=False)
                .exclude(Exists(open_for.filter(reason=Reason.REPEAT))))
        candidates = repeats.with_earlier_count(held, r).filter(earlier__gte=repeat.threshold - 1)
        for appeal in list(candidates):
            counts[Reason.REPEAT] += len(evaluate(appeal, only={Reason.REPEAT}, now=now))
    return {str(k): v for k, v in counts.items()}
