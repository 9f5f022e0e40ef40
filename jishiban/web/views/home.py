"""Login landing: each role goes to its own home page."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, resolve_url
from django.urls import NoReverseMatch, reverse

from jishiban.web.navigation import home_url_name


@login_required
def home(request):
    try:
        return redirect(reverse(home_url_name(request.user)))
    except NoReverseMatch:
        return redirect("web:appeal_list")


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        # An explicit ?next= wins; otherwise the user's own home.
        return resolve_url("web:home")
