"""Template helpers of the supervision pages."""

from __future__ import annotations

from django import template
from django.urls import resolve, reverse
from django.utils.translation import gettext_lazy as _

from jishiban.appeals.models import Satisfaction
from jishiban.supervision import links, selectors
from jishiban.supervision.models import OrderStatus

register = template.Library()

# The area's menu: an entry is shown exactly when its page's gate admits the user (``core.views.gate``).
AREA = (
    ("index", "supervision:index", _("概览")),
    ("orders", "supervision:orders", _("督办单")),
    ("callbacks", "supervision:callbacks", _("回访")),
    ("follow_ups", "supervision:follow_ups", _("分步解决")),
    ("extensions", "supervision:extensions", _("延期审批")),
    ("disputes", "supervision:disputes", _("职责争议")),
    ("meetings", "supervision:meetings", _("会商")),
    ("decisions", "supervision:decisions", _("派单决定")),
    ("public_replies", "supervision:public_replies", _("公开答复")),
    ("letters", "supervision:letters", _("提醒函")),
    ("figures", "supervision:figures", _("统计")),
    ("notifications", "supervision:notifications", _("通知")),
)


def admits(url_name: str, user) -> bool:
    """Whether the page at ``url_name`` lets ``user`` in: its gate, or signing in for ungated pages."""
    check = getattr(resolve(reverse(url_name)).func, "gate_check", None)
    return check(user) if check is not None else bool(getattr(user, "is_authenticated", False))


@register.inclusion_tag("supervision/_area_nav.html", takes_context=True)
def area_nav(context, active: str = ""):
    user = context["request"].user
    entries = [{"key": key, "url": reverse(name), "label": label} for key, name, label in AREA if admits(name, user)]
    return {"entries": entries, "active": active, "unread": selectors.unread_count(user)}


@register.simple_tag
def appeal_url(appeal) -> str:
    return links.appeal(appeal)


ORDER_ACTIONS = {"open": _("立单督办"), "respond": _("单位反馈"), "reject": _("退回重办"), "escalate": _("升级督办"),
                 "close": _("办结"), "visit": _("现场督办")}


@register.filter
def order_action(value) -> str:
    return ORDER_ACTIONS.get(value, value)


@register.filter
def order_status(value) -> str:
    return dict(OrderStatus.choices).get(value, value)


@register.filter
def satisfaction(value) -> str:
    return dict(Satisfaction.choices).get(value, value)


@register.filter
def who(user) -> str:
    """A user's name for a record line; automatic actions have none."""
    if user is None:
        return str(_("系统"))
    return user.get_full_name() or user.username


@register.filter
def get_label(mapping, key) -> str:
    return mapping.get(key, key)


@register.filter
def pct(value) -> str:
    return "—" if value is None else f"{value}%"
