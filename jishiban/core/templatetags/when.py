"""The ``when`` filter, a builtin of every template (``TEMPLATES`` in settings): one way to show
a time or date on every page (``core.dates.when``)."""

from django import template

from jishiban.core.dates import when as _when

register = template.Library()


@register.filter
def when(value) -> str:
    return _when(value)
