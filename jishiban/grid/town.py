"""The town inbox (乡镇街道待办): what the grids escalated to the town and the 12345 appeals its
unit holds, for the town's staff (``policy.town_of``); and the county's (县市区网格待办): what its
towns passed up to it. Each count is the length of the rows shown."""

from __future__ import annotations

from django.shortcuts import render

from jishiban.appeals.privacy import citizen_display
from jishiban.core.views import gate
from jishiban.regions.models import Region

from . import selectors

PAGE = "grid_town"


@gate(PAGE)
def inbox(request):
    user = request.user
    found = selectors.town_inbox(user)
    waiting, checking = list(found["waiting"]), list(found["checking"])
    appeals = [{"appeal": a, "citizen": citizen_display(user, a)} for a in found["appeals"]]
    return render(request, "grid/town.html", {
        "town": Region.objects.filter(pk=found["town"]).first(), "waiting": waiting, "checking": checking,
        "appeals": appeals, "counts": {"waiting": len(waiting), "checking": len(checking), "appeals": len(appeals)},
        "nav_active": PAGE})


@gate("grid_county")
def county(request):
    found = selectors.county_inbox(request.user)
    waiting, checking = list(found["waiting"]), list(found["checking"])
    return render(request, "grid/county.html", {
        "county": Region.objects.filter(pk=found["county"]).first(), "waiting": waiting, "checking": checking,
        "counts": {"waiting": len(waiting), "checking": len(checking)}, "nav_active": "grid_county"})
