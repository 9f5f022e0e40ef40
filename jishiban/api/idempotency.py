"""``Idempotency-Key`` for POST /appeals (IETF draft semantics).

The same key with the same body returns the appeal of the first request (200); with another
body it is refused (422 ``idempotency_key_reused``); while the first request is still being
handled, a second one with the key gets 409 ``idempotency_in_progress``. Keys are per caller and
expire after ``JISHIBAN_IDEMPOTENCY_TTL_HOURS`` (24 by default).

A request first claims its key (a record without an appeal, committed at once), then creates
the appeal with no transaction around it — one would keep the day's number counter locked on
PostgreSQL until it commits, and every keyed request of the day would queue behind the one
before — and links the appeal to the claim inside the appeal's own transaction. A request that
fails gives its key back; a claim left by a process that died half-way is taken over after
``claim_lease()`` (``JISHIBAN_IDEMPOTENCY_CLAIM_SECONDS``, 120 by default).
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import IdempotencyError
from .models import IdempotencyRecord

MAX_KEY = 255


def claim_lease() -> timedelta:
    """A claim without an appeal older than this belongs to a request that died half-way."""
    return timedelta(seconds=float(getattr(settings, "JISHIBAN_IDEMPOTENCY_CLAIM_SECONDS", 120)))


def ttl() -> timedelta:
    return timedelta(hours=float(getattr(settings, "JISHIBAN_IDEMPOTENCY_TTL_HOURS", 24)))


def body_hash(data: dict) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _in_progress() -> IdempotencyError:
    return IdempotencyError(409, "idempotency_in_progress", _("使用该 Idempotency-Key 的请求仍在处理中，请稍后重试"))


def _check(record: IdempotencyRecord, digest: str):
    if record.request_hash != digest:
        raise IdempotencyError(422, "idempotency_key_reused",
                               _("Idempotency-Key 已用于另一份不同的请求，请换一个新的键"))
    if record.appeal_id is None:
        raise _in_progress()
    return record.appeal


def _claim(user, key: str, digest: str) -> int | None:
    """Claim ``key`` for ``user`` in one statement (committed at once outside a transaction);
    the new record's id, or ``None`` when the key is taken."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in ("user_id", "key", "request_hash", "appeal_id", "created_at"))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(IdempotencyRecord._meta.db_table)} ({columns}) "  # noqa: S608
                       f"VALUES (%s, %s, %s, NULL, %s) ON CONFLICT ({quote('user_id')}, {quote('key')}) DO NOTHING "
                       f"RETURNING {quote('id')}",
                       [user.pk, key, digest, connection.ops.adapt_datetimefield_value(timezone.now())])
        row = cursor.fetchone()
    return None if row is None else row[0]


def _stale(record: IdempotencyRecord) -> bool:
    """Expired, or claimed by a request that never finished."""
    now = timezone.now()
    return record.created_at < now - ttl() or (record.appeal_id is None and record.created_at < now - claim_lease())


def run_once(user, key: str, data: dict, create):
    """Return ``(appeal, created)``: replay the stored answer for ``key`` or call
    ``create(link)``, which returns ``(appeal, created)`` and calls ``link(appeal)`` inside the
    new appeal's transaction (``create_appeal(within=…)``), so the key and its appeal are stored
    together."""
    key = key.strip()
    if not key or len(key) > MAX_KEY:
        raise IdempotencyError(422, "validation_error", _("Idempotency-Key 须为 1～255 个字符"))
    digest = body_hash(data)
    claim = _claim(user, key, digest)
    if claim is None:  # the key is taken
        record = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if record is not None and not _stale(record):
            return _check(record, digest), False
        if record is not None:
            IdempotencyRecord.objects.filter(pk=record.pk, created_at=record.created_at).delete()
        claim = _claim(user, key, digest)
        if claim is None:  # another retry took it over in between
            raise _in_progress()
    linked = []

    def link(appeal) -> None:
        IdempotencyRecord.objects.filter(pk=claim).update(appeal=appeal)
        linked.append(appeal)

    try:
        appeal, created = create(link)
    except BaseException:
        IdempotencyRecord.objects.filter(pk=claim).delete()  # a failed request leaves the key usable
        raise
    if not linked:  # an appeal that was already there: nothing was written to link it with
        link(appeal)
    return appeal, created


def purge(now=None) -> int:
    """Delete records older than the TTL (a daily job); returns how many."""
    now = now or timezone.now()
    deleted, _per_model = IdempotencyRecord.objects.filter(created_at__lt=now - ttl()).delete()
    return deleted
