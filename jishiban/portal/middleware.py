"""A signed-in citizen only ever sees the portal's pages.

The workbench (search, appeal detail with handler names and routing reasons, the staff
callback form) is for staff; a citizen's session asking for any page outside the portal is sent
to the portal — the REST API too, which accepts the workbench's session and shows what staff see
(a system calling it with a token has no session and is not affected). What stays reachable:
the portal, signing out, the language switch, static files, the signed callback link a citizen
receives by SMS, and Open311 (public data only).
"""

from __future__ import annotations

from django.shortcuts import redirect

from .access import is_citizen

ALLOWED = ("/portal/", "/accounts/logout/", "/i18n/", "/static/", "/supervision/callback/", "/open311/")


class CitizensStayInPortal:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and is_citizen(user) and request.path != "/"
                and not request.path.startswith(ALLOWED)):
            return redirect("portal:home")
        return self.get_response(request)
