"""The password policy for staff accounts (every role but citizens, and every admin user).

Django's own validators apply to everyone (length, similarity to the user's name, common and
all-digit passwords); staff passwords must also be longer and mix kinds of characters, since a
staff account opens citizens' data.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Role

KINDS_REQUIRED = 3


def is_staff_account(user) -> bool:
    if user is None:
        return True  # a password chosen before the account exists: the stricter rule
    return bool(getattr(user, "is_staff", False) or getattr(user, "is_superuser", False)
                or getattr(user, "role", Role.CITIZEN) != Role.CITIZEN)


def kinds_of_characters(password: str) -> int:
    """How many of: lower-case letters, upper-case letters, digits, anything else."""
    return sum((
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ))


class StaffPasswordPolicy:
    def __init__(self, min_length: int = 12):
        self.min_length = min_length

    def validate(self, password: str, user=None) -> None:
        if not is_staff_account(user):
            return
        errors = []
        if len(password) < self.min_length:
            errors.append(ValidationError(
                ngettext("工作人员的密码至少 %(n)d 个字符。", "工作人员的密码至少 %(n)d 个字符。", self.min_length)
                % {"n": self.min_length}, code="staff_password_too_short"))
        if kinds_of_characters(password) < KINDS_REQUIRED:
            errors.append(ValidationError(
                _("工作人员的密码须包含小写字母、大写字母、数字、符号中的至少三类。"), code="staff_password_too_simple"))
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return _("工作人员的密码至少 %(n)d 个字符，并包含小写字母、大写字母、数字、符号中的至少三类。") % {"n": self.min_length}
