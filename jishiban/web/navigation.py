"""The navigation of the workbench, and each role's home after login.

Which pages a user may open is the role policy's ``PAGES`` (``accounts/policy.py``); the views'
gates (``core.views.gate("dispatch")``) read the same table, so a page a user may open is in
their menu and one they may not is not. Pure data and small functions, so the nav is tested
without templates and every page (including the supervision app's pages that extend
``web/base.html``) shows the same links.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jishiban.accounts.policy import Role, is_unit_staff, may_open, role_of

R = Role


@dataclass(frozen=True)
class NavEntry:
    key: str
    url_name: str
    label: str
    accesskey: str = ""


NAV: tuple[NavEntry, ...] = (
    NavEntry("intake", "web:intake", pgettext_lazy("navigation", "受理"), "n"),
    NavEntry("dispatch", "web:dispatch", _("派单"), "d"),
    NavEntry("inbox", "web:inbox", _("待办"), "i"),
    NavEntry("oversight", "web:oversight", _("督办清单"), "o"),
    NavEntry("callbacks", "supervision:callbacks", _("回访"), "v"),
    NavEntry("extensions", "supervision:extensions", _("延期审批"), "e"),
    NavEntry("returns", "web:returns", _("退单审核")),
    NavEntry("supervision", "supervision:index", _("督查督办"), "u"),
    NavEntry("routing", "routing:rules", _("派单目录"), "r"),
    NavEntry("list", "web:appeal_list", _("查询"), "s"),
    NavEntry("dashboard", "web:dashboard", _("看板"), "b"),
    NavEntry("analytics", "analytics:figures", _("统计分析"), "a"),
    NavEntry("warnings", "warnings:list", _("预警"), "w"),
    NavEntry("knowledge", "knowledge:entries", _("知识库")),
    # Grid management (jishiban.grid)
    NavEntry("grid", "grid:home", _("我的网格"), "g"),
    NavEntry("grid_map", "grid:map", _("网格地图"), "m"),
    NavEntry("grid_town", "grid:town", _("乡镇街道待办"), "t"),
    NavEntry("grid_county", "grid:county", _("县级网格待办")),
    NavEntry("cockpit", "cockpit:cockpit", _("智慧大脑"), "c"),
)

# Where each role lands after login.
HOME: dict[str, str] = {
    R.OPERATOR: "web:intake",
    R.DISPATCHER: "web:dispatch",
    R.HANDLER: "web:inbox",
    R.DEPT_HEAD: "web:inbox",
    R.SUPERVISOR: "web:oversight",
    R.COUNTY_STAFF: "web:oversight",
    R.LEADER: "web:dashboard",
    R.ANALYST: "web:dashboard",
    R.ADMIN: "web:dashboard",
    R.GRID_WORKER: "grid:home",
}

# The supervision pages live in their own app; link to its root when its URL name is unknown.
SUPERVISION_PATH = "/supervision/"


def _url(entry: NavEntry) -> str | None:
    try:
        return reverse(entry.url_name)
    except NoReverseMatch:
        return SUPERVISION_PATH if entry.key == "supervision" else None


def nav_for(user) -> list[dict]:
    """The entries ``user`` may see, in order: ``[{key, url, label, accesskey, badge, badge_title}]``."""
    entries = [{"key": e.key, "url": url, "label": e.label, "accesskey": e.accesskey}
               for e in NAV if may_open(user, e.key) and (url := _url(e))]
    for entry in entries:
        entry.update(_badge(user, entry["key"]))
    return entries


def home_url_name(user) -> str:
    return HOME.get(role_of(user), "web:appeal_list")


# --- counts shown on menu entries --------------------------------------------------------------

def _badge(user, key: str) -> dict:
    """A count on a menu entry: a handling unit sees how many supervision orders wait for it
    and how many notices are unread, so the orders are found from the menu, not by a typed URL."""
    if key != "supervision" or not is_unit_staff(user):
        return {}
    from jishiban.supervision.selectors import orders_for_unit, unread_count

    orders, unread = orders_for_unit(user).count(), unread_count(user)
    if not (orders or unread):
        return {}
    return {"badge": orders + unread, "badge_title": _("待反馈督办单 %(o)d 件，未读通知 %(u)d 条") % {
        "o": orders, "u": unread}}
