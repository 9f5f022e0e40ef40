"""Intake records: attachments of an appeal, the results outbox towards channels, export logs."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def attachment_path(instance: Attachment, filename: str) -> str:
    """Random stored names: the original name is kept in the row, never trusted as a path."""
    suffix = ""
    if "." in filename:
        suffix = "." + filename.rsplit(".", 1)[1].lower()[:10]
    day = timezone.localdate()
    return f"attachments/{day:%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """A photo, a call recording or a document handed in with an appeal (附件)."""

    appeal = models.ForeignKey(
        "appeals.Appeal", verbose_name=_("诉求件"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    # The reply, extension request or unit note the file came with; empty for intake's files.
    event = models.ForeignKey(
        "appeals.AppealEvent", verbose_name=_("办理记录"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="attachments",
    )

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["appeal", "id"]

    def __str__(self) -> str:
        return self.original_name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已送达")
    FAILED = "failed", _("发送失败")


class ResultDelivery(models.Model):
    """Outbox row: a result (reply, close, direct answer) to push back to the channel it came from.

    Written in the transaction of the transition; a background job claims it with a
    conditional UPDATE and posts it with ``Idempotency-Key: key``, so a re-delivery after a
    crash carries the same key and the receiver can drop it.
    """

    key = models.CharField(_("幂等键"), max_length=80, unique=True)
    appeal = models.ForeignKey("appeals.Appeal", verbose_name=_("诉求件"), on_delete=models.CASCADE, related_name="+")
    event = models.OneToOneField(
        "appeals.AppealEvent", verbose_name=_("办理记录"), on_delete=models.CASCADE, related_name="+"
    )
    channel = models.ForeignKey("channels.Channel", verbose_name=_("渠道"), on_delete=models.PROTECT, related_name="+")
    payload = models.JSONField(_("内容"))
    status = models.CharField(_("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), default=timezone.now)
    claim = models.CharField(_("领取标记"), max_length=32, blank=True)
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("最近响应码"), null=True, blank=True)
    url = models.URLField(_("推送地址"), blank=True)
    sent_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("结果回推")
        verbose_name_plural = _("结果回推")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return self.key


class ExportVia(models.TextChoices):
    COMMAND = "command", _("命令行")
    WEB = "web", _("网页")
    API = "api", _("接口")


class ExportLog(models.Model):
    """Every export of appeal data (提供群众诉求信息) leaves a row: the interface (web, API, command
    line), the reader (empty: the command line without ``--as``), the filter, the row count and
    whether full personal data was included."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导出人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    via = models.CharField(_("方式"), max_length=10, choices=ExportVia.choices)
    filters = models.JSONField(_("筛选条件"), default=dict)
    format = models.CharField(_("格式"), max_length=8)
    row_count = models.PositiveIntegerField(_("行数"), default=0)
    personal_data = models.BooleanField(_("含完整个人信息"), default=False)
    at = models.DateTimeField(_("导出时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("导出记录")
        verbose_name_plural = _("导出记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user or '-'} {self.row_count}"
