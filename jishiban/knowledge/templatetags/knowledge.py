from django import template

from ..selectors import use_on

register = template.Library()


@register.inclusion_tag("knowledge/_quote.html")
def knowledge_quote(appeal):
    """The knowledge entry an appeal was answered with, on its page."""
    return {"knowledge_use": use_on(appeal)}
