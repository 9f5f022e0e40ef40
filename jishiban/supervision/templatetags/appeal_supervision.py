"""The appeal page's one section of supervision (``{% appeal_supervision appeal %}``): the
appeal's orders (open ones first), its callback tasks and its urgings, with the actions the
reader may take on it — 催办, 督办, 领导批示. The orders and callback tasks are the appeal's
supervision record (``selectors.appeal_record``), the same as ``/api/v1/supervision/appeals/{n}``."""

from django import template

from jishiban.accounts.policy import instructs_in_own_name, may_instruct, may_urge
from jishiban.appeals.figures import HANDLING

from .. import selectors
from ..models import OrderStatus, Urging

register = template.Library()


@register.inclusion_tag("supervision/_appeal_supervision.html", takes_context=True)
def appeal_supervision(context, appeal):
    user = context["request"].user
    record = selectors.appeal_record(user, appeal)
    urgings = []
    if appeal.lead_unit_id is not None:  # no urging before a unit holds it
        urgings = list(Urging.objects.filter(appeal=appeal).select_related("unit", "by")[:20])
    held = appeal.lead_unit_id is not None
    return {
        "appeal": appeal, "orders": record["orders"], "callback_tasks": record["callback_tasks"],
        "urgings": urgings, "csrf_token": context.get("csrf_token"),
        "may_urge": may_urge(user) and held and appeal.status in HANDLING,
        "may_supervise": may_urge(user) and held, "may_instruct": may_instruct(user) and held,
        "names_leader": not instructs_in_own_name(user), "closed": OrderStatus.CLOSED,
    }
