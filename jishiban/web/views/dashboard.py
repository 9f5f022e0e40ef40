"""The first dashboard: today's intake, open work, overdue by unit, 7-day trend (ECharts)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from jishiban.accounts.policy import is_county_staff
from jishiban.core.views import gate

from ..selectors.dashboard import dashboard_figures


@gate("dashboard")
def dashboard(request):
    now = timezone.now()
    figures = dashboard_figures(request.user, now=now)
    scope = request.user.region if is_county_staff(request.user) else None
    return render(request, "web/dashboard/page.html", {**figures, "scope": scope, "now": now,
                                                       "nav_active": "dashboard"})
