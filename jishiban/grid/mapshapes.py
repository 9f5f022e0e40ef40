"""The town shapes of the whole-city map: one feature a town (its imported boundary, else the convex
hull of its grids), kept apart from the counts so they can be cached.

``version()`` names the current shapes: it changes whenever a boundary is written (a new
``Boundary`` row, a grid ended or moved) or a town's boundary changes, so a versioned URL can be
cached for good and a changed boundary gives a new URL. Built shapes are kept in the cache under
that version and the reader's scope.
"""

from __future__ import annotations

import hashlib
import json

from django.core.cache import cache
from django.db.models import Count, Max, TextField
from django.db.models.functions import Cast

from jishiban.regions.models import Region

from .models import Boundary, Grid


def version() -> str:
    b = Boundary.objects.aggregate(n=Count("pk"), last=Max("pk"), ended=Count("valid_to"))
    g = Grid.objects.aggregate(n=Count("pk"), last=Max("pk"), towns=Count("town", distinct=True))
    digest = hashlib.sha256(f"{b}{g}".encode())
    for code, geometry in Region.objects.towns().exclude(geometry=None).order_by("code").values_list(
            "code", Cast("geometry", TextField())):
        digest.update(f"{code}:{geometry}".encode())
    return digest.hexdigest()[:16]


def _hull(geometries: list) -> dict | None:
    """The convex hull of the grids' outer rings (the town drawn where no boundary was imported)."""
    import shapely
    from shapely.geometry import mapping

    points = []
    for geometry in geometries:
        geometry = json.loads(geometry) if isinstance(geometry, str) else geometry
        polygons = [geometry["coordinates"]] if geometry.get("type") == "Polygon" else geometry.get("coordinates") or []
        for polygon in polygons:
            points.extend(polygon[0] if polygon else ())
    if len(points) < 3:
        return None
    hull = shapely.MultiPoint(points).convex_hull
    return mapping(hull) if hull.geom_type == "Polygon" else None


def build(grids) -> str:
    """The GeoJSON text of the towns of ``grids`` (a ``Grid`` queryset in the reader's scope)."""
    towns = {pk: (code, name, geometry) for pk, code, name, geometry in Region.objects.filter(
        pk__in=grids.values("town_id")).values_list("pk", "code", "name", Cast("geometry", TextField()))}
    bare = [pk for pk, (_c, _n, geometry) in towns.items() if not geometry or geometry == "null"]
    shapes: dict[int, list] = {pk: [] for pk in bare}
    if bare:
        for town, geometry in grids.filter(town_id__in=bare).exclude(region__geometry=None).values_list(
                "town_id", Cast("region__geometry", TextField())):
            shapes[town].append(geometry)
    parts = []
    for pk, (code, name, geometry) in sorted(towns.items(), key=lambda t: t[1][0]):
        hull = pk in shapes
        text = json.dumps(_hull(shapes[pk])) if hull else geometry
        if text in (None, "null"):
            continue
        props = json.dumps({"name": code, "label": name, "hull": hull}, ensure_ascii=False)
        parts.append(f'{{"type":"Feature","geometry":{text},"properties":{props}}}')
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"


def town_shapes(grids, *, scope: str, current: str | None = None) -> tuple[str, str]:
    """``(version, GeoJSON text)`` of the towns, from the cache when these shapes were built before."""
    current = current or version()
    key = f"grid-map-towns:{current}:{scope}"
    body = cache.get(key)
    if body is None:
        body = build(grids)
        cache.set(key, body, None)
    return current, body


def warm_city() -> None:
    """Build the whole city's town shapes into this process's cache (the warm-up at worker start),
    so the first reader of the city map does not wait for the hulls of every town."""
    from .selectors import CITY_SCOPE

    town_shapes(Grid.objects.all(), scope=CITY_SCOPE)
