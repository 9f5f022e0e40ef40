"""Merged appeals (并单) follow their parent: when the parent is answered, replied or closed,
every merged child records the parent's answer, so each citizen gets it.

The receiver runs inside the parent's transaction (``transition_recorded``). The write on the
child goes through the appeals service layer: ``appeals.services.record_parent_result(child,
parent=, event=)`` when that service exists (it copies the result onto the child and appends the
child's own event, which the result push and callbacks hang on); until then an ``annotate``
event on the child (tag ``parent-<action>``, the answer as its reason). A failure on one child
is logged and never fails the parent's action.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.translation import gettext as _

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


def answer_text(parent, event) -> str:
    payload = event.payload or {}
    text = payload.get("text") or parent.result_text or ""
    result = parent.get_result_type_display() if parent.result_type else ""
    words = {"reply": _("已答复"), "answer": _("已直接办结"), "close": _("已办结")}
    head = _("所并入的诉求件 %(n)s %(what)s") % {"n": parent.number, "what": words.get(event.action, event.action)}
    if result:
        head += f"（{result}）"
    return f"{head}：{text}" if text else head


def follow_parent(child, *, parent, event):
    """Record ``parent``'s answer on the merged ``child`` through the service layer."""
    from jishiban.appeals import services

    record = getattr(services, "record_parent_result", None)
    if record is not None:
        return record(child, parent=parent, event=event)
    return services.annotate(child, by=None, reason=answer_text(parent, event), tags=[f"parent-{event.action}"])
