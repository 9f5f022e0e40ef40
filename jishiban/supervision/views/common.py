"""Helpers of the supervision pages: gates, the service-call wrapper, error display."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect

from jishiban.appeals.errors import ActionForbidden, ActionNotAllowed, AppealValidationError, ConflictError
from jishiban.core.pages import apply_errors, safe_next
from jishiban.core.views import gate  # noqa: F401  (re-exported for the page modules)

PAGE_SIZE = 50


def labelled(errors: dict, form=None) -> str:
    """``{field: [messages]}`` as one line naming each field by its label."""
    parts = []
    for field, msgs in errors.items():
        label = ""
        if form is not None and field in getattr(form, "fields", {}):
            label = str(form.fields[field].label)
        parts.append(f"{label or field}：{' '.join(str(m) for m in msgs)}")
    return "；".join(parts)


def perform(request, func, *args, form=None, success: str = "", **kwargs):
    """Run a service; show its outcome as a message. Returns ``(ok, result)``.

    ``ActionForbidden`` becomes 403. A validation error is attached to ``form`` when given
    (so the page re-renders with the errors next to the fields) and shown as a message.
    """
    try:
        result = func(*args, **kwargs)
    except ActionForbidden:
        raise PermissionDenied
    except AppealValidationError as exc:
        if form is not None:
            apply_errors(form, exc.errors)
        messages.error(request, labelled(exc.errors, form))
        return False, None
    except (ActionNotAllowed, ConflictError) as exc:
        messages.error(request, exc.message)
        return False, None
    if success:
        messages.success(request, success)
    return True, result


def form_errors(request, form) -> None:
    messages.error(request, labelled({k: v for k, v in form.errors.items()}, form))


def back(request, default: str):
    return redirect(safe_next(request, default))


def page(request, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def origin(request) -> dict:
    return {"ip": request.META.get("REMOTE_ADDR", ""), "user_agent": request.headers.get("User-Agent", "")[:200]}
