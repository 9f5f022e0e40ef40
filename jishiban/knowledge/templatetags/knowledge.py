from django import template

from jishiban.appeals.models import Status

from ..models import PhrasePurpose
from ..selectors import phrases_for, use_on

register = template.Library()

# Which field a workbench action's stock phrases go into.
ACTION_FIELDS = {"reply": (PhrasePurpose.REPLY, "#act-reply-form textarea[name=text]"),
                 "callback": (PhrasePurpose.CALLBACK, "#act-callback-form textarea[name=comment]")}


@register.inclusion_tag("knowledge/_quote.html")
def knowledge_quote(appeal):
    """The knowledge entry an appeal was answered with (only 直接办结 quotes one), on its page."""
    return {"knowledge_use": use_on(appeal) if appeal.status == Status.ANSWERED else None}


@register.inclusion_tag("knowledge/_phrases.html")
def stock_phrases(appeal, action: str, field_prefix: str = ""):
    """Stock phrases (常用语) for ``action`` (reply, callback) on ``appeal``, inserted by
    ``knowledge/phrases.js`` into the field ``#<field_prefix><appeal id>`` (a list with one
    form per appeal) or, without a prefix, the workbench action form's field."""
    purpose, default = ACTION_FIELDS.get(action, (None, ""))
    if purpose is None:
        return {"phrases": []}
    target = f"#{field_prefix}{appeal.pk}" if field_prefix else default
    return {"phrases": phrases_for(purpose, appeal.category_id), "target": target}
