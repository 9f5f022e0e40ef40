"""The one page gate of every app's pages."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from jishiban.accounts import policy


def gate(check: str | Callable[[object], bool]):
    """Login first, then 403 unless the role policy admits the user.

    ``check`` is the name of a workbench page (a key of ``accounts.policy.PAGES``, the same
    table the navigation is built from) or a capability ``check(user) -> bool``. The wrapped
    view keeps its check as ``view.gate_check`` so tests can compare the gate with the menu.
    """
    test = (lambda user: policy.may_open(user, check)) if isinstance(check, str) else check
    if isinstance(check, str) and check not in policy.PAGES:
        raise ValueError(f"unknown page {check!r}")

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not test(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)
        wrapper.gate_check = test
        wrapper.gate_page = check if isinstance(check, str) else None
        return wrapper
    return decorator
