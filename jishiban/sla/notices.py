"""The calendar notice for whoever sets or gets a deadline on a page: when the deadline reaches
into a year without holiday data (``services.deadline_notice``), the page says so as a warning
message; the deadline stands as computed, on weekends only, and is marked where it is shown."""

from __future__ import annotations

from django.contrib import messages

from .services import deadline_notice


def warn(request, start, *deadlines) -> str | None:
    """Add the notice to ``request``'s messages when ``deadlines`` (from ``start``) need it."""
    text = deadline_notice(start, *deadlines)
    if text:
        messages.warning(request, text)
    return text
