"""Errors raised by appeal services; interfaces map them to 403/404/409/422."""

from __future__ import annotations


class AppealError(Exception):
    """Base class; ``message`` is user-facing (Chinese)."""

    def __init__(self, message: str):
        self.message = str(message)
        super().__init__(self.message)


class AppealValidationError(AppealError):
    """Bad input; ``errors`` maps a field name to its messages. Nothing was written."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = {field: [str(m) for m in msgs] for field, msgs in errors.items()}
        summary = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in self.errors.items())
        super().__init__(summary)


class ActionForbidden(AppealError):
    """The user may not take this action on this appeal."""


class ActionNotAllowed(AppealError):
    """The action does not apply to the appeal's current state."""


class ConflictError(AppealError):
    """Someone else changed the appeal first (optimistic lock); reload and retry."""

    def __init__(self, message: str, *, current_version: int, last_action: str = "", last_actor: str = ""):
        self.current_version = current_version
        self.last_action = last_action
        self.last_actor = last_actor
        super().__init__(message)
