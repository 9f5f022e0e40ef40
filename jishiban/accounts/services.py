"""The writes of the accounts app a user makes for themself: two-step verification devices.

Roles, groups and permissions are written through the admin (``roles.assign_role_group`` keeps the
groups in step); sign-in counters belong to django-axes and django-otp.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from jishiban.audit.models import AuditKind
from jishiban.audit.services import record


def start_two_factor(user):
    """A fresh unconfirmed TOTP device for ``user`` (an earlier unconfirmed one is dropped)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=_("验证器"), confirmed=False)


def confirm_two_factor(user, device) -> None:
    """The first code from the app was right: the device signs in from now on (audited)."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record(AuditKind.TWO_FACTOR, subject=f"用户 {user.get_username()}", detail={"device": "totp", "confirmed": True})


def remove_two_factor(user, device) -> None:
    """``user`` turned two-step verification off with a current code (audited by
    ``audit.receivers`` on the device's deletion)."""
    device.delete()
