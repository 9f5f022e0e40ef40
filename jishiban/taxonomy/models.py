"""The three-level category tree, each node carrying its deadline profile."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jishiban.channels.models import validate_duration


class Category(models.Model):
    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级分类"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.PositiveSmallIntegerField(_("层级"), choices=[(1, _("一级")), (2, _("二级")), (3, _("三级"))])
    # Deadline profile: empty means "inherit from the parent, then the system default".
    sign_deadline = models.CharField(_("签收时限"), max_length=10, blank=True, validators=[validate_duration])
    reply_deadline = models.CharField(_("答复时限"), max_length=10, blank=True, validators=[validate_duration])
    yellow_before = models.CharField(_("黄牌提前量"), max_length=10, blank=True, validators=[validate_duration])
    urgent = models.BooleanField(_("紧急类"), default=False, help_text=_("涉及生命安全等，当日办理"))
    domain = models.SlugField(
        _("职能领域"), max_length=30, blank=True, help_text=_("与承办单位的职能领域对应，用于默认派单")
    )
    keywords = models.CharField(_("关键词"), max_length=200, blank=True, help_text=_("以逗号分隔，用于检索与示例"))
    is_active = models.BooleanField(_("启用"), default=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("诉求分类")
        verbose_name_plural = _("诉求分类")
        ordering = ["level", "sort", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def path_names(self) -> list[str]:
        names, node = [], self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return names[::-1]

    def profile(self, field: str) -> str:
        """The first non-empty value of ``field`` on this node or an ancestor ('' when none)."""
        node = self
        while node is not None:
            value = getattr(node, field)
            if value:
                return value
            node = node.parent
        return ""

    def is_urgent(self) -> bool:
        node = self
        while node is not None:
            if node.urgent:
                return True
            node = node.parent
        return False
