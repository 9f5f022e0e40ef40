"""The report page's 领导批示 (``{% report_instruction report %}``): the orders given on this
report, and for those who may instruct, the form that turns the leader's words into an order
for each unit named (``services.report_instructions``)."""

from urllib.parse import urlencode

from django import template

from jishiban.accounts.policy import instructs_in_own_name, may_instruct
from jishiban.organisations.models import Organisation

from ..services.report_instructions import report_orders

register = template.Library()


def report_url(request) -> str:
    """The report's page as one address whatever the order of its parameters (no format: the page)."""
    query = sorted((k, v) for k, v in request.GET.items() if v and k != "format")
    return request.path + ("?" + urlencode(query) if query else "")


@register.inclusion_tag("supervision/_report_instruction.html", takes_context=True)
def report_instruction(context, report):
    request = context["request"]
    user = request.user
    url = report_url(request)
    instructs = may_instruct(user)
    title = f"{report.title}（{report.subtitle}）" if report.subtitle else report.title
    return {
        "orders": list(report_orders(user, url)), "report_url": url, "report_title": title,
        "may_instruct": instructs, "names_leader": not instructs_in_own_name(user),
        "units": list(Organisation.objects.filter(is_active=True).exclude(kind="centre")
                      .order_by("level", "code").only("pk", "name")) if instructs else [],
        "csrf_token": context.get("csrf_token"),
    }
