"""Reads of the event log that more than one app needs, each defined once.

The unit that returned an appeal (退单单位) is ``workflow.returning_unit``: the code in the return
event's ``payload["unit"]``. These are its forms for querysets and for rows already read.
"""

from __future__ import annotations

from django.db.models import Q
from django.db.models.fields.json import KeyTextTransform

from jishiban.organisations.models import Organisation

from .workflow import RETURNING_UNIT_KEY, Action, returning_unit


def returning_unit_code():
    """The returning unit's code as an expression over ``AppealEvent`` (to annotate or compare)."""
    return KeyTextTransform(RETURNING_UNIT_KEY, "payload")


def returns_by(unit_code: str, action: str = Action.RETURN) -> Q:
    """The ``action`` events (a return by default) about the unit ``unit_code``."""
    return Q(action=action, **{f"payload__{RETURNING_UNIT_KEY}": unit_code})


def returning_unit_codes(events) -> set[str]:
    """The returning units' codes of a queryset of events (the empty ones left out)."""
    return {code for code in events.annotate(_returning=returning_unit_code())
            .order_by().values_list("_returning", flat=True).distinct() if code}


def with_returning_unit(events: list) -> list:
    """Sets ``returning_unit`` (an ``Organisation`` or None) on each event of ``events`` (None
    entries allowed): the unit that asked to return the appeal. One query for the list."""
    codes = {returning_unit(e.payload) for e in events if e is not None} - {None}
    units = {u.code: u for u in Organisation.objects.filter(code__in=codes)} if codes else {}
    for e in events:
        if e is not None:
            e.returning_unit = units.get(returning_unit(e.payload))
    return events
