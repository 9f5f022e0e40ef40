"""Helpers shared by the supervision services."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from jishiban.accounts.policy import Role
from jishiban.appeals.errors import AppealValidationError

SYSTEM_USERNAME = "jishiban-system"
MAX_TEXT = 4000


def require(field: str, value, message: str, *, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if not value:
        raise AppealValidationError({field: [message]})
    if len(value) > limit:
        raise AppealValidationError({field: [_("内容过长（最多 %(n)d 字）") % {"n": limit}]})
    return value


def optional(field: str, value, *, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise AppealValidationError({field: [_("内容过长（最多 %(n)d 字）") % {"n": limit}]})
    return value


def system_user():
    """The account automatic actions are recorded under (unreachable closures, callbacks made
    through a citizen's link when the citizen has no account). It cannot log in."""
    from jishiban.organisations.models import Organisation

    User = get_user_model()
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        centre = Organisation.objects.filter(kind="centre", level="city").first()
        user = User(username=SYSTEM_USERNAME, role=Role.SUPERVISOR, organisation=centre, first_name=_("系统"),
                    is_active=True)
        user.set_unusable_password()
        user.save()
    return user
