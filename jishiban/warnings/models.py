"""Warnings (预警): spikes, hot events, risk and repeat signals in one model with one lifecycle.

An ``EarlyWarning`` says what was raised and why (``why``), the numbers behind it (``observed``,
``expected``, ``score``) and the appeals behind it. Its lifecycle is
new → acknowledged → assigned (a supervisor or a unit) → linked (to a supervision order)
→ closed (with a note); every change is one ``WarningEvent``. ``key`` names the signal
(a spike's cell, an event's first appeal, a risk flag's appeal): one open warning per key,
so an ongoing spike updates its warning instead of raising a new one. Written only by
``services.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class WarningKind(models.TextChoices):
    SPIKE = "spike", _("异常激增")
    EVENT = "event", _("热点事件")
    RISK = "risk", _("风险预警")
    REPEAT = "repeat", _("重复及信访风险")


class WarningState(models.TextChoices):
    NEW = "new", _("新预警")
    ACKNOWLEDGED = "acknowledged", _("已确认")
    ASSIGNED = "assigned", _("已指派")
    LINKED = "linked", _("已督办")
    CLOSED = "closed", _("已关闭")


# What each kind of ``WarningEvent`` is called on the warning's page.
ACTION_LABELS = {
    "raise": _("发出预警"), "update": _("信号更新"), "end": _("信号结束"), "acknowledge": _("确认"),
    "assign": _("指派"), "link": _("督办"), "close": _("关闭"), "merge": _("并单"),
}

OPEN_STATES = (WarningState.NEW, WarningState.ACKNOWLEDGED, WarningState.ASSIGNED, WarningState.LINKED)


class EarlyWarning(models.Model):
    kind = models.CharField(_("类型"), max_length=8, choices=WarningKind.choices, db_index=True)
    key = models.CharField(_("信号"), max_length=120)
    title = models.CharField(_("标题"), max_length=200)
    why = models.TextField(_("预警原因"))
    state = models.CharField(_("状态"), max_length=14, choices=WarningState.choices, default=WarningState.NEW)

    county = models.ForeignKey("regions.Region", verbose_name=_("县市区"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey("taxonomy.Category", verbose_name=_("分类"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    observed = models.FloatField(_("观测数"), default=0)
    expected = models.FloatField(_("期望数"), default=0)
    # Spikes: -log10 of the tail probability; events: appeals in the window; risk/repeat: hits.
    score = models.FloatField(_("分值"), default=0)
    # ``observed`` when the roles on duty last heard of the warning (raised, or grown by the
    # growth threshold since): the scan's compare-and-set on it announces each growth once.
    announced = models.FloatField(_("已通知观测数"), default=0)
    probability = models.FloatField(_("尾概率"), null=True, blank=True)
    detail = models.JSONField(_("明细"), default=dict, blank=True)
    appeals = models.ManyToManyField("appeals.Appeal", verbose_name=_("相关诉求"), blank=True, related_name="+")

    first_at = models.DateTimeField(_("最早时间"), null=True, blank=True)
    latest_at = models.DateTimeField(_("最新时间"), null=True, blank=True)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)

    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("指派督办人"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    unit = models.ForeignKey("organisations.Organisation", verbose_name=_("指派单位"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey("supervision.SupervisionOrder", verbose_name=_("督办单"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    close_note = models.CharField(_("关闭说明"), max_length=300, blank=True)

    raised_at = models.DateTimeField(_("预警时间"), db_index=True)
    updated_at = models.DateTimeField(_("更新时间"))
    ended_at = models.DateTimeField(_("信号结束"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-raised_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["key"], condition=~Q(state="closed"),
                                               name="warning_one_open_per_key")]
        indexes = [models.Index(fields=["state", "kind"], name="warning_state_kind")]

    def __str__(self) -> str:
        return self.title[:40]


class WarningEvent(models.Model):
    """One change of a warning: raised, updated (a spike grew, appeals joined), a lifecycle
    step, the signal ending. ``actor`` is empty for the scan."""

    warning = models.ForeignKey(EarlyWarning, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("动作"), max_length=16)
    from_state = models.CharField(max_length=14, blank=True)
    to_state = models.CharField(max_length=14, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("说明"), max_length=300, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("预警记录")
        verbose_name_plural = _("预警记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.warning_id} {self.action}"
