"""The handling unit's inbox (承办单位待办): by deadline, with yellow/red cards."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from jishiban.appeals.figures import card_of
from jishiban.appeals.permissions import available_actions
from jishiban.core.views import gate
from jishiban.supervision.selectors import orders_for_unit

from ..action_table import offered
from ..selectors.desk import unit_inbox


@gate("inbox")
def inbox(request):
    now = timezone.now()
    data = unit_inbox(request.user, now=now)
    orders = list(orders_for_unit(request.user).order_by("deadline", "id"))
    by_appeal: dict[int, list] = {}
    for order in orders:
        by_appeal.setdefault(order.appeal_id, []).append(order)
    items = [{"appeal": a, "state": card_of(a, now), "actions": offered(available_actions(request.user, a, now=now)),
              "orders": by_appeal.get(a.pk, [])} for a in data["rows"]]
    return render(request, "web/inbox/page.html", {**data, "items": items, "now": now, "nav_active": "inbox",
                                                   "orders": orders})
