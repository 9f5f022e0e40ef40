"""Template context: a banner when deadlines of this or next year count weekends only."""

from __future__ import annotations

from django.http import HttpRequest

from .services import calendar_warning_text


def calendar_warning(request: HttpRequest) -> dict[str, str]:
    """``{"calendar_warning": "…"}`` for signed-in users while this or next year lacks holiday data."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    text = calendar_warning_text()
    return {"calendar_warning": text} if text else {}
