"""Reads of seats and calls: the user's seat, the call waiting at it, an appeal's call."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jishiban.core.params import MAX_ID, ParameterError, integer

from .models import Call, SeatSignIn

POP_WINDOW = dt.timedelta(minutes=30)  # a call older than this is no longer on the line


def seat_of(user) -> str | None:
    row = SeatSignIn.objects.filter(user_id=getattr(user, "pk", None)).first()
    return row.seat if row else None


def waiting_call(user, *, now=None) -> Call | None:
    """The newest call at ``user``'s seat not yet taken or dismissed, within ``POP_WINDOW``."""
    seat = seat_of(user)
    if seat is None:
        return None
    now = now or timezone.now()
    return (Call.objects.filter(seat=seat, appeal__isnull=True, dismissed_at__isnull=True,
                                received_at__gte=now - POP_WINDOW).order_by("-received_at", "-id").first())


def call_at_my_seat(user, pk) -> Call | None:
    """Call ``pk`` if it rang at ``user``'s seat and is still untaken, else ``None``."""
    seat = seat_of(user)
    if seat is None:
        return None
    try:
        pk = integer(pk, "call", minimum=1, maximum=MAX_ID)
    except ParameterError:
        return None
    return Call.objects.filter(pk=pk, seat=seat, appeal__isnull=True).first()


def call_of(appeal) -> Call | None:
    return Call.objects.filter(appeal=appeal).first()
