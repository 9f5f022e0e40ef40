"""Who may take which action on which appeal: the workflow's role table plus the relation
between the user and the appeal (its lead unit, its county, the citizen's own appeal)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import ActionForbidden, ActionNotAllowed
from .workflow import Action, TransitionNotAllowed, actions_from, next_state, role_may


def _role(user) -> str:
    if user.is_superuser:
        return "admin"
    return getattr(user, "role", "") or ""


def relation_ok(user, appeal, action: str) -> bool:
    role = _role(user)
    if role in ("admin", "operator", "dispatcher", "supervisor"):
        return True
    if role == "county_staff":
        return bool(user.region_id) and appeal.county_id == user.region_id
    if role in ("handler", "dept_head"):
        return bool(user.organisation_id) and appeal.lead_unit_id == user.organisation_id
    if role == "citizen":
        return appeal.citizen_user_id == user.pk
    return False


def check_can(user, appeal, action: str, *, now=None) -> None:
    """Raise ``ActionForbidden`` or ``ActionNotAllowed`` unless ``user`` may take ``action`` now."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise ActionForbidden(_("请先登录"))
    if not role_may(_role(user), action) or not relation_ok(user, appeal, action):
        raise ActionForbidden(_("您无权对诉求件 %(number)s 执行此操作") % {"number": appeal.number})
    try:
        next_state(appeal.status, action)
    except TransitionNotAllowed:
        raise ActionNotAllowed(
            _("诉求件当前状态为“%(status)s”，不能执行该操作") % {"status": appeal.get_status_display()}
        )
    if action == Action.RETURN and appeal.return_deadline and (now or timezone.now()) > appeal.return_deadline:
        raise ActionNotAllowed(_("已超过退单时限（派单后1个工作日内），不能退单"))


def available_actions(user, appeal, *, now=None) -> list[str]:
    """The actions ``user`` could take on ``appeal`` right now, for buttons and API hints."""
    result = []
    for action in actions_from(appeal.status):
        try:
            check_can(user, appeal, action, now=now)
        except (ActionForbidden, ActionNotAllowed):
            continue
        result.append(str(action))
    return result
