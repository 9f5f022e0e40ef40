"""Supervision orders (督办单), the rules that open them, and their event log."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Reason(models.TextChoices):
    OVERDUE = "overdue", _("超期红牌")
    RETURNED = "returned", _("多次退单")
    DISSATISFIED = "dissatisfied", _("回访不满意")
    REPEAT = "repeat", _("重复投诉")
    RISK = "risk", _("风险预警")
    PROMISE = "promise", _("分步解决承诺未兑现")
    LEADER = "leader", _("领导批示")
    KEY = "key", _("重点督办")


MANUAL_REASONS = frozenset({Reason.LEADER, Reason.KEY})


class Level(models.TextChoices):
    CITY = "city", _("市级督办")
    COUNTY = "county", _("县级督办")


class RuleLevel(models.TextChoices):
    UNIT = "unit", _("按承办单位层级")
    CITY = "city", _("市级督办")
    COUNTY = "county", _("县级督办")


class TriggerRule(models.Model):
    """One trigger's configuration; edited in the admin. A missing row means the defaults
    in ``triggers.DEFAULT_RULES``."""

    reason = models.CharField(_("督办原因"), max_length=16, choices=Reason.choices, unique=True)
    enabled = models.BooleanField(_("启用"), default=True)
    level = models.CharField(_("督办级别"), max_length=8, choices=RuleLevel.choices, default=RuleLevel.UNIT)
    deadline_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"), default=3)
    threshold = models.PositiveSmallIntegerField(
        _("阈值"), default=0,
        help_text=_("重复投诉：次数；多次退单：退单次数；承诺未兑现：跟进日期后宽限天数"),
    )
    window_days = models.PositiveSmallIntegerField(_("统计窗口（天）"), default=90, help_text=_("重复投诉的统计天数"))
    requirement = models.TextField(_("督办要求"), blank=True)

    class Meta:
        verbose_name = _("督办触发规则")
        verbose_name_plural = _("督办触发规则")
        ordering = ["reason"]

    def __str__(self) -> str:
        return self.get_reason_display()


class OrderStatus(models.TextChoices):
    OPEN = "open", _("督办中")
    RESPONDED = "responded", _("已反馈")
    ESCALATED = "escalated", _("已升级")
    CLOSED = "closed", _("已办结")


class SupervisionOrder(models.Model):
    appeal = models.ForeignKey("appeals.Appeal", verbose_name=_("诉求件"), on_delete=models.PROTECT,
                               related_name="supervision_orders", null=True, blank=True,
                               help_text=_("领导在报告上的批示转成的督办单没有诉求件"))
    # A leader's instruction on a report (通报、体检报告、专题报告): the report's title and its page.
    report_title = models.CharField(_("报告"), max_length=200, blank=True)
    report_url = models.CharField(_("报告链接"), max_length=500, blank=True, db_index=True)
    reason = models.CharField(_("督办原因"), max_length=16, choices=Reason.choices, db_index=True)
    auto = models.BooleanField(_("自动触发"), default=False)
    detail = models.CharField(_("触发说明"), max_length=300, blank=True)
    target_unit = models.ForeignKey("organisations.Organisation", verbose_name=_("督办对象"),
                                    on_delete=models.PROTECT, related_name="+")
    responsible_unit = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("当前责任单位"), on_delete=models.PROTECT, related_name="+",
        help_text=_("升级后为上级单位"),
    )
    requirement = models.TextField(_("督办要求"))
    instruction = models.TextField(_("领导批示"), blank=True)
    instructed_by = models.CharField(_("批示领导"), max_length=60, blank=True)
    level = models.CharField(_("督办级别"), max_length=8, choices=Level.choices)
    deadline_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"))
    deadline = models.DateTimeField(_("反馈时限"), db_index=True)
    status = models.CharField(_("状态"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.OPEN,
                              db_index=True)
    escalation_count = models.PositiveSmallIntegerField(_("升级次数"), default=0)
    response = models.TextField(_("反馈内容"), blank=True)
    responded_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    close_reason = models.TextField(_("办结说明"), blank=True)
    closed_solved = models.BooleanField(_("办结时诉求已解决"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("督办人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("督办时间"), db_index=True)

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open order per appeal and reason: triggers may fire again and again.
            models.UniqueConstraint(fields=["appeal", "reason"], condition=~Q(status="closed"),
                                    name="supervision_one_open_order_per_reason"),
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="order_status_deadline"),
                   models.Index(fields=["target_unit", "created_at"], name="order_unit_created")]

    def __str__(self) -> str:
        return f"督办单 #{self.pk}"


class OrderEvent(models.Model):
    """Every change to an order, written in the same transaction as the change."""

    order = models.ForeignKey(SupervisionOrder, verbose_name=_("督办单"), on_delete=models.CASCADE,
                              related_name="events")
    action = models.CharField(_("动作"), max_length=16)
    from_status = models.CharField(_("原状态"), max_length=10, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("说明"), blank=True)
    payload = models.JSONField(_("数据"), default=dict, blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("督办记录")
        verbose_name_plural = _("督办记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"#{self.order_id} {self.action}"


class OnSiteVisit(models.Model):
    """现场督办: who went where, what they found and what was agreed."""

    order = models.ForeignKey(SupervisionOrder, verbose_name=_("督办单"), on_delete=models.CASCADE,
                              related_name="visits")
    date = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=200)
    participants = models.TextField(_("参加人员"))
    findings = models.TextField(_("发现问题"))
    outcome = models.TextField(_("督办结果"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("现场督办")
        verbose_name_plural = _("现场督办")
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.date} {self.place}"
