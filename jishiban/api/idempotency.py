"""``Idempotency-Key`` for POST /appeals (IETF draft semantics).

The same key with the same body returns the appeal of the first request (200); with another
body it is refused (422 ``idempotency_key_reused``). Keys are per caller and expire after
``JISHIBAN_IDEMPOTENCY_TTL_HOURS`` (24 by default). The record is written in the transaction
of the appeal, so a failed request leaves no record and may be retried with the same key.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import IdempotencyError
from .models import IdempotencyRecord

MAX_KEY = 255


def ttl() -> timedelta:
    return timedelta(hours=float(getattr(settings, "JISHIBAN_IDEMPOTENCY_TTL_HOURS", 24)))


def body_hash(data: dict) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _check(record: IdempotencyRecord, digest: str):
    if record.request_hash != digest:
        raise IdempotencyError(422, "idempotency_key_reused",
                               _("Idempotency-Key 已用于另一份不同的请求，请换一个新的键"))
    if record.appeal_id is None:
        raise IdempotencyError(409, "idempotency_in_progress", _("使用该 Idempotency-Key 的请求仍在处理中，请稍后重试"))
    return record.appeal


def run_once(user, key: str, data: dict, create):
    """Return ``(appeal, created)``: replay the stored answer for ``key`` or call ``create()``
    (which returns ``(appeal, created)``) and remember its appeal."""
    key = key.strip()
    if not key or len(key) > MAX_KEY:
        raise IdempotencyError(422, "validation_error", _("Idempotency-Key 须为 1～255 个字符"))
    digest = body_hash(data)
    now = timezone.now()
    record = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if record is not None and record.created_at < now - ttl():
        record.delete()
        record = None
    if record is not None:
        return _check(record, digest), False
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(user=user, key=key, request_hash=digest)
            appeal, created = create()
            record.appeal = appeal
            record.save(update_fields=["appeal"])
    except IntegrityError:
        # A concurrent request with the same key committed first.
        record = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if record is None:
            raise
        return _check(record, digest), False
    return appeal, created


def purge(now=None) -> int:
    """Delete records older than the TTL (a daily job); returns how many."""
    now = now or timezone.now()
    deleted, _per_model = IdempotencyRecord.objects.filter(created_at__lt=now - ttl()).delete()
    return deleted
