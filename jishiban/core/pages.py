"""What every app's pages share besides their gates: the safe ``next`` redirect and a service's
field errors shown on a form."""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, default: str) -> str:
    """The posted (or queried) ``next`` address when it stays on this site, else ``default``."""
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
