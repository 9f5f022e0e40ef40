"""退单审核: the centre's queue of units' return requests (approved or rejected on the appeal page)."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.shortcuts import render

from jishiban.appeals.models import Appeal, AppealEvent, Status
from jishiban.appeals.workflow import Action
from jishiban.core.views import gate

ROWS = 200


@gate("returns")
def queue(request):
    """The appeals waiting for a return review that the reviewer may see, oldest request first."""
    asked = AppealEvent.objects.filter(appeal_id=OuterRef("pk"), action=Action.REQUEST_RETURN).order_by("-at", "-id")
    rows = list(Appeal.objects.visible_to(request.user).filter(status=Status.RETURN_REQUESTED)
                .select_related("lead_unit", "county", "category")
                .annotate(asked_at=Subquery(asked.values("at")[:1]), asked_reason=Subquery(asked.values("reason")[:1]))
                .order_by("asked_at", "pk")[:ROWS])
    return render(request, "web/returns/queue.html", {"rows": rows, "nav_active": "returns"})
