"""The wall screen (``/cockpit/``), its panels for the auto-refresh (htmx, every minute), and the
list of appeals due today. Gated by the policy's ``cockpit`` page; every figure comes from
``selectors.cockpit`` in the reader's scope."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

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
def live(request, what: str):
    """The appeals behind 在办 or 今日到期 (at most 500, nearest deadline first)."""
    if what not in selectors.LIVE_LISTS:
        raise Http404
    rows = list(selectors.live_list(request.user, what)[:500])
    titles = {"due-today": _("今日到期"), "in-hand": _("在办（承办单位办理中）")}
    return render(request, "cockpit/live.html", {"appeals": rows, "title": titles[what], "nav_active": PAGE})
