"""Who is a citizen, for the portal's pages and the rule that keeps citizens on them.

One adapter over the role helpers that exist today (``web.navigation.role_of``), so the
portal follows the accounts policy when it is in one place.
"""

from __future__ import annotations

from jishiban.accounts.models import Role
from jishiban.web.navigation import role_of


def is_citizen(user) -> bool:
    return role_of(user) == Role.CITIZEN


def citizen_user(request):
    """The signed-in citizen, or ``None`` (visitors, and staff, who use the portal as anyone)."""
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated and is_citizen(user) else None
