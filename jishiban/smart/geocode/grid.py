"""Point-in-polygon lookup of grid cells (网格) with a shapely STRtree.

``GridIndex`` is a pure class: the regions app will store grid polygons and build one of these
from them. Polygons are GeoJSON-like geometries, so coordinates are ``[lon, lat]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import shapely
from shapely.geometry import Point, shape
from shapely.strtree import STRtree


class GridIndex:
    """Find the grid containing a point.

    ``features`` are ``{"id": ..., "geometry": {"type": "Polygon"|"MultiPolygon", ...}}`` dicts
    (a GeoJSON Feature with ``properties.id`` works too). Raises ``ValueError`` on a feature
    without an id or with an invalid geometry. Points on a shared border belong to the smaller
    grid, then to the lower id, so the answer never depends on insertion order.
    """

    def __init__(self, features: Iterable[Mapping]):
        self._ids: list = []
        geoms = []
        for f in features:
            gid = f.get("id")
            if gid is None:
                gid = (f.get("properties") or {}).get("id")
            if gid is None:
                raise ValueError("grid feature without an id")
            try:
                geom = shape(f["geometry"])
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise ValueError(f"grid {gid!r}: bad geometry: {exc}") from exc
            if geom.geom_type not in ("Polygon", "MultiPolygon"):
                raise ValueError(f"grid {gid!r}: expected a Polygon or MultiPolygon, got {geom.geom_type}")
            if not geom.is_valid:
                geom = shapely.make_valid(geom)
            self._ids.append(gid)
            geoms.append(geom)
        self._geoms = geoms
        shapely.prepare(geoms)
        self._tree = STRtree(geoms)

    def __len__(self) -> int:
        return len(self._ids)

    def locate(self, lat: float, lon: float):
        """The id of the grid covering (lat, lon), or ``None``."""
        idx = self._tree.query(Point(lon, lat), predicate="intersects")
        if len(idx) == 0:
            return None
        if len(idx) == 1:
            return self._ids[int(idx[0])]
        return min((self._geoms[int(i)].area, str(self._ids[int(i)]), self._ids[int(i)]) for i in idx)[2]

    def locate_many(self, points: Iterable[tuple[float, float]]) -> list:
        """Ids (or ``None``) for many (lat, lon) points, answered in one tree query."""
        pts = list(points)
        if not pts:
            return []
        geoms = shapely.points([(lon, lat) for lat, lon in pts])
        out: list = [None] * len(pts)
        best: dict[int, tuple] = {}
        pairs = self._tree.query(geoms, predicate="intersects")
        for p, g in zip(pairs[0], pairs[1], strict=True):
            key = (self._geoms[int(g)].area, str(self._ids[int(g)]))
            if int(p) not in best or key < best[int(p)][0]:
                best[int(p)] = (key, self._ids[int(g)])
        for p, (_, gid) in best.items():
            out[p] = gid
        return out
