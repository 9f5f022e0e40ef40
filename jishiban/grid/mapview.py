"""The grid map: grids coloured by open appeals and open events, drawn by ECharts from GeoJSON
with no tiles (works offline), drilled down town → community. Within the reader's scope."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render

from jishiban.core.views import gate

from . import selectors

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
    towns = sorted(set(grids.values_list("town__code", "town__name")))
    communities = sorted(set(grids.values_list("community__code", "community__name", "town__code")))
    waiting = (selectors.events_visible_to(request.user).filter(escalation="town", state__in=("dispatched", "handling"))
               .select_related("grid__region", "grid__town").order_by("reported_at")[:50])
    return render(request, "grid/map.html", {"towns": towns, "communities": communities, "waiting": waiting,
                                             "nav_active": PAGE})


@gate(PAGE)
def data(request):
    grids = list(_grids(request).exclude(region__geometry=None)[:MAX_FEATURES])
    counts = selectors.map_counts(request.user, grids)
    features = [{"type": "Feature", "geometry": g.region.geometry,
                 "properties": {"name": g.region.code, "label": g.region.name, "town": g.town.name,
                                "community": g.community.name, **counts[g.pk]}} for g in grids]
    return JsonResponse({"type": "FeatureCollection", "features": features})
