"""The appeal page's panel of 催办, 督办 and 领导批示 (``{% appeal_urging appeal %}``)."""

from django import template

from jishiban.accounts.policy import instructs_in_own_name, may_instruct, may_urge
from jishiban.appeals.figures import HANDLING

from .. import access
from ..models import OrderStatus, Urging

register = template.Library()


@register.inclusion_tag("supervision/_appeal_urging.html", takes_context=True)
def appeal_urging(context, appeal):
    user = context["request"].user
    orders, urgings = [], []
    if appeal.lead_unit_id is not None:  # neither an order nor an urging before a unit holds it
        orders = list(access.orders_for(user).filter(appeal=appeal).select_related("target_unit")
                      .order_by("-created_at", "-id")[:10])
        urgings = list(Urging.objects.filter(appeal=appeal).select_related("unit", "by")[:10])
    handling = appeal.status in HANDLING and appeal.lead_unit_id is not None
    return {
        "appeal": appeal, "orders": orders, "urgings": urgings, "csrf_token": context.get("csrf_token"),
        "may_urge": may_urge(user) and handling, "may_supervise": may_urge(user) and appeal.lead_unit_id is not None,
        "may_instruct": may_instruct(user) and appeal.lead_unit_id is not None,
        "names_leader": not instructs_in_own_name(user), "closed": OrderStatus.CLOSED,
    }
