"""API credentials and idempotency records."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TokenScope(models.TextChoices):
    """What a token may do, at most (the user's own rights still apply within it)."""

    INTAKE = "intake", _("仅受理（提交诉求，读取代码表）")
    READ = "read", _("只读")
    ACT = "act", _("读取与办理")


class ApiToken(models.Model):
    """A bearer token of a user (a channel system, a department's system).

    Only the SHA-256 of the token is stored; the token itself is shown once, at creation.
    A token bound to a channel may only submit appeals into that channel. A token stops
    working at ``expires_at`` and when revoked; ``scope`` bounds what it may do.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=100, blank=True)
    prefix = models.CharField(_("前缀"), max_length=12, db_index=True)
    digest = models.CharField(_("摘要"), max_length=64, unique=True)
    channel = models.ForeignKey("channels.Channel", verbose_name=_("限定渠道"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(_("权限范围"), max_length=10, choices=TokenScope.choices, default=TokenScope.ACT)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class IdempotencyRecord(models.Model):
    """The answer to a POST made with an ``Idempotency-Key`` header, per caller."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE,
                             related_name="+")
    key = models.CharField(_("幂等键"), max_length=255)
    request_hash = models.CharField(_("请求摘要"), max_length=64)
    appeal = models.ForeignKey("appeals.Appeal", verbose_name=_("诉求件"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("幂等记录")
        verbose_name_plural = _("幂等记录")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_user_key")]

    def __str__(self) -> str:
        return self.key
