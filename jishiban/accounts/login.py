"""Signing in: password, then the account's one-time code when it has two-step verification on;
repeated failures lock the username and the address out for a while (django-axes).

A wrong or missing one-time code counts as a failed login, so guessing codes is locked out like
guessing passwords; the code's own device also waits longer after each wrong code.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def confirmed_device(user):
    """The user's confirmed TOTP device, or ``None`` (two-step verification is off)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def normalise_code(raw) -> str:
    return "".join(str(raw or "").split())


class LoginForm(AuthenticationForm):
    otp_token = forms.CharField(label=_("动态验证码"), required=False, max_length=12)

    error_messages = {
        **AuthenticationForm.error_messages,
        "otp_required": _("该账户已开启两步验证，请填写验证器上的 6 位动态验证码。"),
        "otp_invalid": _("动态验证码不正确，请核对后重试。"),
        "otp_throttled": _("动态验证码错误次数过多，请稍后再试。"),
    }

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is None:
            return cleaned
        device = confirmed_device(user)
        if device is None:
            return cleaned
        code = normalise_code(cleaned.get("otp_token"))
        if not code:
            self._second_factor_failed(user, "otp_required")
        allowed, _extra = device.verify_is_allowed()
        if not allowed:
            self._second_factor_failed(user, "otp_throttled")
        if not device.verify_token(code):
            self._second_factor_failed(user, "otp_invalid")
        user.otp_device = device  # django_otp marks the session verified at login
        return cleaned

    def _second_factor_failed(self, user, code: str):
        self.user_cache = None
        user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=self.request)
        raise forms.ValidationError(self.error_messages[code], code=code)


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer while a username or address is locked out: the login page, 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = gettext("登录失败次数过多，已暂时锁定 %(m)d 分钟。请稍后再试，或联系系统管理员解锁。") % {"m": minutes}
    form = LoginForm(request)
    return render(request, "registration/login.html", {"form": form, "locked_message": message,
                                                       "next": request.POST.get("next", "")}, status=429)
