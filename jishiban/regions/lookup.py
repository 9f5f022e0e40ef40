"""Counties and towns named by code, name, short name or a common variant.

``370827``, ``鱼台县``, ``鱼台`` and ``济宁市鱼台县`` all name 鱼台县; ``谷亭街道`` and ``谷亭``
name the town. One resolver per field (``COUNTIES``, ``TOWNS``), used by
``appeals.creation.validate`` and so by every interface; a name two regions share names neither.
"""

from __future__ import annotations

from jishiban.core.lookups import Resolver

from .models import Region, RegionLevel

# The administrative word at the end of a name, longest first: 鱼台县 → 鱼台, 谷亭街道 → 谷亭.
SUFFIXES = ("街道办事处", "街道", "新区", "县", "区", "市", "镇", "乡")


def bare(name: str) -> str:
    """``name`` without its administrative suffix, when at least two characters remain."""
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def names(region: Region | None) -> set[str]:
    if region is None:
        return set()
    found = {n for n in (region.name, region.short_name) if n}
    return found | {bare(n) for n in found}


def _keys(region: Region) -> set[str]:
    """The region's own names, each also after its parent's names (济宁市鱼台县, 鱼台县谷亭街道)
    and without a leading parent name (济宁高新区 → 高新区)."""
    own, above = names(region), names(region.parent)
    keys = set(own)
    for prefix in above:
        for name in own:
            keys.add(prefix + name)
            if name.startswith(prefix) and len(name) - len(prefix) >= 2:
                keys.add(name[len(prefix):])
    return keys


def _level(level: int) -> Resolver:
    return Resolver(
        Region,
        lambda: Region.objects.filter(level=level).select_related("parent"),
        _keys,
        probe=lambda code: Region.objects.filter(code=code, level=level).select_related("parent").first(),
    )


COUNTIES = _level(RegionLevel.COUNTY)
TOWNS = _level(RegionLevel.TOWN)


def within(candidates: list[Region], county: Region | None) -> list[Region]:
    """Of towns sharing a name, the one under ``county`` (when that decides it)."""
    if len(candidates) > 1 and county is not None:
        narrowed = [town for town in candidates if town.parent_id == county.pk]
        return narrowed or candidates
    return candidates
