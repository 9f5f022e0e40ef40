"""Responsibility disputes (职责不清), the meetings that settle them (会商) and the dispatch
decisions they leave behind for routing."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DisputeKind(models.TextChoices):
    CONTESTED = "contested", _("退单理由有异议")
    REPEATED_RETURN = "repeated_return", _("多次退单")


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("待会商")
    SCHEDULED = "scheduled", _("已列入会商")
    DECIDED = "decided", _("已决定")
    WITHDRAWN = "withdrawn", _("已撤销")


OPEN_DISPUTE = (DisputeStatus.OPEN, DisputeStatus.SCHEDULED)


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("待召开")
    HELD = "held", _("已召开")


class Meeting(models.Model):
    title = models.CharField(_("会议名称"), max_length=100, default="月度攻坚会商")
    date = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=200)
    units = models.ManyToManyField("organisations.Organisation", verbose_name=_("参会单位"), blank=True,
                                   related_name="+")
    status = models.CharField(_("状态"), max_length=8, choices=MeetingStatus.choices,
                              default=MeetingStatus.PLANNED)
    minutes = models.TextField(_("会议纪要"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("召集人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    held_at = models.DateTimeField(_("纪要时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("会商")
        verbose_name_plural = _("会商")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"


class Dispute(models.Model):
    appeal = models.ForeignKey("appeals.Appeal", verbose_name=_("诉求件"), on_delete=models.PROTECT,
                               related_name="disputes")
    kind = models.CharField(_("类型"), max_length=16, choices=DisputeKind.choices)
    status = models.CharField(_("状态"), max_length=10, choices=DisputeStatus.choices,
                              default=DisputeStatus.OPEN, db_index=True)
    note = models.TextField(_("异议说明"), blank=True)
    return_reasons = models.JSONField(_("退单理由"), default=list, blank=True)
    units = models.ManyToManyField("organisations.Organisation", verbose_name=_("涉及单位"), blank=True,
                                   related_name="+")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提出人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    meeting = models.ForeignKey(Meeting, verbose_name=_("会商"), null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="disputes")
    outcome = models.TextField(_("处理结果"), blank=True)
    created_at = models.DateTimeField(_("提出时间"))
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("职责争议")
        verbose_name_plural = _("职责争议")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["appeal"], condition=Q(status__in=["open", "scheduled"]),
                                    name="supervision_one_open_dispute_per_appeal"),
        ]

    def __str__(self) -> str:
        return f"争议 #{self.pk}"


class DispatchDecision(models.Model):
    """A responsibility decision that routing applies to similar appeals (派单目录规则).

    Read through ``selectors.decisions_for(category, county)``.
    """

    category = models.ForeignKey("taxonomy.Category", verbose_name=_("分类"), on_delete=models.PROTECT,
                                 related_name="+")
    county = models.ForeignKey("regions.Region", verbose_name=_("县市区"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+", help_text=_("留空则全市适用"))
    keywords = models.CharField(_("关键词"), max_length=200, blank=True, help_text=_("以逗号分隔；留空则不限"))
    lead_unit = models.ForeignKey("organisations.Organisation", verbose_name=_("主办单位"),
                                  on_delete=models.PROTECT, related_name="+")
    co_units = models.ManyToManyField("organisations.Organisation", verbose_name=_("协办单位"), blank=True,
                                      related_name="+")
    legal_basis = models.TextField(_("法规依据"))
    meeting = models.ForeignKey(Meeting, verbose_name=_("会商"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="decisions")
    dispute = models.OneToOneField(Dispute, verbose_name=_("争议"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="decision")
    valid_from = models.DateField(_("生效日期"))
    is_active = models.BooleanField(_("有效"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("会商派单决定")
        verbose_name_plural = _("会商派单决定")
        ordering = ["-valid_from", "-id"]
        indexes = [models.Index(fields=["category", "county"], name="decision_category_county")]

    def __str__(self) -> str:
        return f"会商决定 #{self.pk}"

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.replace("，", ",").split(",") if k.strip()]

    def explanation(self) -> str:
        """Why routing picks this unit, e.g. "分类 停水 + 任城区 → 会商决定 #12（2026-03-05 月度攻坚会商）"."""
        from django.utils.translation import gettext

        parts = [gettext("分类 %(name)s") % {"name": self.category.name}]
        if self.county_id:
            parts.append(self.county.name)
        if self.keywords:
            parts.append(gettext("关键词 %(words)s") % {"words": "、".join(self.keyword_list)})
        text = gettext("%(when)s → 会商决定 #%(id)s") % {"when": " + ".join(parts), "id": self.pk}
        return f"{text}（{self.meeting}）" if self.meeting_id else text
