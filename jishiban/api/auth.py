"""Authentication of the REST API, shared by every router mounted under ``/api/v1/``.

``Authorization: Bearer <token>`` for systems; the workbench's session cookie is accepted too,
with Django's CSRF check on unsafe methods (POST …). Use ``API_AUTH`` on other routers:

    from jishiban.api.auth import API_AUTH
    router = Router(auth=API_AUTH)
"""

from __future__ import annotations

from ninja.security import HttpBearer, SessionAuth

from .tokens import user_for_token


class TokenAuth(HttpBearer):
    """``Authorization: Bearer jsb_…`` → the token's user (``request.auth``)."""

    def authenticate(self, request, token: str):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class WorkbenchSession(SessionAuth):
    """The logged-in workbench user; CSRF token required for unsafe methods."""

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


token_auth = TokenAuth()
session_auth = WorkbenchSession()
API_AUTH = [token_auth, session_auth]
