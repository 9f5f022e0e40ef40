"""Who may see and maintain the dispatch catalogue; denied by default.

Supervisors and administrators maintain it, dispatchers read it (they apply it every day);
every other role is refused. The web pages, the admin and the API use these two functions.
"""

from __future__ import annotations

VIEW_ROLES = frozenset({"dispatcher", "supervisor", "admin"})
EDIT_ROLES = frozenset({"supervisor", "admin"})


def role(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return ""
    if user.is_superuser:
        return "admin"
    return getattr(user, "role", "") or ""


def may_view(user) -> bool:
    return role(user) in VIEW_ROLES


def may_edit(user) -> bool:
    return role(user) in EDIT_ROLES


def may_see_suggestions(user) -> bool:
    """Staff who can see an appeal may see where routing would send it; citizens may not."""
    return role(user) not in ("", "citizen")
