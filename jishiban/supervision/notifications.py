"""Raising notifications: one in-app row per recipient plus one pending delivery per matching
transport. Deliveries are sent after commit (``delivery.deliver_due``), never inside the
transaction that raised them.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from jishiban.accounts.policy import UNIT_ROLES, Role

from .models import Delivery, Notification, Recipient, Transport, TransportKind
from .services.common import SYSTEM_USERNAME

logger = logging.getLogger("jishiban.supervision")


def unit_members(unit) -> list:
    if unit is None:
        return []
    return list(get_user_model().objects.filter(organisation=unit, role__in=UNIT_ROLES, is_active=True))


def centre_staff(appeal, level: str = "city") -> list:
    """Who supervises ``appeal`` at ``level``: the city's supervisors, or the county's staff;
    ``"both"`` gives both."""
    User = get_user_model()
    users = []
    if level in ("city", "both"):
        users += list(User.objects.filter(role=Role.SUPERVISOR, is_active=True).exclude(username=SYSTEM_USERNAME))
    if level in ("county", "both") and appeal is not None and appeal.county_id:
        users += list(User.objects.filter(role=Role.COUNTY_STAFF, region_id=appeal.county_id, is_active=True))
    return users


def _address(transport: Transport, note: Notification) -> bool:
    if transport.kind == TransportKind.EMAIL:
        return bool(note.email)
    if transport.recipient == Recipient.PHONE:
        return bool(note.phone)
    if transport.recipient == Recipient.EMAIL:
        return bool(note.email)
    return note.user_id is not None


def notify(kind: str, text: str, *, users: Iterable = (), contacts: Iterable = (), appeal=None, order=None,
           url: str = "", now=None) -> list[Notification]:
    """Raise notification ``kind`` for each of ``users`` (their phone and email come from the
    account) and each ``(user_or_None, phone, email)`` in ``contacts`` (a citizen).

    Runs inside the caller's transaction; delivery is kicked off after commit.
    """
    now = now or timezone.now()
    seen: set = set()
    recipients = []
    for user in users:
        if user is not None and user.pk not in seen:
            seen.add(user.pk)
            recipients.append((user, getattr(user, "phone", "") or "", user.email or ""))
    for user, phone, email in contacts:
        if user is not None:
            seen.add(user.pk)
        recipients.append((user, phone or "", email or ""))
    if not recipients:
        return []
    transports = [t for t in Transport.objects.filter(enabled=True) if not t.kinds or kind in t.kinds]
    created, deliveries = [], 0
    for user, phone, email in recipients:
        note = Notification.objects.create(user=user, phone=phone, email=email, appeal=appeal, order=order,
                                           kind=kind, text=text[:500], url=url, created_at=now)
        created.append(note)
        for transport in transports:
            if _address(transport, note):
                Delivery.objects.create(notification=note, transport=transport, idempotency_key=uuid.uuid4().hex,
                                        next_attempt_at=now, created_at=now)
                deliveries += 1
    if deliveries:
        transaction.on_commit(kick_delivery)
    return created


def reachable(kind: str, *, phone: bool = False, email: bool = False) -> bool:
    """Whether an enabled transport would carry ``kind`` to a phone number / an e-mail address."""
    for transport in Transport.objects.filter(enabled=True):
        if transport.kinds and kind not in transport.kinds:
            continue
        if email and transport.kind == TransportKind.EMAIL:
            return True
        if phone and transport.kind == TransportKind.WEBHOOK and transport.recipient == Recipient.PHONE:
            return True
    return False


def kick_delivery() -> None:
    """Queue a delivery run; the one-minute schedule catches up if the queue is unavailable."""
    try:
        from django_q.tasks import async_task

        async_task("jishiban.supervision.delivery.deliver_due", task_name="supervision-deliver")
    except Exception:  # the broker being down must not break the request that raised the notification
        logger.exception("could not queue notification delivery")


def mark_read(user, ids: Iterable[int] | None = None, now=None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=now or timezone.now())
