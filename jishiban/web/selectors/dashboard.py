"""Figures of the first dashboard, for the user's visible scope (a county's staff: their county)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.appeals.models import Appeal, AppealEvent, Status
from jishiban.appeals.workflow import Action

from .desk import day_bounds, visible

TREND_DAYS = 7
TOP_UNITS = 15


def dashboard_figures(user, *, now: datetime) -> dict:
    """Today's intake by channel, open by status, overdue by unit and a 7-day trend."""
    scope = visible(user)
    tz = timezone.get_current_timezone()
    today = timezone.localdate(now)
    start_today, _end = day_bounds(today, tz)
    start_trend = start_today - timedelta(days=TREND_DAYS - 1)

    # Recent rows are reached through the time index first and the scope filters them; left to
    # itself, SQLite prefers the (county, status) index and reads a whole county.
    def received_since(start):
        return scope.filter(pk__in=Appeal.objects.filter(received_at__gte=start).values("pk"))

    by_channel = list(received_since(start_today).order_by()
                      .values("channel__name").annotate(n=Count("pk")).order_by("-n"))
    status_labels = dict(Status.choices)
    by_status = [{"status": r["status"], "label": str(status_labels.get(r["status"], r["status"])), "n": r["n"]}
                 for r in scope.open().order_by().values("status").annotate(n=Count("pk"))
                 .order_by("status")]
    overdue = scope.overdue(now)
    overdue_units = list(overdue.order_by().values("lead_unit__name").annotate(n=Count("pk")).order_by("-n")[:TOP_UNITS])
    received = {r["day"]: r["n"] for r in received_since(start_trend).order_by()
                .annotate(day=TruncDate("received_at", tzinfo=tz)).values("day").annotate(n=Count("pk"))}
    # Finished per day from the event log (办结 and 直接办结), which is the record and is
    # indexed by time; the appeal's closed_at column is not.
    finishing = AppealEvent.objects.filter(action__in=[Action.CLOSE, Action.ANSWER], at__gte=start_trend)
    if scope.query.has_filters():
        finishing = finishing.filter(appeal__in=scope)
    closed = {r["day"]: r["n"] for r in finishing.order_by()
              .annotate(day=TruncDate("at", tzinfo=tz)).values("day").annotate(n=Count("pk"))}
    days = [today - timedelta(days=i) for i in range(TREND_DAYS - 1, -1, -1)]
    due_today = scope.due_between(now, day_bounds(today, tz)[1]).count()
    return {
        "today_total": sum(r["n"] for r in by_channel),
        "open_total": sum(r["n"] for r in by_status),
        "overdue_total": overdue.count(),
        "due_today": due_today,
        "charts": {
            "channel": {"labels": [r["channel__name"] for r in by_channel], "values": [r["n"] for r in by_channel]},
            "status": {"labels": [r["label"] for r in by_status], "values": [r["n"] for r in by_status]},
            "overdue": {"labels": [r["lead_unit__name"] or "—" for r in overdue_units],
                        "values": [r["n"] for r in overdue_units]},
            "empty": _("暂无数据"),
            "trend": {"labels": [d.strftime("%m-%d") for d in days], "names": [_("受理"), _("办结")],
                      "received": [received.get(d, 0) for d in days],
                      "closed": [closed.get(d, 0) for d in days]},
        },
    }
