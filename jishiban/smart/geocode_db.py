"""lat/lon → grid (网格): a ``GridIndex`` over the grids (level-5 regions with their ``grid.Grid``,
see docs/adr/0002-one-grid.md) that have a polygon.

Built on first use per process; a grid saved or deleted in this process rebuilds it at the next
lookup (``receivers``), other processes rebuild after ``GRID_CACHE_SECONDS``. A grid whose
geometry is not a valid polygon is skipped and logged, never fatal.
"""

from __future__ import annotations

import logging
import threading
import time

from shapely.geometry import shape

from . import conf
from .geocode.grid import GridIndex

log = logging.getLogger("jishiban.smart")

_lock = threading.Lock()
_state: dict[str, object] = {"built": False, "index": None, "at": 0.0, "skipped": []}


def invalidate(**kwargs) -> None:
    with _lock:
        _state["built"] = False


def region_saved(sender, instance, **kwargs) -> None:
    """``post_save`` / ``post_delete`` of ``Region``: grids changed → rebuild."""
    from jishiban.regions.models import RegionLevel

    if instance.level == RegionLevel.GRID:
        invalidate()


def _build() -> GridIndex | None:
    from jishiban.regions.models import Region

    features, skipped = [], []
    grids = Region.objects.grids().filter(geometry__isnull=False)
    for pk, code, geometry in grids.values_list("pk", "code", "geometry"):
        try:
            geom = shape(geometry)
            if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
                raise ValueError(geom.geom_type)
        except Exception as exc:  # noqa: BLE001 - one bad polygon must not disable every other grid
            skipped.append(code)
            log.warning("grid %s has an unusable geometry (%s); skipped", code, exc)
            continue
        features.append({"id": pk, "geometry": geometry})
    _state["skipped"] = skipped
    return GridIndex(features) if features else None


def grid_index() -> GridIndex | None:
    now = time.monotonic()
    with _lock:
        if not _state["built"] or now - float(_state["at"]) > float(conf.get("GRID_CACHE_SECONDS")):
            _state["index"], _state["at"], _state["built"] = _build(), now, True
        return _state["index"]  # type: ignore[return-value]


def locate_grid(lat, lon):
    """The grid ``Region`` containing (lat, lon), or ``None`` (no coordinates, no grid there)."""
    from jishiban.regions.models import Region, RegionLevel

    if lat is None or lon is None:
        return None
    index = grid_index()
    if index is None:
        return None
    pk = index.locate(float(lat), float(lon))
    return Region.objects.select_related("parent__parent").filter(pk=pk, level=RegionLevel.GRID).first() if pk is not None else None
