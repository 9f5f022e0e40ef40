"""The first dashboard: today's intake, open work, overdue by unit, 7-day trend (ECharts)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from ..selectors.dashboard import dashboard_figures
from .common import page_required


@page_required("dashboard")
def dashboard(request):
    now = timezone.now()
    figures = dashboard_figures(request.user, now=now)
    scope = request.user.region if request.user.role == "county_staff" else None
    return render(request, "web/dashboard/page.html", {**figures, "scope": scope, "now": now,
                                                       "nav_active": "dashboard"})
