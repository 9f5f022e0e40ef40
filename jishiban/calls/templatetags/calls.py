from django import template

from ..selectors import call_of
from ..views import SESSION_SEAT

register = template.Library()


@register.inclusion_tag("calls/_recording.html")
def call_recording(appeal):
    """The call an appeal was taken from, with its recording, on its page (only an appeal
    someone took at the desk can have one)."""
    return {"call": call_of(appeal) if appeal.created_by_id else None}


@register.inclusion_tag("calls/_elsewhere.html", takes_context=True)
def call_watch(context):
    """On every page but the call desk: a user signed in on a seat is taken to the desk when a
    call rings there (nothing is rendered, and nothing polls, for anyone else)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    session = getattr(request, "session", None) or {}
    watching = bool(user and user.is_authenticated and context.get("nav_active") != "intake"
                    and session.get(SESSION_SEAT))
    return {"watching": watching}
