"""Template helpers of the supervision pages."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jishiban.appeals.models import Satisfaction
from jishiban.supervision import access, links, selectors
from jishiban.supervision.models import OrderStatus

register = template.Library()

AREA = (
    ("index", "supervision:index", _("概览"), access.may_enter),
    ("orders", "supervision:orders", _("督办单"), lambda u: access.may_read(u) or access.is_unit_staff(u)),
    ("callbacks", "supervision:callbacks", _("回访"), lambda u: access.may_call_back(u) or access.may_read(u)),
    ("follow_ups", "supervision:follow_ups", _("分步解决"), lambda u: access.may_read(u) or access.is_unit_staff(u)),
    ("extensions", "supervision:extensions", _("延期审批"), access.may_read),
    ("disputes", "supervision:disputes", _("职责争议"), lambda u: access.may_read(u) or access.may_contest(u)),
    ("meetings", "supervision:meetings", _("会商"), access.may_read),
    ("decisions", "supervision:decisions", _("派单决定"), lambda u: access.may_read(u) or access.may_contest(u)),
    ("public_replies", "supervision:public_replies", _("公开答复"),
     lambda u: access.may_call_back(u) or access.may_read(u)),
    ("letters", "supervision:letters", _("提醒函"), lambda u: access.may_read(u) or access.is_unit_staff(u)),
    ("figures", "supervision:figures", _("统计"), access.may_read),
    ("notifications", "supervision:notifications", _("通知"), lambda u: u.is_authenticated),
)


@register.inclusion_tag("supervision/_area_nav.html", takes_context=True)
def area_nav(context, active: str = ""):
    user = context["request"].user
    entries = [{"key": key, "url": reverse(name), "label": label} for key, name, label, check in AREA if check(user)]
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
