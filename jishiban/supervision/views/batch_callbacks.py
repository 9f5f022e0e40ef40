"""逐件回访: the pending callbacks one after another, one result form at a time.

Each result goes through the callback desk's own action (``callback_action`` → the callback
service) and comes back here, where the next pending task is shown; "skip" moves on without
writing anything. The pending tasks are the callback list's (``selectors.callback_tasks``), with
the list's filter carried along.
"""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse

from jishiban.appeals.models import Satisfaction
from jishiban.appeals.privacy import citizen_display
from jishiban.core.params import MAX_SMALL, ParameterError, integer

from .. import access, selectors
from .callbacks import callback_filter
from .common import gate


@gate(access.may_call_back)
def callback_batch(request):
    try:
        at = integer(request.GET.get("at", "0") or "0", "at", minimum=0, maximum=MAX_SMALL)
    except ParameterError:
        at = 0
    _form, filters, query = callback_filter(request)
    pending = selectors.callback_tasks(request.user, state="pending", filters=filters)
    total = pending.count()
    at = min(at, max(total - 1, 0))
    task = pending.select_related("appeal__category").all()[at:at + 1].first() if total else None
    here = reverse("supervision:callback_batch") + (f"?{query}&" if query else "?")
    return render(request, "supervision/callbacks/batch.html", {
        "task": task, "appeal": task.appeal if task else None, "position": at + 1, "total": total,
        "citizen": citizen_display(request.user, task.appeal) if task else None,
        "next_url": f"{here}at={at}", "skip_url": f"{here}at={at + 1}" if at + 1 < total else "",
        "query": query,
        "satisfaction_choices": Satisfaction.choices, "nav_active": "callbacks", "area": "callbacks",
    })
