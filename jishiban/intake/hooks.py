"""Hooks run after an appeal has entered the system (smart help, notifications …).

Other apps register a function taking the appeal id; ``tasks.after_intake`` calls every hook
in a background job once the appeal is committed. A hook that raises is logged and skipped:
intake never depends on it. A hook opens its own transactions, around its writes only.

    from jishiban.intake.hooks import register_after_intake

    @register_after_intake
    def classify(appeal_id: int) -> None: ...
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext

from django.db import connection, transaction

logger = logging.getLogger("jishiban.intake")

_hooks: list[Callable[[int], object]] = []


def register_after_intake(func: Callable[[int], object]) -> Callable[[int], object]:
    """Register ``func(appeal_id)``; usable as a decorator; registering twice is a no-op."""
    if func not in _hooks:
        _hooks.append(func)
    return func


def unregister_after_intake(func: Callable[[int], object]) -> None:
    if func in _hooks:
        _hooks.remove(func)


def registered() -> list[Callable[[int], object]]:
    return list(_hooks)


def run_after_intake(appeal_id: int) -> dict[str, int]:
    """Call every hook for ``appeal_id``; returns ``{"ok": n, "failed": m}``."""
    ok = failed = 0
    for hook in registered():
        try:
            # A hook manages its own transactions: one around it would hold SQLite's write lock
            # (taken at BEGIN) for the whole hook, models included, and live intake would wait.
            # Inside a caller's transaction, a savepoint keeps a failing hook's writes out.
            with transaction.atomic() if connection.in_atomic_block else nullcontext():
                hook(appeal_id)
        except Exception:
            failed += 1
            logger.exception("after-intake hook %s failed for appeal %s",
                             getattr(hook, "__qualname__", hook), appeal_id)
        else:
            ok += 1
    return {"ok": ok, "failed": failed}
