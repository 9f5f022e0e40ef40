"""Sending notifications through the configured transports, at least once and recorded.

A worker claims a delivery with a conditional UPDATE (``pending``/``retry`` and due, or a
``sending`` claim older than the lease) — only one worker gets it, on SQLite as on PostgreSQL.
The claim is committed before anything leaves the system, so a crash between "sent" and
"recorded" leaves a ``sending`` row; after the lease it is claimed again and sent again
**with the same idempotency key** (webhook header ``Idempotency-Key`` and ``$idempotency_key``
in the body; e-mail ``Message-ID``), so the gateway drops the duplicate. Failures wait with an
exponential back-off and give up after ``Preferences.delivery_max_attempts``.

Call ``deliver_due()`` outside any transaction (the periodic job, or after commit).
"""

from __future__ import annotations

import json
import logging
import string
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

from django.core.mail import EmailMessage
from django.db.models import F, Q
from django.utils import timezone

from .models import Delivery, DeliveryStatus, Preferences, TransportKind
from .rules import backoff_seconds

logger = logging.getLogger("jishiban.supervision")


class TransportError(Exception):
    """Sending failed; the delivery is retried later."""


def _claimable(now, lease_seconds: int) -> Q:
    stale = now - timedelta(seconds=lease_seconds)
    return (Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRY], next_attempt_at__lte=now)
            | Q(status=DeliveryStatus.SENDING, claimed_at__lt=stale))


def deliver_due(now=None, limit: int = 200) -> dict[str, int]:
    """Send every due delivery once; returns counts by resulting status."""
    now = now or timezone.now()
    prefs = Preferences.current()
    ids = list(Delivery.objects.filter(_claimable(now, prefs.delivery_lease_seconds))
               .order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit])
    counts: dict[str, int] = {}
    for pk in ids:
        result = attempt(pk, now=now, prefs=prefs)
        counts[result] = counts.get(result, 0) + 1
    return counts


def claim(pk: int, now, prefs: Preferences) -> bool:
    """Take delivery ``pk`` for sending; ``False`` when another worker got there first."""
    return Delivery.objects.filter(pk=pk).filter(_claimable(now, prefs.delivery_lease_seconds)).update(
        status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    ) == 1


def attempt(pk: int, *, now=None, prefs: Preferences | None = None) -> str:
    """Claim, send and record one delivery; returns the resulting status or ``"skipped"``."""
    now = now or timezone.now()
    prefs = prefs or Preferences.current()
    if not claim(pk, now, prefs):
        return "skipped"
    delivery = Delivery.objects.select_related("transport", "notification", "notification__user",
                                               "notification__appeal").get(pk=pk)
    try:
        send(delivery)
    except TransportError as exc:
        return _record_failure(delivery, now, str(exc), prefs)
    _record_sent(delivery, now)
    return DeliveryStatus.SENT


def _record_sent(delivery: Delivery, now) -> None:
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.SENT, sent_at=now, last_error=""
    )


def _record_failure(delivery: Delivery, now, error: str, prefs: Preferences) -> str:
    attempts = Delivery.objects.filter(pk=delivery.pk).values_list("attempts", flat=True).get()
    if attempts >= prefs.delivery_max_attempts:
        status, next_at = DeliveryStatus.DEAD, now
    else:
        status = DeliveryStatus.RETRY
        next_at = now + timedelta(seconds=backoff_seconds(attempts, prefs.delivery_backoff_seconds))
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
        status=status, next_attempt_at=next_at, last_error=error[:2000]
    )
    logger.warning("delivery %s via %s failed (attempt %s): %s", delivery.pk, delivery.transport, attempts, error)
    return status


# --- transports ---------------------------------------------------------------------------------


def placeholders(delivery: Delivery) -> dict[str, str]:
    note = delivery.notification
    return {
        "phone": note.phone, "email": note.email, "username": note.user.username if note.user_id else "",
        "text": note.text, "url": note.url, "kind": note.kind,
        "appeal": note.appeal.number if note.appeal_id else "", "idempotency_key": delivery.idempotency_key,
    }


def render_body(template: str, values: dict[str, str], content_type: str) -> str:
    """Fill ``$name`` placeholders; values are JSON-escaped in JSON bodies, form-encoded in form bodies."""
    if "json" in content_type:
        values = {k: json.dumps(v, ensure_ascii=False)[1:-1] for k, v in values.items()}
    elif "x-www-form-urlencoded" in content_type:
        values = {k: urllib.parse.quote_plus(v) for k, v in values.items()}
    return string.Template(template).substitute(values)


def send(delivery: Delivery) -> None:
    transport = delivery.transport
    if transport.kind == TransportKind.EMAIL:
        _send_email(delivery)
    elif transport.kind == TransportKind.WEBHOOK:
        _send_webhook(delivery)
    else:
        raise TransportError(f"unknown transport kind {transport.kind!r}")


def _send_email(delivery: Delivery) -> None:
    note = delivery.notification
    key = delivery.idempotency_key
    body = note.text + (f"\n\n{note.url}" if note.url else "")
    message = EmailMessage(
        subject=f"[济时办] {note.get_kind_display()}", body=body, to=[note.email],
        headers={"Message-ID": f"<{key}@jishiban>", "X-Idempotency-Key": key},
    )
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # SMTP errors, refused connections, bad addresses: all retried
        raise TransportError(f"{type(exc).__name__}: {exc}")


def _send_webhook(delivery: Delivery) -> None:
    transport = delivery.transport
    values = placeholders(delivery)
    url_values = {k: urllib.parse.quote(v, safe="") for k, v in values.items()}
    try:
        url = string.Template(transport.url).substitute(url_values)
        body = render_body(transport.body_template or "", values, transport.content_type)
    except (KeyError, ValueError) as exc:
        raise TransportError(f"template error: {exc}")
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise TransportError(f"refusing to call {url!r}: only http and https")
    headers = {str(k): str(v) for k, v in (transport.headers or {}).items()}
    headers["Idempotency-Key"] = delivery.idempotency_key
    data = None
    if transport.method != "GET":
        headers.setdefault("Content-Type", transport.content_type)
        data = body.encode("utf-8")
    request = urllib.request.Request(url, data=data, headers=headers, method=transport.method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=transport.timeout_seconds) as response:  # noqa: S310 (scheme checked)
            status = response.status
    except urllib.error.HTTPError as exc:
        detail = exc.read(300).decode("utf-8", "replace")
        raise TransportError(f"HTTP {exc.code}: {detail}")
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise TransportError(f"{type(exc).__name__}: {exc}")
    if not 200 <= status < 300:
        raise TransportError(f"HTTP {status}")
