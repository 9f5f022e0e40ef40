"""Authentication of the REST API, shared by every router mounted under ``/api/v1/``.

``Authorization: Bearer <token>`` for systems; the workbench's session cookie is accepted too,
with Django's CSRF check on unsafe methods (POST …). Use ``API_AUTH`` on other routers:

    from jishiban.api.auth import API_AUTH
    router = Router(auth=API_AUTH)

A request with neither a valid token nor a session is 401 with ``WWW-Authenticate: Bearer``,
whatever its method: the CSRF check only guards a session (a write without one cannot ride on a
browser's cookie), so it runs only when there is a signed-in user. A token used beyond its
scope is 403.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth

from jishiban.appeals.errors import ActionForbidden

from .models import TokenScope
from .tokens import permits, user_for_token


class TokenAuth(HttpBearer):
    """``Authorization: Bearer jsb_…`` → the token's user (``request.auth``)."""

    def authenticate(self, request, token: str):
        user = user_for_token(token)
        if user is None:
            return None
        scope = user.api_token.scope
        if not permits(scope, request.method, request.path_info):
            raise ActionForbidden(_("该令牌的权限范围（%(scope)s）不允许此操作") % {"scope": TokenScope(scope).label})
        request.user = user
        return user


class WorkbenchSession(SessionAuth):
    """The logged-in workbench user; CSRF token required for unsafe methods."""

    def __call__(self, request):
        if not self._signed_in(request):
            return None  # nothing to protect: the answer is 401, not a CSRF failure
        return super().__call__(request)

    @staticmethod
    def _signed_in(request):
        user = getattr(request, "user", None)
        return user is not None and user.is_authenticated and user.is_active

    def authenticate(self, request, key):
        return request.user if self._signed_in(request) else None


token_auth = TokenAuth()
session_auth = WorkbenchSession()
API_AUTH = [token_auth, session_auth]
