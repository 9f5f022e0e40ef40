"""The dispatch catalogue (派单目录) and what routing learned from past dispatches."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .matching import parse_keywords


class Origin(models.TextChoices):
    SEEDED = "seeded", _("初始目录")
    MANUAL = "manual", _("人工维护")
    MEETING = "meeting", _("会商决定")
    LEARNED = "learned", _("历史学习")


class DispatchRuleQuerySet(models.QuerySet):
    def in_force(self, on=None):
        """Active rules valid on ``on`` (default today) whose meeting decision, if any, still stands."""
        on = on or timezone.localdate()
        return (self.filter(is_active=True, valid_from__lte=on)
                .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
                .filter(Q(decision__isnull=True) | Q(decision__is_active=True)))


class DispatchRule(models.Model):
    """Category × region (× keywords × channel) → lead unit and co-handlers.

    Matched by ``matching.match`` (see its precedence); written only through
    ``services.create_rule`` / ``update_rule`` / ``deactivate_rule`` / ``sync_decision``.
    """

    category = models.ForeignKey("taxonomy.Category", verbose_name=_("分类"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 help_text=_("含下级分类；留空则不限分类（须填写关键词）"))
    county = models.ForeignKey("regions.Region", verbose_name=_("县市区"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+", help_text=_("留空则全市适用"))
    town = models.ForeignKey("regions.Region", verbose_name=_("乡镇街道"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+", help_text=_("可选，须属于所选县市区"))
    channel = models.ForeignKey("channels.Channel", verbose_name=_("渠道"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+", help_text=_("留空则不限渠道"))
    keywords = models.CharField(_("关键词（任一）"), max_length=300, blank=True,
                                help_text=_("以逗号分隔，诉求内容含其中任一词才适用；留空则不限"))
    exclude_keywords = models.CharField(_("排除词"), max_length=300, blank=True,
                                        help_text=_("以逗号分隔，诉求内容含其中任一词则不适用"))
    lead_unit = models.ForeignKey("organisations.Organisation", verbose_name=_("主办单位"),
                                  on_delete=models.PROTECT, related_name="+")
    co_units = models.ManyToManyField("organisations.Organisation", verbose_name=_("协办单位"), blank=True,
                                      related_name="+")
    priority = models.SmallIntegerField(_("优先级"), default=0,
                                        help_text=_("数值大者优先；相同时更具体的规则优先"))
    origin = models.CharField(_("来源"), max_length=10, choices=Origin.choices, default=Origin.MANUAL,
                              db_index=True)
    decision = models.OneToOneField("supervision.DispatchDecision", verbose_name=_("会商派单决定"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="routing_rule")
    meeting = models.ForeignKey("supervision.Meeting", verbose_name=_("会商"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("依据/说明"), blank=True)
    valid_from = models.DateField(_("生效日期"), default=timezone.localdate)
    valid_until = models.DateField(_("失效日期"), null=True, blank=True, help_text=_("留空则长期有效（含当日）"))
    is_active = models.BooleanField(_("启用"), default=True)
    # Lets ``routing seed`` recognise its own rows (idempotent), never shown to users.
    seed_key = models.CharField(_("初始化标识"), max_length=80, null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = DispatchRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("派单规则")
        verbose_name_plural = _("派单目录")
        ordering = ["-priority", "category__code", "county__code", "id"]
        indexes = [
            models.Index(fields=["category", "county"], name="routing_rule_category_county"),
            models.Index(fields=["is_active", "valid_until"], name="routing_rule_active_until"),
        ]

    def __str__(self) -> str:
        return _("规则 #%(id)s") % {"id": self.pk}

    @property
    def keyword_list(self) -> tuple[str, ...]:
        return parse_keywords(self.keywords)

    @property
    def exclude_list(self) -> tuple[str, ...]:
        return parse_keywords(self.exclude_keywords)


class LearnedRoute(models.Model):
    """How often dispatches of a category (or a sub-category) in a county to a unit were
    accepted and kept by that unit (not returned). Rebuilt by ``learning.learn``."""

    category = models.ForeignKey("taxonomy.Category", verbose_name=_("分类"), on_delete=models.CASCADE,
                                 related_name="+")
    county = models.ForeignKey("regions.Region", verbose_name=_("县市区"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("organisations.Organisation", verbose_name=_("承办单位"), on_delete=models.CASCADE,
                             related_name="+")
    dispatched = models.PositiveIntegerField(_("派单次数"), default=0)
    kept = models.PositiveIntegerField(_("签收且未退单"), default=0)
    returned = models.PositiveIntegerField(_("退单次数"), default=0)
    last_at = models.DateTimeField(_("最近派单"), null=True, blank=True)
    refreshed_at = models.DateTimeField(_("统计时间"))

    class Meta:
        verbose_name = _("历史派单统计")
        verbose_name_plural = _("历史派单统计")
        ordering = ["category__code", "county__code", "-kept"]
        constraints = [
            models.UniqueConstraint(fields=["category", "county", "unit"], name="routing_learned_unique"),
        ]
        indexes = [models.Index(fields=["category", "county"], name="routing_learned_lookup")]

    def __str__(self) -> str:
        return f"{self.category_id}/{self.county_id} → {self.unit_id}"

    @property
    def kept_rate(self) -> float | None:
        return round(self.kept / self.dispatched, 2) if self.dispatched else None
