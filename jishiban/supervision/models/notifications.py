"""In-app notifications, the transports that carry them out (email, SMS/webhook gateways) and
one delivery row per notification and transport."""

import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    DISPATCHED = "dispatched", _("派单通知")
    REDISPATCHED = "redispatched", _("改派通知")
    REOPENED = "reopened", _("重办通知")
    CARD_YELLOW = "card_yellow", _("黄牌预警")
    CARD_RED = "card_red", _("红牌超期")
    ORDER_OPENED = "order_opened", _("督办通知")
    LEADER_INSTRUCTION = "leader_instruction", _("领导批示")
    ORDER_ESCALATED = "order_escalated", _("督办升级")
    ORDER_RESPONDED = "order_responded", _("督办反馈")
    FOLLOW_UP_DUE = "follow_up_due", _("承诺到期")
    CALLBACK_LINK = "callback_link", _("评价邀请")
    CALLBACK_REVIEW = "callback_review", _("回访不满意待处理")
    DISPUTE = "dispute", _("职责争议")
    LETTER = "letter", _("提醒函")
    WARNING_RAISED = "warning_raised", _("预警通知")
    WARNING_CHANGED = "warning_changed", _("预警进展")
    # The citizens' portal (``portal``): receipts and codes to the citizen, news for the unit.
    PORTAL_RECEIPT = "portal_receipt", _("受理回执")
    PORTAL_CODE = "portal_code", _("短信验证码")
    CITIZEN_ADDED = "citizen_added", _("群众补充信息")
    WITHDRAWN = "withdrawn", _("群众撤回诉求")


class Notification(models.Model):
    """One message for one recipient: a user (in-app), and/or a phone or email for citizens
    without an account."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接收人"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="supervision_notifications")
    phone = models.CharField(_("手机号"), max_length=30, blank=True)
    email = models.EmailField(_("邮箱"), blank=True)
    appeal = models.ForeignKey("appeals.Appeal", verbose_name=_("诉求件"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey("supervision.SupervisionOrder", verbose_name=_("督办单"), null=True, blank=True,
                              on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, db_index=True)
    text = models.CharField(_("内容"), max_length=500)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self) -> str:
        return self.text[:40]


class CardAlert(models.Model):
    """Remembers that an appeal's yellow/red card for a given deadline was announced once to
    the unit holding it. After a re-dispatch the old unit's alerts are closed with a note and
    the new unit hears of its own card."""

    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("organisations.Organisation", verbose_name=_("承办单位"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    card = models.CharField(max_length=8)
    deadline = models.DateTimeField()
    at = models.DateTimeField()
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("预警记录")
        verbose_name_plural = _("预警记录")
        # A closed alert (the unit lost the appeal) does not count: a unit that gets the appeal
        # back hears of its card again.
        constraints = [models.UniqueConstraint(fields=["appeal", "card", "deadline", "unit"],
                                               condition=models.Q(closed_at__isnull=True),
                                               name="card_alert_once_per_unit")]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.card}"


class TransportKind(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    WEBHOOK = "webhook", _("短信/网关（HTTP）")


class Recipient(models.TextChoices):
    PHONE = "phone", _("手机号")
    EMAIL = "email", _("邮箱")
    USER = "user", _("系统用户（不需联系方式）")


PLACEHOLDERS = ("phone", "email", "username", "text", "url", "kind", "appeal", "idempotency_key")


def validate_body_template(value: str) -> None:
    try:
        names = {m.group("named") or m.group("braced") for m in string.Template.pattern.finditer(value)
                 if m.group("named") or m.group("braced")}
        string.Template(value).substitute({name: "" for name in PLACEHOLDERS})
    except (KeyError, ValueError) as exc:
        raise ValidationError(_("模板占位符有误：%(error)s（可用：%(names)s）")
                              % {"error": exc, "names": ", ".join(f"${p}" for p in PLACEHOLDERS)})
    unknown = names - set(PLACEHOLDERS)
    if unknown:
        raise ValidationError(_("未知占位符：%(names)s") % {"names": ", ".join(sorted(unknown))})


class Transport(models.Model):
    """A way out of the system, configured in the admin (no code per gateway)."""

    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=8, choices=TransportKind.choices)
    enabled = models.BooleanField(_("启用"), default=True)
    kinds = models.JSONField(_("通知类型"), default=list, blank=True, help_text=_("留空则发送所有类型"))
    recipient = models.CharField(_("接收地址"), max_length=8, choices=Recipient.choices, default=Recipient.PHONE)
    url = models.URLField(_("网关地址"), blank=True)
    method = models.CharField(_("请求方法"), max_length=6, default="POST",
                              choices=[("POST", "POST"), ("PUT", "PUT"), ("GET", "GET")])
    content_type = models.CharField(_("Content-Type"), max_length=60, default="application/json")
    headers = models.JSONField(_("附加请求头"), default=dict, blank=True)
    body_template = models.TextField(
        _("请求体模板"), blank=True, validators=[validate_body_template],
        help_text=_("占位符：$phone $email $username $text $url $kind $appeal $idempotency_key；"
                    "JSON 请求体中的值会自动转义"),
    )
    timeout_seconds = models.PositiveSmallIntegerField(_("超时（秒）"), default=10)

    class Meta:
        verbose_name = _("通知通道")
        verbose_name_plural = _("通知通道")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == TransportKind.WEBHOOK and not self.url:
            raise ValidationError({"url": _("网关类型须填写网关地址")})


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    RETRY = "retry", _("待重试")
    SENT = "sent", _("已发送")
    DEAD = "dead", _("发送失败")


class Delivery(models.Model):
    notification = models.ForeignKey(Notification, verbose_name=_("通知"), on_delete=models.CASCADE,
                                     related_name="deliveries")
    transport = models.ForeignKey(Transport, verbose_name=_("通道"), on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("状态"), max_length=8, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    idempotency_key = models.CharField(_("幂等键"), max_length=64, unique=True)
    next_attempt_at = models.DateTimeField(_("下次发送时间"), db_index=True)
    claimed_at = models.DateTimeField(_("占用时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("通知发送记录")
        verbose_name_plural = _("通知发送记录")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["notification", "transport"], name="delivery_once")]

    def __str__(self) -> str:
        return f"{self.transport_id}:{self.notification_id} {self.status}"
