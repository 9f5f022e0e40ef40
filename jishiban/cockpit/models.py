"""The cockpit's intake breakdown: per day × county, the ``received`` counter by category
(second level), town and channel — what the analytics app's coarse day × county × unit table
(``UnitDayCount``, which every other cockpit figure reads) does not hold. Computed from
``analytics.selectors.received_by`` by ``services.refresh`` only, so the wall screen reads a few
thousand rows a month whatever the number of appeals (the daily table's fine key holds ~14 rows
per appeal). ``county`` and ``key`` are ids, 0 for none, as in ``analytics.DailyCount``."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Dim(models.TextChoices):
    CATEGORY = "category", _("分类（二级）")
    TOWN = "town", _("乡镇街道")
    CHANNEL = "channel", _("渠道")


class DayFigure(models.Model):
    day = models.DateField(_("日期"))
    county = models.PositiveIntegerField(_("县市区"), default=0)
    dim = models.CharField(_("维度"), max_length=8, choices=Dim.choices)
    key = models.PositiveIntegerField(_("维度值"), default=0)
    counter = models.CharField(_("计数项"), max_length=24)
    n = models.BigIntegerField(_("数量"), default=0)

    class Meta:
        verbose_name = _("驾驶舱日汇总")
        verbose_name_plural = _("驾驶舱日汇总")
        constraints = [models.UniqueConstraint(fields=["day", "county", "dim", "key", "counter"],
                                               name="cockpit_dayfigure_key")]
        indexes = [models.Index(fields=["dim", "day"], name="cockpit_dayfigure_dim_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.dim}:{self.key} {self.counter} {self.n}"


class Refresh(models.Model):
    """When the summary was last computed, and the fill's ``as_of`` it was computed from."""

    name = models.CharField(max_length=20, primary_key=True, default="default")
    at = models.DateTimeField(_("汇总时间"), null=True)
    fill_as_of = models.DateTimeField(_("统计截至"), null=True)

    class Meta:
        verbose_name = _("驾驶舱汇总进度")
        verbose_name_plural = _("驾驶舱汇总进度")

    def __str__(self) -> str:
        return f"{self.name} @{self.at}"
