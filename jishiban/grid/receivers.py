"""Grid work reacting to appeals: the grid of a newly received appeal (an after-intake hook),
a 12345 handler's progress flowing back to the grid event it came from, and 未诉先办 patterns."""

from __future__ import annotations

import logging

log = logging.getLogger("jishiban.grid")


def after_intake(appeal_id: int) -> None:
    """Locate the appeal in its grid — by coordinates (the STRtree index of smart help), else by
    the community smart help read from the address — then look for 未诉先办 patterns there.
    Runs after smart help's hook, whose region suggestion it reads; the first grid found is kept."""
    from jishiban.appeals.models import Appeal
    from jishiban.smart.geocode_db import locate_grid

    from . import patterns, services
    from .models import AppealLocation, Grid

    appeal = Appeal.objects.filter(pk=appeal_id).first()
    if appeal is None or AppealLocation.objects.filter(appeal=appeal).exists():
        return
    grid, method = None, ""
    if appeal.grid_id:
        grid, method = Grid.objects.filter(region_id=appeal.grid_id).select_related("region").first(), "given"
    if grid is None and appeal.lat is not None and appeal.lon is not None:
        region = locate_grid(appeal.lat, appeal.lon)
        if region is not None:
            grid, method = Grid.objects.filter(region=region).select_related("region").first(), "coordinates"
        if grid is not None and appeal.county_id and grid.county_id != appeal.county_id:
            grid = None  # as smart help: coordinates in another county than the appeal's are not its grid
    if grid is None:
        grid, method = _by_community(appeal), "community"
    if grid is None:
        return
    services.record_location(appeal, grid, method=method)
    appeal.refresh_from_db()
    patterns.look_at(appeal, grid)


def _by_community(appeal):
    """The first grid (by code) of the community smart help found in the address."""
    from jishiban.smart.models import Suggestion

    from .models import Grid

    row = Suggestion.objects.filter(appeal=appeal).order_by("-pk").first()
    community = (((getattr(row, "region", None) or {}) if row else {}).get("community") or {}).get("code")
    if not community:
        return None
    return Grid.objects.filter(community__code=community).select_related("region").order_by("region__code").first()


def appeal_progress(sender, *, appeal, event, **kwargs) -> None:
    """``transition_recorded``: an appeal that came from a grid event moves that event on — the
    unit signs (任务处理), the unit replies (处理反馈, the worker verifies next)."""
    from django.db import transaction

    from . import services
    from .models import GridEvent
    from .workflow import State

    if event.action not in ("accept", "reply", "answer"):
        return
    grid_event = GridEvent.objects.filter(appeal_id=appeal.pk).select_related("grid__town", "reporter").first()
    if grid_event is None:
        return
    try:
        with transaction.atomic():  # a savepoint: a refusal here never undoes the unit's action
            if event.action == "accept" and grid_event.state == State.DISPATCHED:
                services.start_handling(grid_event, by=event.actor, now=event.at)
            elif event.action in ("reply", "answer") and grid_event.state in (State.DISPATCHED, State.HANDLING):
                services.feed_back(grid_event, by=event.actor, result=appeal.result_text or event.reason or "",
                                   now=event.at, from_appeal=True)
    except services.GridError:
        log.exception("grid event %s did not follow appeal %s", grid_event.pk, appeal.number)
