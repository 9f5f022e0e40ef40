"""Reminder letters (提醒函) sent to units with overdue or poorly handled appeals."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        verbose_name = _("提醒函")
        verbose_name_plural = _("提醒函")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["unit", "period"], name="letter_one_per_unit_period")]

    def __str__(self) -> str:
        return f"{self.unit} {self.period}"
