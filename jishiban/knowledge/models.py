"""The knowledge base (知识库): entries the call desk answers from, their versions, their search
terms, the uses made of them, and the stock phrases (常用语) of replies and callbacks.

An entry's current text is copied onto the entry (for lists and search); every edit is a new
``EntryVersion`` row, so the history of what the centre told callers is kept.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryKind(models.TextChoices):
    POLICY = "policy", _("政策解答")
    HOURS = "hours", _("办公时间与地点")
    PROCEDURE = "procedure", _("办事流程")


class Entry(models.Model):
    kind = models.CharField(_("类型"), max_length=12, choices=EntryKind.choices, default=EntryKind.POLICY)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    category = models.ForeignKey("taxonomy.Category", verbose_name=_("分类"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name=_("适用区域"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+", help_text=_("留空为全市适用"))
    owner_unit = models.ForeignKey("organisations.Organisation", verbose_name=_("维护单位"),
                                   on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("版本"), default=1)
    review_days = models.PositiveSmallIntegerField(_("复核周期（天）"), default=180)
    review_due = models.DateField(_("下次复核日期"))
    reviewed_at = models.DateTimeField(_("最近复核"), null=True, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("知识条目")
        verbose_name_plural = _("知识条目")
        ordering = ["category__code", "title", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def reference(self) -> str:
        """How a quote names the entry (知识库 #12 第3版)."""
        return _("知识库 #%(id)s 第%(v)s版") % {"id": self.pk, "v": self.version}


class EntryVersion(models.Model):
    entry = models.ForeignKey(Entry, verbose_name=_("知识条目"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    note = models.CharField(_("修改说明"), max_length=200, blank=True)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    edited_at = models.DateTimeField(_("修改时间"))

    class Meta:
        verbose_name = _("知识条目版本")
        verbose_name_plural = _("知识条目版本")
        ordering = ["entry", "-number"]
        constraints = [models.UniqueConstraint(fields=["entry", "number"], name="knowledge_version_once")]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class EntryTerm(models.Model):
    """One search term of an entry's current version (words of smart help's tokenizer), so the
    search is one indexed query on SQLite and PostgreSQL alike."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="terms")
    term = models.CharField(max_length=40, db_index=True)
    weight = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "term"], name="knowledge_term_once")]

    def __str__(self) -> str:
        return self.term


class EntryUse(models.Model):
    """An appeal answered with an entry (直接办结 quoting it)."""

    entry = models.ForeignKey(Entry, verbose_name=_("知识条目"), on_delete=models.PROTECT, related_name="uses")
    version = models.PositiveIntegerField(_("版本"))
    appeal = models.ForeignKey("appeals.Appeal", verbose_name=_("诉求件"), on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("使用人"), null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("知识使用记录")
        verbose_name_plural = _("知识使用记录")
        constraints = [models.UniqueConstraint(fields=["entry", "appeal"], name="knowledge_use_once")]

    def __str__(self) -> str:
        return f"{self.entry_id} → {self.appeal_id}"


class PhrasePurpose(models.TextChoices):
    REPLY = "reply", _("答复")
    CALLBACK = "callback", _("回访")


class Phrase(models.Model):
    """A stock phrase (常用语) for a reply or a callback, for a category subtree (or any)."""

    purpose = models.CharField(_("用途"), max_length=10, choices=PhrasePurpose.choices)
    category = models.ForeignKey("taxonomy.Category", verbose_name=_("分类"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+", help_text=_("留空为通用"))
    text = models.TextField(_("内容"))
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("常用语")
        verbose_name_plural = _("常用语")
        ordering = ["purpose", "sort", "id"]

    def __str__(self) -> str:
        return self.text[:30]
