"""Two-step verification (TOTP, django-otp) that a staff member turns on or off for their own
account: a new secret is shown once as a QR code for an authenticator app (or typed in), and
takes effect when the first code from the app is confirmed. Turning it off needs a current code;
an administrator removes the device in the admin when a phone is lost."""

from __future__ import annotations

import base64
from io import BytesIO

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jishiban.core.views import gate

from . import services
from .login import confirmed_device, normalise_code
from .passwords import is_staff_account


def _qr_data_uri(text: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _pending(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def _verified(device, raw) -> bool:
    code = normalise_code(raw)
    allowed, _extra = device.verify_is_allowed()
    return bool(code) and allowed and device.verify_token(code)


@gate(is_staff_account)
@require_http_methods(["GET", "POST"])
def two_factor(request):
    user = request.user
    active = confirmed_device(user)
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "start" and active is None:
        services.start_two_factor(user)
        return redirect("web:two_factor")
    if action == "confirm" and active is None:
        pending = _pending(user)
        if pending is not None and _verified(pending, request.POST.get("otp_token")):
            services.confirm_two_factor(user, pending)
            messages.success(request, _("两步验证已开启。以后登录时须同时填写动态验证码。"))
            return redirect("web:two_factor")
        messages.error(request, _("动态验证码不正确，请核对手机时间后重试。"))
    if action == "disable" and active is not None:
        if _verified(active, request.POST.get("otp_token")):
            services.remove_two_factor(user, active)
            messages.success(request, _("两步验证已关闭。"))
            return redirect("web:two_factor")
        messages.error(request, _("动态验证码不正确，未关闭两步验证。"))
    pending = _pending(user) if active is None else None
    context = {"active": active, "pending": pending}
    if pending is not None:
        context["qr"] = _qr_data_uri(pending.config_url)
        context["secret"] = base64.b32encode(pending.bin_key).decode("ascii")
    return render(request, "registration/two_factor.html", context)
