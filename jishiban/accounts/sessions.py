"""Sessions end after ``SESSION_COOKIE_AGE`` seconds without a request (idle timeout).

Django moves a session's expiry only when the session is saved. Saving on every request
(``SESSION_SAVE_EVERY_REQUEST``) would write a row per request; instead a signed-in request
marks the session changed when its last mark is more than ``REFRESH_EVERY`` old, so the expiry
slides with at most one write a minute per user, and an idle session runs out on time.
"""

from __future__ import annotations

import time

REFRESH_EVERY = 60  # seconds
KEY = "_seen"


class IdleTimeout:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        # Only sessions already loaded by this request, of a signed-in user (not an API token).
        if (session is not None and getattr(session, "_session_cache", None) is not None
                and user is not None and user.is_authenticated and not hasattr(user, "api_token")):
            now = int(time.time())
            if now - int(session.get(KEY, 0)) >= REFRESH_EVERY:
                session[KEY] = now
        return response


def mark_login(sender, request, user, **kwargs):
    """``user_logged_in``: the new session starts its idle clock (no second write on the next page)."""
    if request is not None and hasattr(request, "session"):
        request.session[KEY] = int(time.time())
