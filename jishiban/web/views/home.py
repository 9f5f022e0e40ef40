"""Login landing: each role goes to its own home page."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, resolve_url
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from jishiban.accounts.login import LoginForm
from jishiban.core.pages import safe_next
from jishiban.web.navigation import home_url_name


@login_required
def home(request):
    try:
        return redirect(reverse(home_url_name(request.user)))
    except NoReverseMatch:
        return redirect("web:appeal_list")


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        # An explicit ?next= wins; otherwise the user's own home.
        return resolve_url("web:home")

    def dispatch(self, request, *args, **kwargs):
        # The admin signs in here too (admin/login/ redirects here). A signed-in user whom the
        # admin refused is shown the form to sign in as someone else, not sent back in a loop.
        user = request.user
        if user.is_authenticated and not user.is_staff and self.get_redirect_url().startswith("/admin/"):
            self.redirect_authenticated_user = False
        return super().dispatch(request, *args, **kwargs)


@require_POST
@login_required
def dismiss_calendar_warning(request):
    """Hide the banner about a year without holiday data for this session, back where the user was."""
    from jishiban.sla.context_processors import dismiss

    dismiss(request)
    return redirect(safe_next(request, reverse("web:home")))
