"""The wall screen (``/cockpit/``), its panels for the auto-refresh (htmx, every minute), and the
list of appeals due today. Gated by the policy's ``cockpit`` page; every figure comes from
``selectors.cockpit`` in the reader's scope."""

from __future__ import annotations

from django.shortcuts import render

from jishiban.core.views import gate

from . import selectors

PAGE = "cockpit"
REFRESH_SECONDS = 60


def _context(request) -> dict:
    data = selectors.cockpit(request.user)
    return {**data, "map": selectors.map_data(data), "refresh_seconds": REFRESH_SECONDS, "nav_active": PAGE}


@gate(PAGE)
def cockpit(request):
    return render(request, "cockpit/page.html", _context(request))


@gate(PAGE)
def panels(request):
    """The panels alone, swapped in place by htmx (the map redraws from their JSON)."""
    return render(request, "cockpit/_panels.html", _context(request))


@gate(PAGE)
def due_today(request):
    rows = list(selectors.due_today(request.user)[:500])
    return render(request, "cockpit/due_today.html", {"appeals": rows, "nav_active": PAGE})
