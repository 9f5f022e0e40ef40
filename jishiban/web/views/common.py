"""Helpers shared by the page modules: the page gate and htmx detection (safe redirects and
errors on forms: ``jishiban.core.pages``)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from jishiban.web.navigation import may_use


def page_required(page: str):
    """Login first; then 403 unless the user's role uses ``page`` (``navigation.PAGE_ROLES``)."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not may_use(request.user, page):
                raise PermissionDenied
            return view(request, *args, **kwargs)
        return wrapper
    return decorator


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"
