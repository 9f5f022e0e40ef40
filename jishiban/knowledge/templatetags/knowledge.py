from django import template

from ..models import PhrasePurpose
from ..selectors import active_phrases, phrases_for, use_on

register = template.Library()

# Which field a workbench action's stock phrases go into.
ACTION_FIELDS = {"reply": (PhrasePurpose.REPLY, "#act-reply-form textarea[name=text]"),
                 "callback": (PhrasePurpose.CALLBACK, "#act-callback-form textarea[name=comment]")}


@register.inclusion_tag("knowledge/_quote.html")
def knowledge_quote(appeal):
    """The knowledge entry an appeal was answered with, on its page."""
    return {"knowledge_use": use_on(appeal)}


@register.inclusion_tag("knowledge/_phrases.html", takes_context=True)
def stock_phrases(context, appeal, action: str, field_prefix: str = ""):
    """Stock phrases (常用语) for ``action`` (reply, callback) on ``appeal``, inserted by
    ``knowledge/phrases.js`` into the field ``#<field_prefix><appeal id>`` (a list with one
    form per appeal) or, without a prefix, the workbench action form's field."""
    purpose, default = ACTION_FIELDS.get(action, (None, ""))
    if purpose is None:
        return {"phrases": []}
    target = f"#{field_prefix}{appeal.pk}" if field_prefix else default
    holder = context.get("request") or context
    rows = getattr(holder, "_stock_phrases", None)
    if rows is None:  # read once per request, however many forms the page has
        rows = active_phrases()
        try:
            holder._stock_phrases = rows
        except AttributeError:
            pass
    return {"phrases": phrases_for(purpose, getattr(appeal, "category", None), rows=rows), "target": target}
