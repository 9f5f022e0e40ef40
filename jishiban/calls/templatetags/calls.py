from django import template

from ..selectors import call_of

register = template.Library()


@register.inclusion_tag("calls/_recording.html")
def call_recording(appeal):
    """The call an appeal was taken from, with its recording, on its page."""
    return {"call": call_of(appeal)}
