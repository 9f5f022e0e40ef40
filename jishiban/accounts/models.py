"""Users and their roles. A user's role, unit and region decide what they may see and do
(the role policy: ``accounts/policy.py``)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice


class Role(models.TextChoices):
    ADMIN = "admin", _("系统管理员")
    OPERATOR = "operator", _("话务受理员")
    DISPATCHER = "dispatcher", _("派单员")
    SUPERVISOR = "supervisor", _("督办员")
    ANALYST = "analyst", _("分析员")
    COUNTY_STAFF = "county_staff", _("县级中心工作人员")
    HANDLER = "handler", _("承办人员")
    DEPT_HEAD = "dept_head", _("承办单位负责人")
    GRID_WORKER = "grid_worker", _("网格员")
    LEADER = "leader", _("领导")
    CITIZEN = "citizen", _("群众")




class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.CITIZEN, db_index=True)
    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("所属单位"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="members",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("负责区域"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("县级中心人员为所在县市区，网格员为所在网格"),
    )
    phone = models.CharField(_("手机号"), max_length=20, blank=True, db_index=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    @property
    def is_centre_staff(self) -> bool:
        from .policy import CENTRE_ROLES, has_role

        return has_role(self, CENTRE_ROLES)

    @property
    def is_unit_staff(self) -> bool:
        from .policy import UNIT_ROLES, has_role

        return has_role(self, UNIT_ROLES)


class TwoFactorDevice(TOTPDevice):
    """A staff member's authenticator (django-otp's TOTP device), as the admin lists it."""

    class Meta:
        proxy = True
        verbose_name = _("两步验证设备")
        verbose_name_plural = _("两步验证设备")
