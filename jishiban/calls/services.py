"""The one write path of seats and calls: signing in and out, a call announced by the CTI
(idempotent on its call id), a call linked to the appeal taken from it, a call dismissed."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.accounts.policy import may_post_calls, may_sit_at_seat
from jishiban.appeals.errors import ActionForbidden, AppealValidationError
from jishiban.intake.pipeline import normalise_phone

from .models import Call, SeatSignIn

SEAT = re.compile(r"^[0-9A-Za-z-]{1,20}$")
CALL_ID = re.compile(r"^[0-9A-Za-z._:-]{1,64}$")
POSTED_FIELD = "cti_call"  # the call desk's form carries the popped call's row id under this name


def _seat(value: str) -> str:
    seat = (value or "").strip()
    if not SEAT.match(seat):
        raise AppealValidationError({"seat": [_("座席号须为 1～20 位字母、数字或连字符")]})
    return seat


def sign_in(user, seat: str, *, now=None) -> SeatSignIn:
    """Sit ``user`` at ``seat``: whoever sat there before is signed out, and so is ``user``'s
    previous seat (one seat per user, one user per seat)."""
    if not may_sit_at_seat(user):
        raise ActionForbidden(_("您的角色不能签入话务座席"))
    seat = _seat(seat)
    with transaction.atomic():
        SeatSignIn.objects.filter(seat=seat).exclude(user=user).delete()
        row, _created = SeatSignIn.objects.update_or_create(user=user, defaults={"seat": seat,
                                                                                 "since": now or timezone.now()})
    return row


def sign_out(user) -> None:
    SeatSignIn.objects.filter(user=user).delete()


def record_call(*, by, call_id: str, caller: str, seat: str, recording_url: str = "", now=None) -> tuple[Call, bool]:
    """A call announced by the CTI. Returns ``(call, created)``; a retry with the same call id
    returns the stored call (adding a recording URL the first post lacked) and writes nothing
    else. Raises ``ActionForbidden`` or ``AppealValidationError`` (field → messages)."""
    if not may_post_calls(by):
        raise ActionForbidden(_("该账号不能推送来电"))
    errors: dict[str, list[str]] = {}
    call_id = (call_id or "").strip()
    if not CALL_ID.match(call_id):
        errors["call_id"] = [_("呼叫编号须为 1～64 位字母、数字或 ._:-")]
    number = normalise_phone(caller or "")
    if not 5 <= len(number) <= 20 or not number.isdigit():
        errors["caller"] = [_("来电号码格式不正确")]
    try:
        seat = _seat(seat)
    except AppealValidationError as exc:
        errors.update(exc.errors)
    url = (recording_url or "").strip()
    if url and (len(url) > 500 or not url.startswith(("https://", "http://"))):
        errors["recording_url"] = [_("录音地址须为 http(s) 链接，且不超过 500 字符")]
    if errors:
        raise AppealValidationError(errors)
    existing = Call.objects.filter(call_id=call_id).first()
    if existing is None:
        try:
            with transaction.atomic():
                return Call.objects.create(call_id=call_id, caller=number, seat=seat, recording_url=url,
                                           received_at=now or timezone.now()), True
        except IntegrityError:  # the CTI's retry arrived while the first post was being written
            existing = Call.objects.get(call_id=call_id)
    if url and not existing.recording_url:
        Call.objects.filter(pk=existing.pk, recording_url="").update(recording_url=url)
        existing.recording_url = url
    return existing, False


def link(call: Call, appeal, *, by, now=None) -> bool:
    """Link ``call`` (popped at ``by``'s seat) to the appeal taken from it; once only."""
    now = now or timezone.now()
    done = Call.objects.filter(pk=call.pk, appeal__isnull=True).update(appeal=appeal, operator=by, linked_at=now)
    if done:
        call.appeal, call.operator, call.linked_at = appeal, by, now
    return bool(done)


def link_posted_call(request, appeal) -> bool:
    """After the desk took a call: link the popped call named in the posted form, when it was
    popped at the user's seat. A form without one (an ordinary call) changes nothing."""
    from .selectors import call_at_my_seat

    call = call_at_my_seat(request.user, request.POST.get(POSTED_FIELD, ""))
    return link(call, appeal, by=request.user) if call is not None else False


def dismiss(call: Call, *, by, now=None) -> None:
    Call.objects.filter(pk=call.pk, dismissed_at__isnull=True).update(dismissed_at=now or timezone.now(),
                                                                        operator=by)
