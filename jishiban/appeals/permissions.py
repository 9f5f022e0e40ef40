"""Who may take which action on which appeal: the role policy's action table
(``accounts.policy.ACTION_ROLES``) plus the relation between the user and the appeal (its lead
unit, its county, the citizen's own appeal)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.accounts.policy import UNIT_ROLES, Role, is_unit_staff, may_take, role_of

from .errors import ActionForbidden, ActionNotAllowed
from .workflow import HANDLING_STATES, Action, TransitionNotAllowed, actions_from, next_state

# Centre roles whose actions reach every appeal (county staff reach their county's).
CITY_DESK = frozenset({Role.ADMIN, Role.OPERATOR, Role.DISPATCHER, Role.SUPERVISOR})


def relation_ok(user, appeal, action: str) -> bool:
    role = role_of(user)
    if role in CITY_DESK:
        return True
    if role == Role.COUNTY_STAFF:
        return bool(user.region_id) and appeal.county_id == user.region_id
    if role in UNIT_ROLES:
        return bool(user.organisation_id) and appeal.lead_unit_id == user.organisation_id
    if role == Role.CITIZEN:
        return appeal.citizen_user_id == user.pk
    return False


def check_can(user, appeal, action: str, *, now=None) -> None:
    """Raise ``ActionForbidden`` or ``ActionNotAllowed`` unless ``user`` may take ``action`` now."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise ActionForbidden(_("请先登录"))
    if not may_take(user, action) or not relation_ok(user, appeal, action):
        raise ActionForbidden(_("您无权对诉求件 %(number)s 执行此操作") % {"number": appeal.number})
    try:
        next_state(appeal.status, action)
    except TransitionNotAllowed:
        raise ActionNotAllowed(
            _("诉求件当前状态为“%(status)s”，不能执行该操作") % {"status": appeal.get_status_display()}
        )
    if (action == Action.REQUEST_RETURN and appeal.return_deadline
            and (now or timezone.now()) > appeal.return_deadline):
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


def unit_note_action(user, appeal) -> str:
    """The note ``user`` may leave on ``appeal`` now: ``"note"`` for staff of the lead unit,
    ``"co-part"`` for staff of a co-handling unit, while a unit holds the appeal (an extension
    request pending included). Raises ``ActionForbidden`` / ``ActionNotAllowed`` otherwise."""
    if user is None or not user.is_authenticated or not user.is_active or not is_unit_staff(user):
        raise ActionForbidden(_("只有主办或协办单位可以填写办理意见"))
    if appeal.lead_unit_id == user.organisation_id:
        action = "note"
    elif appeal.co_units.filter(pk=user.organisation_id).exists():
        action = "co-part"
    else:
        raise ActionForbidden(_("只有主办或协办单位可以填写办理意见"))
    if appeal.status not in HANDLING_STATES:
        raise ActionNotAllowed(_("诉求件当前状态为“%(status)s”，不再接收办理意见")
                               % {"status": appeal.get_status_display()})
    return action


def may_note(user, appeal) -> bool:
    try:
        unit_note_action(user, appeal)
    except (ActionForbidden, ActionNotAllowed):
        return False
    return True
