"""Grids (网格) and their work: boundaries with history, workers (一格一员), grid events with
their step log, photos, and tasks for workers (verification, help, 未诉先办 visits).

A grid is a level-5 ``regions.Region`` (the node appeals and users point at) with a ``Grid`` row
carrying what only grid work needs. The region's ``geometry`` is the current boundary (what the
point lookup indexes); every boundary ever imported is a ``Boundary`` row.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import codes
from .workflow import State


class Grid(models.Model):
    region = models.OneToOneField("regions.Region", verbose_name=_("网格区划"), on_delete=models.PROTECT,
                                  related_name="grid_profile")
    community = models.ForeignKey("regions.Region", verbose_name=_("社区/村"), on_delete=models.PROTECT,
                                  related_name="grids")
    town = models.ForeignKey("regions.Region", verbose_name=_("乡镇街道"), on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("regions.Region", verbose_name=_("县市区"), on_delete=models.PROTECT, related_name="+")
    zongzhi_code = models.CharField(_("综治网格编码"), max_length=40, blank=True)
    jingwu_code = models.CharField(_("警务网格编码"), max_length=40, blank=True)
    chengguan_code = models.CharField(_("城管网格编码"), max_length=40, blank=True)
    chuangcheng_code = models.CharField(_("创城网格编码"), max_length=40, blank=True)
    residents = models.PositiveIntegerField(_("常住人口"), default=0)
    households = models.PositiveIntegerField(_("户数"), default=0)
    units = models.PositiveIntegerField(_("单位/商户数"), default=0)
    boundary_version = models.PositiveIntegerField(_("边界版本"), default=1)

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["region__code"]

    def __str__(self) -> str:
        return self.region.name

    @property
    def code(self) -> str:
        return self.region.code


class Boundary(models.Model):
    """One version of a grid's boundary; the current one has ``valid_to`` empty."""

    grid = models.ForeignKey(Grid, verbose_name=_("网格"), on_delete=models.CASCADE, related_name="boundaries")
    version = models.PositiveIntegerField(_("版本"))
    geometry = models.JSONField(_("边界"))
    valid_from = models.DateTimeField(_("启用时间"))
    valid_to = models.DateTimeField(_("停用时间"), null=True, blank=True)
    source = models.CharField(_("来源文件"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("网格边界")
        verbose_name_plural = _("网格边界")
        constraints = [models.UniqueConstraint(fields=["grid", "version"], name="grid_boundary_version")]

    def __str__(self) -> str:
        return f"{self.grid_id} v{self.version}"


class Duty(models.TextChoices):
    RESPONSIBLE = "responsible", _("专属网格员")
    SUBSTITUTE = "substitute", _("替岗网格员")


class Employment(models.TextChoices):
    FULL = "full", _("专职")
    PART = "part", _("兼职")


class Assignment(models.Model):
    """A worker on a grid for a period; ended rows are the history (a worker who changes grid keeps it)."""

    grid = models.ForeignKey(Grid, verbose_name=_("网格"), on_delete=models.CASCADE, related_name="assignments")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("网格员"), on_delete=models.PROTECT,
                               related_name="grid_assignments")
    duty = models.CharField(_("职责"), max_length=12, choices=Duty.choices, default=Duty.RESPONSIBLE)
    employment = models.CharField(_("专兼职"), max_length=8, choices=Employment.choices, default=Employment.FULL)
    started_at = models.DateTimeField(_("开始"))
    ended_at = models.DateTimeField(_("结束"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("网格员任职")
        verbose_name_plural = _("网格员任职")
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["grid"], condition=Q(ended_at__isnull=True, duty="responsible"),
                                               name="grid_one_responsible")]

    def __str__(self) -> str:
        return f"{self.worker_id} @ {self.grid_id}"


class EventKind(models.TextChoices):
    OPINION = "opinion", _("社情民意")
    INFO = "info", _("信息采集")
    MEDIATION = "mediation", _("矛盾纠纷调解")
    ERRAND = "errand", _("民生代办")
    URBAN = "urban", _("城市管理案件")


class EventState(models.TextChoices):
    COLLECTED = State.COLLECTED, _("信息收集")
    FILED = State.FILED, _("案卷建立")
    DISPATCHED = State.DISPATCHED, _("任务派遣")
    HANDLING = State.HANDLING, _("任务处理")
    FED_BACK = State.FED_BACK, _("处理反馈")
    CLOSED = State.CLOSED, _("核实结案")
    EVALUATED = State.EVALUATED, _("综合评价")
    INVALID = State.INVALID, _("不予立案")


class Escalation(models.TextChoices):
    NONE = "", _("未上报")
    TOWN = "town", _("上报乡镇街道")
    APPEAL = "appeal", _("转入12345")
    COUNTY = "county", _("乡镇街道上报县市区")


class GridEvent(models.Model):
    """A grid event. ``id`` is generated by the worker's phone, so a resent draft is the same event."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    grid = models.ForeignKey(Grid, verbose_name=_("网格"), on_delete=models.PROTECT, related_name="events")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上报人"), on_delete=models.PROTECT,
                                 related_name="grid_events")
    kind = models.CharField(_("事件类型"), max_length=12, choices=EventKind.choices)
    subject = models.CharField(_("小类"), max_length=20, blank=True,
                               help_text=_("信息采集的对象，或城市管理案件的 CJ/T 214 大类"))
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("情况描述"))
    details = models.JSONField(_("详情"), default=dict, blank=True,
                               help_text=_("调解：当事人、争议、协议、回访日期；代办：事项与结果"))
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=EventState.choices, db_index=True)
    solved_on_spot = models.BooleanField(_("就地解决"), default=False)
    escalation = models.CharField(_("上报去向"), max_length=8, choices=Escalation.choices, blank=True, default="")
    appeal = models.OneToOneField("appeals.Appeal", verbose_name=_("12345诉求件"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="grid_event")
    result = models.TextField(_("处理结果"), blank=True)
    rework_count = models.PositiveSmallIntegerField(_("返工次数"), default=0)
    verify_deadline = models.DateTimeField(_("核查时限"), null=True, blank=True)
    verified_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("综合评价"), null=True, blank=True)
    reported_at = models.DateTimeField(_("上报时间"), db_index=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("网格事件")
        verbose_name_plural = _("网格事件")
        ordering = ["-reported_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def kind_label(self) -> str:
        return codes.KIND_LABEL.get(self.kind, self.kind)


class EventStep(models.Model):
    """One state change of a grid event (the record; the event's columns are copies)."""

    event = models.ForeignKey(GridEvent, verbose_name=_("网格事件"), on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("动作"), max_length=20)
    from_state = models.CharField(_("原状态"), max_length=12, blank=True)
    to_state = models.CharField(_("新状态"), max_length=12, choices=EventState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("说明"), blank=True)
    payload = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("网格事件记录")
        verbose_name_plural = _("网格事件记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.action}"


class Photo(models.Model):
    class Purpose(models.TextChoices):
        REPORT = "report", _("上报")
        VERIFY = "verify", _("核查")
        VISIT = "visit", _("走访")

    event = models.ForeignKey(GridEvent, verbose_name=_("网格事件"), null=True, blank=True, on_delete=models.CASCADE,
                              related_name="photos")
    task = models.ForeignKey("Task", verbose_name=_("任务"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="photos")
    purpose = models.CharField(_("用途"), max_length=8, choices=Purpose.choices)
    file = models.FileField(_("照片"), upload_to="grid/%Y/%m/")
    content_type = models.CharField(max_length=60)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")

    def __str__(self) -> str:
        return self.file.name


class TaskKind(models.TextChoices):
    VERIFY_EVENT = "verify_event", _("核查结果")
    VERIFY_APPEAL = "verify_appeal", _("诉求现场核实")
    HELP_APPEAL = "help_appeal", _("协助办理诉求")
    VISIT = "visit", _("建议走访（未诉先办）")


class Task(models.Model):
    """Something a grid worker is asked to do."""

    kind = models.CharField(_("任务类型"), max_length=16, choices=TaskKind.choices)
    grid = models.ForeignKey(Grid, verbose_name=_("网格"), on_delete=models.CASCADE, related_name="tasks")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("网格员"), on_delete=models.PROTECT,
                               related_name="grid_tasks")
    appeal = models.ForeignKey("appeals.Appeal", verbose_name=_("诉求件"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="grid_tasks")
    event = models.ForeignKey(GridEvent, verbose_name=_("网格事件"), null=True, blank=True, on_delete=models.CASCADE,
                              related_name="tasks")
    reason = models.TextField(_("缘由"))
    pattern = models.CharField(_("触发规则"), max_length=80, blank=True, db_index=True,
                               help_text=_("未诉先办：同一网格同一规则只生成一次未完成的任务"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("交办人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("交办时间"))
    due_at = models.DateTimeField(_("时限"), null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    result = models.TextField(_("发现与处置"), blank=True)

    class Meta:
        verbose_name = _("网格任务")
        verbose_name_plural = _("网格任务")
        ordering = ["done_at", "due_at", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["grid", "pattern"], condition=Q(done_at__isnull=True) & ~Q(pattern=""),
                                               name="grid_task_one_open_pattern")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.grid_id}"


class AppealLocation(models.Model):
    """The grid an appeal was in when it was received, and how that was found (kept when boundaries change)."""

    appeal = models.OneToOneField("appeals.Appeal", verbose_name=_("诉求件"), on_delete=models.CASCADE,
                                  related_name="grid_location")
    grid = models.ForeignKey(Grid, verbose_name=_("网格"), on_delete=models.PROTECT, related_name="+")
    boundary_version = models.PositiveIntegerField(_("边界版本"))
    method = models.CharField(_("定位方式"), max_length=12)  # "coordinates" | "community"
    at = models.DateTimeField(_("定位时间"))

    class Meta:
        verbose_name = _("诉求件所在网格")
        verbose_name_plural = _("诉求件所在网格")

    def __str__(self) -> str:
        return f"{self.appeal_id} → {self.grid_id}"
