"""Template helpers of the workbench: the navigation, status and deadline badges, the citizen."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from jishiban.appeals.figures import card_of
from jishiban.appeals.privacy import citizen_display
from jishiban.core import dates
from jishiban.sla.services import weekend_only_years

from ..action_table import EVENT_LABELS
from ..navigation import nav_for

register = template.Library()


@register.inclusion_tag("web/_nav.html", takes_context=True)
def main_nav(context, active: str = ""):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"entries": nav_for(user), "active": active or context.get("nav_active", "")}


@register.simple_tag
def status_badge(appeal):
    return format_html('<span class="status status-{}">{}</span>', appeal.status, appeal.get_status_display())


@register.simple_tag(takes_context=True)
def deadline(context, appeal):
    """The reply deadline, coloured red when passed and yellow inside the warning period, marked
    仅按周末计算 when it reaches into a year without holiday data."""
    if appeal.reply_deadline is None:
        return "—"
    now = context.get("now") or timezone.now()
    state = card_of(appeal, now)
    when = dates.when(appeal.reply_deadline)
    if weekend_only_years(appeal.dispatched_at, appeal.reply_deadline):
        # Counted on weekends only: the year has no holiday data yet (sla.services).
        when = format_html('{}<span class="chip chip-warn small" data-weekends-only title="{}">{}</span>', when,
                           _("该年的法定节假日尚未导入，此时限暂按周末计算"), _("仅按周末计算"))
    if state == "red":
        return format_html('<span class="deadline-red"><span class="cardflag cardflag-red" aria-hidden="true">'
                           '</span>{}（{}）</span>', when, _("超期"))
    if state == "yellow":
        return format_html('<span class="deadline-yellow"><span class="cardflag cardflag-yellow" aria-hidden="true">'
                           '</span>{}（{}）</span>', when, _("临期"))
    return when


@register.simple_tag(takes_context=True)
def deadline_class(context, appeal):
    return card_of(appeal, context.get("now") or timezone.now())


@register.simple_tag(takes_context=True)
def citizen(context, appeal):
    """The citizen as this user may see them (masked phone; name hidden on confidential appeals)."""
    user = context["request"].user
    shown = citizen_display(user, appeal)
    parts = [shown["name"] or "—"]
    if shown["phone"]:
        parts.append(shown["phone"])
    return " ".join(str(p) for p in parts)


@register.filter
def event_label(action: str) -> str:
    return str(EVENT_LABELS.get(action, action))


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def satisfaction_label(value) -> str:
    """A satisfaction code (``dissatisfied``) as its label (不满意)."""
    from jishiban.appeals.models import Satisfaction

    return str(dict(Satisfaction.choices).get(value, value or "—"))
