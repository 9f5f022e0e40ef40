"""Official holiday data: which days are off or worked instead, and which years are loaded.

Only days that differ from the plain Monday–Friday week are stored. Change them through the
admin, ``services.import_holiday_cn`` or the ``calendar import`` command; every save
invalidates the cached calendar (see ``services``).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Holiday(models.Model):
    """One official day off (放假) or make-up working day (调休上班)."""

    date = models.DateField(_("日期"), unique=True)
    is_off_day = models.BooleanField(
        _("放假"), help_text=_("勾选为放假日；不勾选为调休上班日（通常是周末）。")
    )
    name = models.CharField(_("节日名称"), max_length=100, blank=True)
    source = models.CharField(
        _("数据来源"),
        max_length=100,
        blank=True,
        help_text=_("例如 holiday-cn 2026、chinesecalendar 1.11.0、手工录入"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")

    def __str__(self) -> str:
        kind = _("放假") if self.is_off_day else _("调休上班")
        return f"{self.date:%Y-%m-%d} {self.name} {kind}".replace("  ", " ")


class CalendarYear(models.Model):
    """A year whose official holiday notice is loaded; other years count weekends only."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("数据来源"), max_length=100, blank=True)
    imported_at = models.DateTimeField(_("导入时间"), default=timezone.now)
    note = models.TextField(_("备注"), blank=True, help_text=_("例如国务院办公厅放假通知的网址"))

    class Meta:
        ordering = ["year"]
        verbose_name = _("已导入年份")
        verbose_name_plural = _("已导入年份")

    def __str__(self) -> str:
        return str(self.year)
