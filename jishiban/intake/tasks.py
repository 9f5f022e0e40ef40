"""Background jobs of intake (django-q2): after-intake hooks and result delivery.

Functions here are referenced by dotted path from ``async_task`` and ``Schedule`` rows;
keep the names stable.
"""

from __future__ import annotations

import logging

from .hooks import run_after_intake

logger = logging.getLogger("jishiban.intake")


def after_intake(appeal_id: int) -> dict[str, int]:
    """Run the registered after-intake hooks for one appeal."""
    return run_after_intake(appeal_id)


def after_intake_many(appeal_ids: list[int]) -> dict[str, int]:
    """The same for a batch of imported appeals (one job per import batch)."""
    total = {"ok": 0, "failed": 0}
    for appeal_id in appeal_ids:
        result = run_after_intake(appeal_id)
        total["ok"] += result["ok"]
        total["failed"] += result["failed"]
    return total


def deliver_result(delivery_id: int) -> str:
    """Try to deliver one outbox row now (queued right after the transition commits)."""
    from .outbox import deliver

    return deliver(delivery_id)


def deliver_pending() -> dict[str, int]:
    """Deliver every due outbox row (the periodic schedule)."""
    from .outbox import deliver_due

    return deliver_due()
