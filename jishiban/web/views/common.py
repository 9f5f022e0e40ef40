"""Helpers shared by the page modules: page gates, safe redirects, error mapping."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.http import url_has_allowed_host_and_scheme

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


def safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def apply_errors(form, errors: dict) -> None:
    """Put a service's ``{field: [messages]}`` next to the form's fields (unknown → form-wide)."""
    for field, messages in errors.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"
