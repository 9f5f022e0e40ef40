"""Results go back where the appeal came from (结果回推), through an outbox.

1. ``record_result`` (a ``transition_recorded`` receiver) writes a ``ResultDelivery`` row in
   the transaction of the reply / close / direct answer, so the row exists iff the transition
   committed.
2. ``deliver`` claims a row with a conditional UPDATE (two workers never send the same row;
   this works on SQLite, where ``select_for_update`` does nothing), POSTs the JSON payload to
   the channel's ``webhook_url`` with ``Idempotency-Key: <row key>`` (signed with the channel's
   ``webhook_secret`` when it has one: ``signature_headers``), and records the outcome
   under the same claim. Failures are retried with exponential backoff until
   ``JISHIBAN_RESULT_MAX_ATTEMPTS``; then the row is ``failed`` and shown in the admin.
3. A worker that dies between "sent" and "recorded" leaves the row ``sending``; once the lease
   (``JISHIBAN_RESULT_LEASE_SECONDS``) runs out another worker re-sends it with the same key,
   so delivery is at-least-once and the receiver drops the duplicate by key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from jishiban.appeals.privacy import mask_public
from jishiban.appeals.workflow import Action
from jishiban.channels.models import Channel

from .jobs import enqueue
from .models import DeliveryStatus, ResultDelivery

logger = logging.getLogger("jishiban.intake")

# A merged appeal's own copy of its parent's result (``parent-result``) goes to its channel too.
RESULT_ACTIONS = frozenset({Action.REPLY, Action.CLOSE, Action.ANSWER, Action.PARENT_RESULT})


def _setting(name: str, default):
    return getattr(settings, name, default)


def max_attempts() -> int:
    return int(_setting("JISHIBAN_RESULT_MAX_ATTEMPTS", 8))


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after ``attempts`` failures: base·2^(n-1), capped."""
    base = float(_setting("JISHIBAN_RESULT_BACKOFF_SECONDS", 60))
    cap = float(_setting("JISHIBAN_RESULT_BACKOFF_MAX_SECONDS", 6 * 3600))
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def lease() -> timedelta:
    return timedelta(seconds=float(_setting("JISHIBAN_RESULT_LEASE_SECONDS", 300)))


def pushed_text(channel, appeal, text: str) -> str:
    """Reply text as ``channel`` may receive it: what its citizen may see. Personal numbers are
    masked (a staff phone in a reply too) unless the channel is a trusted government system
    (``push_unmasked``); a channel that publishes replies gets the citizen's name masked too."""
    if channel.push_unmasked:
        return text or ""
    return mask_public(text, appeal if channel.public_reply else None)


def result_payload(appeal, event, channel=None) -> dict:
    """What the channel receives: its own id, our number, the outcome, masked per the channel
    (``pushed_text``). No citizen data, and never an internal note (event reasons, such as why
    an appeal was closed without a callback, stay inside)."""
    lead = appeal.lead_unit
    channel = channel or appeal.channel
    return {
        "number": appeal.number,
        "external_id": appeal.external_id,
        "channel": appeal.channel.code,
        "action": event.action,
        "status": appeal.status,
        "status_display": str(appeal.get_status_display()),
        "result_type": appeal.result_type,
        "result_text": pushed_text(channel, appeal, appeal.result_text),
        "promise": pushed_text(channel, appeal, appeal.promise),
        "follow_up_date": appeal.follow_up_date.isoformat() if appeal.follow_up_date else None,
        "lead_unit": lead.name if lead else None,
        "at": event.at.isoformat(),
        "event_id": event.pk,
    }


def record_result(sender, *, appeal, event, **kwargs) -> ResultDelivery | None:
    """``transition_recorded`` receiver: queue the result for channels that asked for it."""
    if event.action not in RESULT_ACTIONS:
        return None
    channel = (Channel.objects.filter(pk=appeal.channel_id)
               .only("wants_results", "webhook_url", "code", "public_reply", "push_unmasked").first())
    if channel is None or not channel.wants_results or not channel.webhook_url:
        return None
    row = ResultDelivery.objects.create(
        key=f"result-{appeal.number}-{event.pk}", appeal=appeal, event=event, channel=channel,
        payload=result_payload(appeal, event, channel), url=channel.webhook_url,
    )
    transaction.on_commit(lambda: _enqueue(row.pk))
    return row


def _enqueue(row_id: int) -> None:
    # If queueing fails the periodic schedule picks the row up.
    enqueue("jishiban.intake.tasks.deliver_result", row_id)


def _due(now: datetime) -> Q:
    """Rows to send now: pending and due, or stuck in ``sending`` past the lease (a dead worker)."""
    return Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - lease()
    )


def claim(row_id: int, now: datetime) -> ResultDelivery | None:
    """Take the row for this worker, or ``None`` when it is not due or someone else has it."""
    token = uuid.uuid4().hex
    taken = ResultDelivery.objects.filter(_due(now), pk=row_id).update(
        status=DeliveryStatus.SENDING, claim=token, claimed_at=now, attempts=F("attempts") + 1
    )
    if taken != 1:
        return None  # another worker got there first, or nothing is due
    return ResultDelivery.objects.select_related("channel").get(pk=row_id)


def post_json(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST ``body``; returns the HTTP status. Raises ``OSError`` on network failures."""
    if not url.startswith(("http://", "https://")):
        raise OSError(f"unsupported URL scheme: {url}")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read(65536)
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def mark_sent(row: ResultDelivery, status_code: int, now: datetime) -> bool:
    return ResultDelivery.objects.filter(pk=row.pk, claim=row.claim).update(
        status=DeliveryStatus.SENT, sent_at=now, last_status_code=status_code, last_error="", claim=""
    ) == 1


def mark_failed(row: ResultDelivery, error: str, status_code: int | None, now: datetime) -> bool:
    final = row.attempts >= max_attempts()
    return ResultDelivery.objects.filter(pk=row.pk, claim=row.claim).update(
        status=DeliveryStatus.FAILED if final else DeliveryStatus.PENDING,
        next_attempt_at=now + backoff(row.attempts), last_error=error[:2000],
        last_status_code=status_code, claim="",
    ) == 1


def _signature(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()


def signature_headers(secret: str, body: bytes, now: datetime) -> dict[str, str]:
    """``X-Jishiban-Timestamp`` (Unix seconds) and ``X-Jishiban-Signature: sha256=<hex>``, the
    HMAC-SHA256 with the channel's secret of ``<timestamp>.<body>``: the receiver knows the
    result came from us, unaltered, and recently (a replayed old delivery fails the time check;
    a re-sent one carries its own time and the same ``Idempotency-Key``)."""
    timestamp = str(int(now.timestamp()))
    return {"X-Jishiban-Timestamp": timestamp, "X-Jishiban-Signature": "sha256=" + _signature(secret, timestamp, body)}


def verify_signature(secret: str, body: bytes, timestamp: str, signature: str, *, now: datetime | None = None,
                     tolerance: timedelta = timedelta(minutes=5)) -> bool:
    """The receiver's check (also for channel developers to copy): the signature matches and the
    timestamp is within ``tolerance`` of ``now``."""
    if not timestamp.isdigit() or not signature.startswith("sha256="):
        return False
    now = now or timezone.now()
    if abs(now.timestamp() - int(timestamp)) > tolerance.total_seconds():
        return False
    return hmac.compare_digest(signature.removeprefix("sha256="), _signature(secret, timestamp, body))


def deliver(row_id: int, *, now: datetime | None = None) -> str:
    """Claim and send one row; returns the row's status afterwards (or ``skipped``)."""
    now = now or timezone.now()
    row = claim(row_id, now)
    if row is None:
        return "skipped"
    url = row.channel.webhook_url or row.url
    body = json.dumps(row.payload, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": row.key,
               "User-Agent": "jishiban-results/1"}
    if row.channel.webhook_secret:
        headers.update(signature_headers(row.channel.webhook_secret, body, now))
    timeout = float(_setting("JISHIBAN_RESULT_TIMEOUT_SECONDS", 10))
    try:
        code = post_json(url, body, headers, timeout)
    except OSError as exc:
        mark_failed(row, f"{type(exc).__name__}: {exc}", None, timezone.now())
        return "retry"
    if 200 <= code < 300:
        mark_sent(row, code, timezone.now())
        return DeliveryStatus.SENT
    mark_failed(row, f"HTTP {code}", code, timezone.now())
    return "retry"


def deliver_due(*, now: datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Send every due row (pending and due, or stuck in ``sending`` past the lease)."""
    now = now or timezone.now()
    counts = {"sent": 0, "retry": 0, "skipped": 0}
    for row_id in ResultDelivery.objects.filter(_due(now)).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]:
        outcome = deliver(row_id, now=now)
        counts[str(outcome) if str(outcome) in counts else "retry"] += 1
    return counts


def retry_now(queryset) -> int:
    """Admin action: put failed or waiting rows back in the queue for the next run."""
    return queryset.exclude(status=DeliveryStatus.SENT).exclude(status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.PENDING, next_attempt_at=timezone.now()
    )
