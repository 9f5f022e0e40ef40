"""Template context: a banner for the calendar's keepers while this or next year counts weekends only."""

from __future__ import annotations

from django.http import HttpRequest

from jishiban.accounts.policy import keeps_calendar

from .services import calendar_warning_text

# The session remembers which warning a user dismissed; a new warning (another year) shows again.
DISMISSED_KEY = "calendar_warning_dismissed"


def calendar_warning(request: HttpRequest) -> dict[str, str]:
    """``{"calendar_warning": "…"}`` for those who keep the calendar (``policy.keeps_calendar``),
    until they dismiss this warning."""
    user = getattr(request, "user", None)
    if user is None or not keeps_calendar(user):
        return {}
    text = calendar_warning_text()
    if not text or request.session.get(DISMISSED_KEY) == text:
        return {}
    return {"calendar_warning": text}


def dismiss(request: HttpRequest) -> None:
    """Hide the current warning for the rest of ``request``'s session."""
    text = calendar_warning_text()
    if text:
        request.session[DISMISSED_KEY] = text
