"""Reminder letters (提醒函) sent to units with overdue or poorly handled appeals.

A letter is drafted (``status`` draft: the centre's supervisors preview it, regenerate it,
and send it); only sending gives it its document number (``济社治函〔2026〕12号``, from the
per-year ``LetterCounter``), so numbers have no gaps for discarded drafts. ``LetterRun`` is
one generation of drafts for a period, with its progress.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LetterStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SENT = "sent", _("已发出")


class ReminderLetter(models.Model):
    unit = models.ForeignKey("organisations.Organisation", verbose_name=_("单位"), on_delete=models.PROTECT,
                             related_name="+")
    period = models.CharField(_("期间"), max_length=30)
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("截止日期"))
    file = models.FileField(_("文件"), upload_to="supervision/letters/%Y/%m/")
    figures = models.JSONField(_("指标"), default=dict)
    appeal_numbers = models.JSONField(_("涉及诉求件"), default=list)
    revision = models.PositiveSmallIntegerField(_("版次"), default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("生成人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("生成时间"))
    status = models.CharField(_("状态"), max_length=8, choices=LetterStatus.choices, default=LetterStatus.DRAFT)
    reasons = models.JSONField(_("提醒原因"), default=list)
    number = models.CharField(_("文号"), max_length=40, blank=True)
    sent_at = models.DateTimeField(_("发出时间"), null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发出人"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("提醒函")
        verbose_name_plural = _("提醒函")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["unit", "period"], name="letter_one_per_unit_period")]

    def __str__(self) -> str:
        return f"{self.unit} {self.period}"


class LetterCounter(models.Model):
    """The last document number given to a letter in ``year``."""

    year = models.PositiveSmallIntegerField(_("年度"), primary_key=True)
    last = models.PositiveIntegerField(_("已用编号"), default=0)

    class Meta:
        verbose_name = _("提醒函编号")
        verbose_name_plural = _("提醒函编号")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class LetterRun(models.Model):
    """One generation of drafts for a period: how many units are named and how many are done."""

    period = models.CharField(_("期间"), max_length=30)
    total = models.PositiveIntegerField(_("应生成"), default=0)
    done = models.PositiveIntegerField(_("已生成"), default=0)
    finished = models.BooleanField(_("已完成"), default=False)
    error = models.TextField(_("错误"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("生成人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("开始时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("提醒函生成")
        verbose_name_plural = _("提醒函生成")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.period} {self.done}/{self.total}"
