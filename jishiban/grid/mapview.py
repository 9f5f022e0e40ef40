"""The grid map: grids coloured by open appeals and open events, drawn by ECharts from GeoJSON
with no tiles (works offline), drilled down city → town → community. Within the reader's scope. A
deployment with its own tile server (``JISHIBAN_MAP_TILE_URL``) gets its raster tiles under the grids.

The whole city is drawn as towns: their shapes (``towns``, cacheable — ETag and a versioned URL,
``mapshapes.version``) apart from their counts (``town_counts``, small and fresh); a town's grids
come from ``data`` when the reader drills down."""

from __future__ import annotations

import json

from django.conf import settings
from django.db.models import TextField
from django.db.models.functions import Cast
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from jishiban.core.views import gate

from . import mapshapes, selectors

PAGE = "grid_map"
# Large cities have tens of thousands of grids: the whole city is drawn town by town.
MAX_FEATURES = 25000


def _grids(request):
    grids = selectors.grids_visible_to(request.user)
    town, community = request.GET.get("town", ""), request.GET.get("community", "")
    if town:
        grids = grids.filter(town__code=town)
    if community:
        grids = grids.filter(community__code=community)
    return grids


@gate(PAGE)
def page(request):
    grids = selectors.grids_visible_to(request.user)
    towns = list(grids.order_by("town__code").values_list("town__code", "town__name").distinct())
    communities = list(grids.order_by("community__code").values_list("community__code", "community__name",
                                                                     "town__code").distinct())
    waiting = (selectors.events_visible_to(request.user).filter(escalation="town", state__in=("dispatched", "handling"))
               .select_related("grid__region", "grid__town").order_by("reported_at")[:50])
    shapes = reverse("grid:map_towns") + "?v=" + mapshapes.version()
    return render(request, "grid/map.html", {"towns": towns, "communities": communities, "waiting": waiting,
                                             "shapes_url": shapes, "tiles": settings.JISHIBAN_MAP_TILE_URL,
                                             "nav_active": PAGE})


@gate(PAGE)
def towns(request):
    """The towns' shapes as GeoJSON (no figures). ``ETag`` is the shapes' version and scope; the
    versioned URL the page links (``?v=<version>``) may be kept for good, any other asks again."""
    user = request.user
    scope = selectors.map_scope(user)
    current = mapshapes.version()
    etag = f'"{current}-{scope}"'
    fresh = request.GET.get("v") == current
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        _v, body = mapshapes.town_shapes(selectors.grids_visible_to(user), scope=scope, current=current)
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = "private, max-age=31536000, immutable" if fresh else "private, no-cache"
    return response


@gate(PAGE)
def town_counts(request):
    """Grids, open appeals and open events per town in the reader's scope (``selectors.map_town_counts``)."""
    response = JsonResponse({"towns": selectors.map_town_counts(request.user, selectors.grids_visible_to(request.user))})
    response["Cache-Control"] = "private, no-store"
    return response


@gate(PAGE)
def data(request):
    """The grids as GeoJSON with their counts. At city size (20,000 grids, docs/benchmarks.md) the
    rows are read as plain values and each stored boundary goes out as the database's own JSON
    text, never parsed and dumped again."""
    grids = _grids(request).exclude(region__geometry=None).order_by("region__code")
    rows = list(grids.values_list("pk", "region__code", "region__name", "town__name", "community__name",
                                  Cast("region__geometry", TextField()))[:MAX_FEATURES])
    counts = selectors.map_counts(request.user, grids.filter(pk__in=[r[0] for r in rows]) if len(rows) == MAX_FEATURES
                                  else grids)
    parts = []
    for pk, code, name, town, community, geometry in rows:
        props = json.dumps({"name": code, "label": name, "town": town, "community": community, **counts[pk]},
                           ensure_ascii=False)
        parts.append(f'{{"type":"Feature","geometry":{geometry},"properties":{props}}}')
    body = '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"
    return HttpResponse(body, content_type="application/json")
