"""Django groups mirroring the roles, so the admin shows each role what it may see.

What rows a user sees is decided by ``Appeal.objects.visible_to``; these permissions only
open the admin pages; which pages each role opens is the role policy's ``ADMIN_VIEW`` and
``ADMIN_MAINTAIN`` (``accounts/policy.py``). Run after every migrate (``post_migrate``), idempotent.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from .policy import ADMIN_MAINTAIN, ADMIN_VIEW


def group_name(role: str) -> str:
    return f"role:{role}"


def ensure_role_groups(app_config=None, **kwargs) -> None:
    from django.apps import apps

    # post_migrate fires once per app; act after the last one, when every permission exists.
    if app_config is not None and app_config is not list(apps.get_app_configs())[-1]:
        return
    perms = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type")
    }
    for role, models in ADMIN_VIEW.items():
        group, _ = Group.objects.get_or_create(name=group_name(role))
        wanted = [_perm(model, "view") for model in models]
        wanted += [_perm(model, verb) for model in ADMIN_MAINTAIN.get(role, ()) for verb in ("view", "add", "change")]
        group.permissions.set([perms[code] for code in wanted if code in perms])


def _perm(model: str, verb: str) -> str:
    app_label, name = model.split(".")
    return f"{app_label}.{verb}_{name}"


def assign_role_group(user) -> None:
    """Put ``user`` in the group of their role (and only that one)."""
    user.groups.remove(*user.groups.filter(name__startswith="role:"))
    if user.role in ADMIN_VIEW:
        group, _ = Group.objects.get_or_create(name=group_name(user.role))
        user.groups.add(group)
