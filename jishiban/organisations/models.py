"""Service centres, handling units (承办单位) and enterprises, each serving a region."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    CENTRE = "centre", _("社会治理服务中心")
    DEPARTMENT = "department", _("职能部门")
    TOWN = "town", _("乡镇街道")
    ENTERPRISE = "enterprise", _("公共服务企业")


class OrgLevel(models.TextChoices):
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")
    TOWN = "town", _("乡镇级")


class Organisation(models.Model):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    kind = models.CharField(_("类型"), max_length=12, choices=OrgKind.choices, db_index=True)
    level = models.CharField(_("层级"), max_length=8, choices=OrgLevel.choices, db_index=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("服务区域"), on_delete=models.PROTECT, related_name="organisations"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        help_text=_("督办逾期未办时升级到的上级单位"),
    )
    # A functional domain shared by the city department and its county counterparts
    # (e.g. "water"), so routing can find 邹城市的供水单位 for a 邹城市 appeal.
    domain = models.SlugField(_("职能领域"), max_length=30, blank=True, db_index=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    # A city unit county centres may dispatch to as well as their own county's units (a city-wide
    # utility, say); read by the role policy (``accounts.policy.dispatch_units``).
    county_dispatch = models.BooleanField(
        _("县级可派"), default=False,
        help_text=_("市级单位：县市区社会治理服务中心也可向其派单（本县市区的单位总是可派）"))

    class Meta:
        verbose_name = _("机构/承办单位")
        verbose_name_plural = _("机构/承办单位")
        ordering = ["level", "kind", "code"]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def is_centre(self) -> bool:
        return self.kind == OrgKind.CENTRE
