"""The daily tables every figure reads, and the fill job's bookkeeping.

``DailyCount`` holds the sums of ``metrics.counters`` by day × county × town × category ×
channel × type × unit (ids; 0 means none, so the unique key holds on every database).
``Footprint`` keeps what each appeal last contributed, so a late event (a callback months
later, an extension, a correction of the county) is applied as a difference to exactly the
days and rows it touches. ``FillState`` is the watermark: the last event and supervision order
taken in, and the moment the counts are true for. ``UnitDayCount`` is the coarse copy
(day × county × unit) most figures read, ``UnitMonthCount`` the same by month (whole months and
the rankings). Written only by ``rollup.py``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DailyCount(models.Model):
    day = models.DateField(_("日期"))
    counter = models.CharField(_("计数项"), max_length=24)
    county = models.PositiveIntegerField(_("县市区"), default=0)
    town = models.PositiveIntegerField(_("乡镇街道"), default=0)
    category = models.PositiveIntegerField(_("分类"), default=0)
    channel = models.PositiveIntegerField(_("渠道"), default=0)
    appeal_type = models.CharField(_("诉求类型"), max_length=12, blank=True)
    unit = models.PositiveIntegerField(_("单位"), default=0)
    n = models.BigIntegerField(_("数量"), default=0)

    class Meta:
        verbose_name = _("日统计数")
        verbose_name_plural = _("日统计数")
        constraints = [models.UniqueConstraint(
            fields=["day", "counter", "county", "town", "category", "channel", "appeal_type", "unit"],
            name="dailycount_unique_key")]
        indexes = [models.Index(fields=["counter", "day"], name="dailycount_counter_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.counter} {self.n}"


class UnitDayCount(models.Model):
    """The same sums by day × county × unit only: the figures that filter by nothing finer (the
    city, a county, a unit, the rankings) read this table. At the centre's size it holds a few
    rows per county and unit a day, however many appeals there are; the fill writes it from the
    same differences as ``DailyCount``, so each row is exactly the sum of that table's rows."""

    day = models.DateField(_("日期"))
    counter = models.CharField(_("计数项"), max_length=24)
    county = models.PositiveIntegerField(_("县市区"), default=0)
    unit = models.PositiveIntegerField(_("单位"), default=0)
    n = models.BigIntegerField(_("数量"), default=0)

    class Meta:
        verbose_name = _("县区单位日统计数")
        verbose_name_plural = _("县区单位日统计数")
        constraints = [models.UniqueConstraint(fields=["day", "counter", "county", "unit"],
                                               name="unitdaycount_unique_key")]

    def __str__(self) -> str:
        return f"{self.day} {self.counter} {self.n}"


class Footprint(models.Model):
    """What one appeal contributes: ``entries`` = [[counter, day, county, town, category,
    channel, type, unit, n], …]."""

    appeal_id = models.BigIntegerField(primary_key=True)
    entries = models.JSONField(default=list)
    first_day = models.DateField(null=True)
    last_day = models.DateField(null=True)

    class Meta:
        verbose_name = _("统计足迹")
        verbose_name_plural = _("统计足迹")
        indexes = [models.Index(fields=["first_day", "last_day"], name="footprint_days")]

    def __str__(self) -> str:
        return str(self.appeal_id)


class FillState(models.Model):
    name = models.CharField(max_length=20, primary_key=True, default="default")
    event_mark = models.BigIntegerField(_("已处理事件"), default=0)
    order_mark = models.BigIntegerField(_("已处理督办单"), default=0)
    as_of = models.DateTimeField(_("统计截至"), null=True)

    class Meta:
        verbose_name = _("统计进度")
        verbose_name_plural = _("统计进度")

    def __str__(self) -> str:
        return f"{self.name} @{self.event_mark}"


class Scheme(models.Model):
    """One version of a scoring scheme (考核方案); versions are never changed once saved —
    a change is a new version (``services.save_scheme``)."""

    name = models.CharField(_("方案"), max_length=60)
    version = models.PositiveIntegerField(_("版本"))
    definition = models.JSONField(_("定义"))
    source = models.TextField(_("依据"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["name", "-version"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="scheme_unique_version")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Ranking(models.Model):
    """A published monthly ranking: its rows as computed, and the scheme version it used."""

    month = models.CharField(_("月份"), max_length=7)
    level = models.CharField(_("对象"), max_length=8, choices=[("county", _("县市区")), ("unit", _("部门单位"))])
    scheme = models.ForeignKey(Scheme, verbose_name=_("考核方案"), on_delete=models.PROTECT, related_name="rankings")
    rows = models.JSONField(_("排名"), default=list)
    published_at = models.DateTimeField(_("发布时间"))

    class Meta:
        verbose_name = _("月度排名")
        verbose_name_plural = _("月度排名")
        ordering = ["-month", "level"]
        constraints = [models.UniqueConstraint(fields=["month", "level"], name="ranking_one_per_month_level")]

    def __str__(self) -> str:
        return f"{self.month} {self.level}"


class KeptReport(models.Model):
    """A report made by the schedule (日统计 each morning, 周分析 each Monday, 月通报 each month,
    city-wide and for each county), kept as a file for those who may read its scope."""

    kind = models.CharField(_("报告"), max_length=10)
    period = models.CharField(_("期间"), max_length=30)
    fmt = models.CharField(_("格式"), max_length=5)
    scope_kind = models.CharField(_("范围"), max_length=12, default="everything")
    scope_id = models.PositiveIntegerField(_("范围对象"), default=0)
    title = models.CharField(_("标题"), max_length=120)
    file = models.FileField(_("文件"), upload_to="analytics/reports/%Y/%m/")
    created_at = models.DateTimeField(_("生成时间"))

    class Meta:
        verbose_name = _("定期报告")
        verbose_name_plural = _("定期报告")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "period", "fmt", "scope_kind", "scope_id"],
                                               name="keptreport_one_per_period")]

    def __str__(self) -> str:
        return self.title


class UnitMonthCount(models.Model):
    """The coarse sums by month × county × unit (``month`` is its first day): what a whole
    month's figures and the rankings read, about 30 times fewer rows than the month's
    ``UnitDayCount`` rows. Written with the same differences, so each row is exactly the sum of
    that month's ``UnitDayCount`` rows."""

    month = models.DateField(_("月份"))
    counter = models.CharField(_("计数项"), max_length=24)
    county = models.PositiveIntegerField(_("县市区"), default=0)
    unit = models.PositiveIntegerField(_("单位"), default=0)
    n = models.BigIntegerField(_("数量"), default=0)

    class Meta:
        verbose_name = _("县区单位月统计数")
        verbose_name_plural = _("县区单位月统计数")
        constraints = [models.UniqueConstraint(fields=["month", "counter", "county", "unit"],
                                               name="unitmonthcount_unique_key")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.counter} {self.n}"


class ReportPlan(models.Model):
    """A county's or a department's own scheduled report: each time the schedule runs ``kind``,
    it also makes the report for this scope alone and keeps it (``services.keep_reports``), for
    those whose figure scope is that county or unit (and those who read everything)."""

    KINDS = [("daily", _("日统计")), ("weekly", _("周分析")), ("monthly", _("月通报")), ("health", _("体检报告"))]

    kind = models.CharField(_("报告"), max_length=10, choices=KINDS)
    county = models.ForeignKey("regions.Region", verbose_name=_("县市区"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("organisations.Organisation", verbose_name=_("部门单位"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("单位定期报告")
        verbose_name_plural = _("单位定期报告")
        ordering = ["kind", "county_id", "unit_id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(county__isnull=True, unit__isnull=False)
                                   | models.Q(county__isnull=False, unit__isnull=True), name="reportplan_one_scope"),
            models.UniqueConstraint(fields=["kind", "county"], condition=models.Q(county__isnull=False),
                                    name="reportplan_one_per_county"),
            models.UniqueConstraint(fields=["kind", "unit"], condition=models.Q(unit__isnull=False),
                                    name="reportplan_one_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.county or self.unit}"

    @property
    def scope_kind(self) -> str:
        return "county" if self.county_id else "unit"

    @property
    def scope_id(self) -> int:
        return self.county_id or self.unit_id
