"""Workbench records that are not part of the appeal itself: saved list filters, notes of
co-handling units, and the duplicates an operator noticed while taking a call."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedFilter(models.Model):
    """A named query string of the appeal list, private to its user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE,
                             related_name="saved_filters")
    name = models.CharField(_("名称"), max_length=60)
    querystring = models.CharField(_("筛选条件"), max_length=1000)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("保存的筛选")
        verbose_name_plural = _("保存的筛选")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="savedfilter_unique_name")]

    def __str__(self) -> str:
        return self.name


class CoHandlerNote(models.Model):
    """A note a co-handling unit (or the lead unit) leaves on an appeal (协办意见)."""

    appeal = models.ForeignKey("appeals.Appeal", verbose_name=_("诉求件"), on_delete=models.CASCADE,
                               related_name="cohandler_notes")
    unit = models.ForeignKey("organisations.Organisation", verbose_name=_("单位"), on_delete=models.PROTECT,
                             related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填写人"), on_delete=models.PROTECT,
                               related_name="+")
    text = models.TextField(_("意见"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    # The event that records the note in the appeal's log (its attachments hang on it).
    event = models.OneToOneField("appeals.AppealEvent", verbose_name=_("办理记录"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="note")

    class Meta:
        verbose_name = _("协办意见")
        verbose_name_plural = _("协办意见")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.unit}"


class ExportJob(models.Model):
    """A list export too large to write while the reader waits: written by a background job
    (``web/export_jobs.py``), with its progress, and kept for download by its reader."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE,
                             related_name="+")
    querystring = models.CharField(_("筛选条件"), max_length=2000, blank=True)
    fmt = models.CharField(_("格式"), max_length=4)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("总行数"), default=0)
    written = models.PositiveIntegerField(_("已写行数"), default=0)
    file = models.FileField(_("文件"), upload_to="exports/", blank=True)
    error = models.CharField(_("失败原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.fmt} {self.status}"

    @property
    def percent(self) -> int:
        return 100 if self.status == self.Status.DONE else int(100 * self.written / self.total) if self.total else 0
