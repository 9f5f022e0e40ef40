"""Which roles use which workbench page, the navigation built from it, and each role's home.

Pure data and small functions, so the nav is tested without templates and every page
(including the supervision app's pages that extend ``web/base.html``) shows the same links.
The same table gates the views (``views.common.page_required``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jishiban.accounts.models import Role

R = Role
EVERYONE = frozenset(Role)

PAGE_ROLES: dict[str, frozenset] = {
    "intake": frozenset({R.OPERATOR, R.DISPATCHER, R.SUPERVISOR, R.ADMIN}),
    "dispatch": frozenset({R.DISPATCHER, R.SUPERVISOR, R.COUNTY_STAFF, R.ADMIN}),
    "inbox": frozenset({R.HANDLER, R.DEPT_HEAD}),
    "oversight": frozenset({R.SUPERVISOR, R.COUNTY_STAFF, R.LEADER, R.ANALYST, R.ADMIN}),
    "callbacks": frozenset({R.SUPERVISOR, R.COUNTY_STAFF, R.OPERATOR, R.ADMIN}),
    "extensions": frozenset({R.SUPERVISOR, R.COUNTY_STAFF, R.ADMIN}),
    "supervision": frozenset({R.SUPERVISOR, R.COUNTY_STAFF, R.LEADER, R.ADMIN}),
    "routing": frozenset({R.DISPATCHER, R.SUPERVISOR, R.ADMIN}),
    "list": EVERYONE,
    "dashboard": frozenset({R.SUPERVISOR, R.ANALYST, R.LEADER, R.COUNTY_STAFF, R.DISPATCHER, R.ADMIN}),
    "analytics": frozenset({R.SUPERVISOR, R.ANALYST, R.LEADER, R.COUNTY_STAFF, R.DEPT_HEAD, R.ADMIN}),
}


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
    NavEntry("supervision", "supervision:index", _("督查督办"), "u"),
    NavEntry("routing", "routing:rules", _("派单目录"), "r"),
    NavEntry("list", "web:appeal_list", _("查询"), "s"),
    NavEntry("dashboard", "web:dashboard", _("看板"), "b"),
    NavEntry("analytics", "analytics:figures", _("统计分析"), "a"),
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
}

# The supervision pages live in their own app; link to its root when its URL name is unknown.
SUPERVISION_PATH = "/supervision/"


def role_of(user) -> str:
    if not getattr(user, "is_authenticated", False):
        return ""
    return R.ADMIN if user.is_superuser else (user.role or "")


def may_use(user, page: str) -> bool:
    return role_of(user) in PAGE_ROLES.get(page, frozenset())


def _url(entry: NavEntry) -> str | None:
    try:
        return reverse(entry.url_name)
    except NoReverseMatch:
        return SUPERVISION_PATH if entry.key == "supervision" else None


def nav_for(user) -> list[dict]:
    """The entries ``user`` may see, in order: ``[{key, url, label, accesskey}]``."""
    return [{"key": e.key, "url": url, "label": e.label, "accesskey": e.accesskey}
            for e in NAV if may_use(user, e.key) and (url := _url(e))]


def home_url_name(user) -> str:
    return HOME.get(role_of(user), "web:appeal_list")
