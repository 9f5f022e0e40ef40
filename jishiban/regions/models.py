"""The region tree: city → county (management unit) → town/street → community/village → grid."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.IntegerChoices):
    CITY = 1, _("市")
    COUNTY = 2, _("县市区/功能区")
    TOWN = 3, _("乡镇街道")
    COMMUNITY = 4, _("社区/村")
    GRID = 5, _("网格")


class RegionQuerySet(models.QuerySet):
    def counties(self):
        return self.filter(level=RegionLevel.COUNTY)

    def towns(self):
        return self.filter(level=RegionLevel.TOWN)

    def grids(self):
        """The grids: level-5 regions **with** their ``grid.Grid`` row (docs/adr/0002-one-grid.md);
        a level-5 region made by hand without one is not a grid."""
        return self.filter(level=RegionLevel.GRID, grid_profile__isnull=False)


class Region(models.Model):
    """A node of the management tree.

    ``code`` is the national statistical division code where one exists; functional zones
    (太白湖新区, 经开区) have project codes and ``is_statistical=False``. A town managed by a
    functional zone hangs under the zone, keeping its own statistical code.
    """

    code = models.CharField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    level = models.PositiveSmallIntegerField(_("层级"), choices=RegionLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_statistical = models.BooleanField(_("统计用区划"), default=True)
    # Grid polygons are GeoJSON geometry dicts; indexing happens in memory (shapely STRtree).
    geometry = models.JSONField(_("边界"), null=True, blank=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("区划")
        verbose_name_plural = _("区划")
        ordering = ["level", "sort", "code"]

    def __str__(self) -> str:
        return self.short_name or self.name

    def ancestor(self, level: int) -> "Region | None":
        node = self
        while node is not None and node.level > level:
            node = node.parent
        return node if node is not None and node.level == level else None
