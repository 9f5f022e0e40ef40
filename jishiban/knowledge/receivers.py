"""The knowledge base's reaction to a 直接办结 that quoted an entry (inside its transaction)."""

from __future__ import annotations

from jishiban.appeals.workflow import Action


def on_transition_recorded(sender, appeal, event, **kwargs) -> None:
    ref = (event.payload or {}).get("knowledge") if event.action == Action.ANSWER else None
    if not isinstance(ref, dict) or not ref.get("entry"):
        return
    from .services import record_use

    record_use(entry_id=int(ref["entry"]), version=int(ref.get("version") or 1), appeal=appeal,
               by=event.actor, at=event.at)
