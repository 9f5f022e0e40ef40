"""Merged appeals (并单) follow their parent: when the parent is answered, replied or closed,
every merged child records the parent's answer (``appeals.services.record_parent_result``: the
result copied onto the child with a ``parent-result`` event of its own, which the result push to
the child's channel hangs on), so each citizen gets it.

The receiver runs inside the parent's transaction (``transition_recorded``). A failure on one
child is logged and never fails the parent's action.
"""

from __future__ import annotations

import logging

from django.db import transaction

log = logging.getLogger("jishiban.smart")

FOLLOW_ACTIONS = ("reply", "answer", "close")


def on_transition_recorded(sender, *, appeal, event, **kwargs) -> None:
    if event.action not in FOLLOW_ACTIONS:
        return
    from jishiban.appeals.models import Status

    children = list(appeal.merged_children.filter(status=Status.MERGED))
    for child in children:
        try:
            with transaction.atomic():
                follow_parent(child, parent=appeal, event=event)
        except Exception:
            log.exception("merged appeal %s could not record the %s of %s", child.number, event.action, appeal.number)


def follow_parent(child, *, parent, event):
    """Record ``parent``'s answer on the merged ``child`` through the service layer."""
    from jishiban.appeals import services

    return services.record_parent_result(child, parent=parent, event=event)
