"""The ``when`` and ``day`` filters, builtins of every template (``TEMPLATES`` in settings): one
way to show a time or a date on every page (``core.dates``). Empty values give "" so that
``|default:"—"`` still applies."""

from django import template

from jishiban.core import dates

register = template.Library()


@register.filter
def when(value) -> str:
    return "" if value in (None, "") else dates.when(value)


@register.filter
def day(value) -> str:
    return "" if value in (None, "") else dates.day(value)
