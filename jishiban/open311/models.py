"""Open311 configuration kept as data: per-service attribute definitions and client API keys."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .attributes import LIST_DATATYPES


class Datatype(models.TextChoices):
    STRING = "string", _("单行文本 string")
    NUMBER = "number", _("数字 number")
    DATETIME = "datetime", _("日期时间 datetime")
    TEXT = "text", _("多行文本 text")
    SINGLEVALUELIST = "singlevaluelist", _("单选 singlevaluelist")
    MULTIVALUELIST = "multivaluelist", _("多选 multivaluelist")


def validate_values(value) -> None:
    """``values`` is a list of ``{"key": ..., "name": ...}`` with distinct, non-empty keys."""
    if not isinstance(value, list):
        raise ValidationError(_("可选值须为列表，如 [{\"key\": \"1\", \"name\": \"路灯不亮\"}]"))
    keys = set()
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict) or set(item) - {"key", "name"} or str(item.get("key", "")).strip() == "":
            raise ValidationError(_("第 %(n)d 个可选值须为 {\"key\": …, \"name\": …}，且 key 不能为空") % {"n": number})
        key = str(item["key"]).strip()
        if key in keys:
            raise ValidationError(_("可选值 key 重复：%(key)s") % {"key": key})
        keys.add(key)


class ServiceAttribute(models.Model):
    """One extra question a service (a leaf category) asks Open311 clients (GeoReport v2 attribute)."""

    category = models.ForeignKey(
        "taxonomy.Category", verbose_name=_("服务（三级分类）"), on_delete=models.CASCADE,
        related_name="open311_attributes",
    )
    code = models.SlugField(_("属性代码"), max_length=40)
    datatype = models.CharField(_("数据类型"), max_length=16, choices=Datatype.choices, default=Datatype.STRING)
    required = models.BooleanField(_("必填"), default=False)
    variable = models.BooleanField(
        _("需要填写"), default=True, help_text=_("取消勾选则只是给客户端的说明文字，不接收输入")
    )
    description = models.CharField(_("问题说明"), max_length=300)
    datatype_description = models.CharField(_("格式说明"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    values = models.JSONField(
        _("可选值"), default=list, blank=True, validators=[validate_values],
        help_text=_("单选/多选时必填，如 [{\"key\": \"1\", \"name\": \"路灯不亮\"}]"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("Open311 服务属性")
        verbose_name_plural = _("Open311 服务属性")
        ordering = ["category", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="open311_attribute_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.category.code}/{self.code}"

    def clean(self) -> None:
        errors = {}
        if self.category_id and self.category.level != 3:
            errors["category"] = _("只有三级分类（Open311 服务）才能设置属性")
        if self.datatype in LIST_DATATYPES and not self.values:
            errors["values"] = _("单选/多选属性须填写可选值")
        if self.datatype not in LIST_DATATYPES and self.values:
            errors["values"] = _("只有单选/多选属性才有可选值")
        if errors:
            raise ValidationError(errors)


class ApiKey(models.Model):
    """A client system's key for posting requests on a channel. Only a SHA-256 of the key is stored."""

    channel = models.ForeignKey("channels.Channel", verbose_name=_("渠道"), on_delete=models.PROTECT,
                                related_name="open311_keys")
    name = models.CharField(_("名称"), max_length=100, blank=True, help_text=_("使用方，如“某某市民APP”"))
    prefix = models.CharField(_("前缀"), max_length=16, unique=True, help_text=_("密钥开头的公开部分，用于识别与吊销"))
    hashed_key = models.CharField(_("密钥摘要"), max_length=64)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 接口密钥")
        verbose_name_plural = _("Open311 接口密钥")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix} {self.name}".strip()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
