"""Who is a citizen, for the portal's pages and the rule that keeps citizens on them.

Both come from the role policy (``accounts.policy.is_citizen``).
"""

from __future__ import annotations

from jishiban.accounts.policy import is_citizen

__all__ = ["citizen_user", "is_citizen"]


def citizen_user(request):
    """The signed-in citizen, or ``None`` (visitors, and staff, who use the portal as anyone)."""
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated and is_citizen(user) else None
