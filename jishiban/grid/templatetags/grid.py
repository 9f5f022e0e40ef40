"""``{% grid_card appeal %}``: the grid an appeal is in, its worker and the hand-over form, on the
workbench's appeal page."""

from django import template

from jishiban.accounts import policy

from .. import forms, selectors
from ..models import Grid, Task

register = template.Library()


@register.inclusion_tag("grid/_appeal_card.html", takes_context=True)
def grid_card(context, appeal):
    user = context["request"].user
    grid = Grid.objects.filter(region_id=appeal.grid_id).select_related("region", "community").first() \
        if appeal.grid_id else None
    event = getattr(appeal, "grid_event", None)
    duty = selectors.on_duty(grid)
    return {
        "appeal": appeal, "grid": grid, "worker": duty.worker if duty else None, "duty": duty,
        "tasks": Task.objects.filter(appeal=appeal).select_related("worker") if grid else [],
        "may_assign": grid is not None and not appeal.confidential and policy.may_assign_to_grid(user),
        "form": forms.AssignForm(), "event": event, "csrf_token": context.get("csrf_token"),
        "request": context["request"],
    }
