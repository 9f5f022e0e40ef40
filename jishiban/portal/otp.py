"""One-time codes sent by SMS: following an appeal by its number and the phone it was handed in
with, and signing in with a phone number (``send_sign_in`` / ``check_sign_in``).

The code is kept (as a keyed digest) in the visitor's session with its appeal, an expiry and a
count of tries; it is sent by SMS through supervision's transports. Whether the number and the
phone match is not told apart from a mismatch, except where ``PORTAL["SHOW_CODES"]`` (the demo,
which has no SMS gateway) shows the code on screen.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.appeals.models import Appeal
from jishiban.intake.pipeline import normalise_phone
from jishiban.supervision.models import Kind
from jishiban.supervision.notifications import notify

SESSION = "portal_otp"
SIGN_IN = "portal_sign_in"
KIND = Kind.PORTAL_CODE
VALID_SECONDS = 600
MOBILE = re.compile(r"^1[3-9]\d{9}$")
MAX_TRIES = 5

log = logging.getLogger("jishiban.portal")


def _digest(value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"portal-otp:{value}".encode(), hashlib.sha256).hexdigest()


def send(session, *, number: str, phone: str, now=None) -> str:
    """Send a code if appeal ``number`` was handed in with ``phone``; return the code ("" when
    nothing was sent). The session remembers what to check either way."""
    now = now or timezone.now()
    phone = normalise_phone(phone)
    appeal = Appeal.objects.filter(number=(number or "").strip().upper()).first()
    code = f"{secrets.randbelow(10 ** 6):06d}"
    matched = appeal is not None and phone and appeal.citizen_phone == phone
    session[SESSION] = {"appeal": appeal.pk if matched else None, "digest": _digest(code),
                        "until": (now.timestamp() + VALID_SECONDS), "tries": 0}
    if not matched:
        return ""
    text = _("【济时办】验证码 %(code)s，用于查询诉求 %(number)s 的办理进度，%(n)d 分钟内有效。") % {
        "code": code, "number": appeal.number, "n": VALID_SECONDS // 60}
    notify(KIND, text, contacts=[(appeal.citizen_user, phone, "")], appeal=appeal, now=now)
    log.info("one-time code for %s sent to …%s", appeal.number, phone[-4:])
    return code


def check(session, code: str, *, now=None) -> Appeal:
    """The appeal the code opens; raises ``ValueError`` with a Chinese message otherwise."""
    now = now or timezone.now()
    state = session.get(SESSION)
    if not state:
        raise ValueError(_("请先获取验证码"))
    if now.timestamp() > state["until"] or state["tries"] >= MAX_TRIES:
        session.pop(SESSION, None)
        raise ValueError(_("验证码已失效，请重新获取"))
    state["tries"] += 1
    session[SESSION] = state
    if not state["appeal"] or not hmac.compare_digest(state["digest"], _digest((code or "").strip())):
        raise ValueError(_("验证码不正确，或编号与手机号不匹配"))
    session.pop(SESSION, None)
    return Appeal.objects.get(pk=state["appeal"])


def send_sign_in(session, *, phone: str, now=None) -> str:
    """Send a sign-in code to ``phone`` (a mobile number, normalised); return it ("" when the
    number is not a mobile number: nothing is sent)."""
    now = now or timezone.now()
    phone = normalise_phone(phone)
    code = f"{secrets.randbelow(10 ** 6):06d}"
    valid = bool(MOBILE.match(phone))
    session[SIGN_IN] = {"phone": phone if valid else "", "digest": _digest(code),
                        "until": now.timestamp() + VALID_SECONDS, "tries": 0}
    if not valid:
        return ""
    text = _("【济时办】验证码 %(code)s，用于登录济时办，%(n)d 分钟内有效；如非本人操作请忽略。") % {
        "code": code, "n": VALID_SECONDS // 60}
    notify(KIND, text, contacts=[(None, phone, "")], now=now)
    log.info("sign-in code sent to …%s", phone[-4:])
    return code


def check_sign_in(session, code: str, *, now=None) -> str:
    """The phone number the code proves; raises ``ValueError`` with a Chinese message otherwise."""
    now = now or timezone.now()
    state = session.get(SIGN_IN)
    if not state:
        raise ValueError(_("请先获取验证码"))
    if now.timestamp() > state["until"] or state["tries"] >= MAX_TRIES:
        session.pop(SIGN_IN, None)
        raise ValueError(_("验证码已失效，请重新获取"))
    state["tries"] += 1
    session[SIGN_IN] = state
    if not state["phone"] or not hmac.compare_digest(state["digest"], _digest((code or "").strip())):
        raise ValueError(_("验证码不正确"))
    session.pop(SIGN_IN, None)
    return state["phone"]
