"""The audit log: one row per security-relevant event, written only by ``audit.services.record``."""

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditKind(models.TextChoices):
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出登录")
    LOCKED_OUT = "locked_out", _("登录被锁定")
    UNLOCKED = "unlocked", _("解除登录锁定")
    ACCOUNT_CHANGED = "account_changed", _("账户、角色或权限变更")
    GROUP_CHANGED = "group_changed", _("用户组权限变更")
    TWO_FACTOR = "two_factor", _("两步验证变更")
    TOKEN_CREATED = "token_created", _("创建令牌或密钥")
    TOKEN_REVOKED = "token_revoked", _("吊销令牌或密钥")
    IDENTITY_REVEAL = "identity_reveal", _("查看个人信息")
    EXPORT = "export", _("导出数据")


class AuditEvent(models.Model):
    """Who did what, from where, when. Identity reveals and exports keep their own records
    (``appeals.PersonalDataAccess``, ``intake.ExportLog``); their rows here point at those."""

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    kind = models.CharField(_("类别"), max_length=20, choices=AuditKind.choices, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(_("操作人账号"), max_length=150, blank=True, db_index=True,
                                  help_text=_("当时的用户名；登录失败时为所填用户名"))
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    subject = models.CharField(_("对象"), max_length=200, blank=True, db_index=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    source_type = models.ForeignKey(ContentType, verbose_name=_("原始记录类型"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    source_id = models.PositiveBigIntegerField(_("原始记录"), null=True, blank=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.actor_name}"


class LoginLockout(AccessAttempt):
    """django-axes' failed-login counter per username and address, as the admin lists it."""

    class Meta:
        proxy = True
        verbose_name = _("登录失败与锁定")
        verbose_name_plural = _("登录失败与锁定")
