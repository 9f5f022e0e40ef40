"""API keys of client systems: create, revoke, authenticate.

A key is ``<prefix>.<secret>``: the prefix (8 hex characters) is public and names the key in
lists and logs; the secret is 32 random bytes. Only the SHA-256 of the whole key is stored, so
a lost key cannot be shown again, only revoked and replaced.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from jishiban.audit.models import AuditKind
from jishiban.audit.services import record
from jishiban.channels.models import Channel
from jishiban.core.lookups import Lookup, credential_ttl

from .models import ApiKey

SECRET_BYTES = 32
# last_used_at is refreshed at most this often, so a busy client does not write on every call.
TOUCH_EVERY = timedelta(minutes=1)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_key(*, channel: Channel, name: str = "") -> tuple[ApiKey, str]:
    """A new key for ``channel``; returns ``(row, raw key)``. The raw key is never stored."""
    for _attempt in range(5):
        prefix = secrets.token_hex(4)
        raw = f"{prefix}.{secrets.token_urlsafe(SECRET_BYTES)}"
        try:
            with transaction.atomic():
                key = ApiKey.objects.create(channel=channel, name=name.strip(), prefix=prefix, hashed_key=_digest(raw))
        except IntegrityError:  # prefix taken (1 in 4 billion): draw again
            continue
        record(AuditKind.TOKEN_CREATED, subject=f"Open311 密钥 {prefix}", source=key,
               detail={"channel": channel.code, "name": key.name})
        return key, raw
    raise RuntimeError("could not draw a free API key prefix")


def revoke_key(prefix: str, *, now: datetime | None = None) -> tuple[ApiKey, bool]:
    """Revoke the key with ``prefix``; returns ``(key, newly_revoked)``.

    Raises ``ApiKey.DoesNotExist`` for an unknown prefix.
    """
    key = ApiKey.objects.get(prefix=prefix.strip())
    changed = revoke(ApiKey.objects.filter(pk=key.pk), now=now)
    key.refresh_from_db()
    return key, changed == 1


def revoke(keys, *, now: datetime | None = None) -> int:
    """Revoke the unrevoked keys of the queryset ``keys``; they are refused in this process at
    once (the others: within ``core.lookups.credential_ttl``). Returns how many."""
    live = list(keys.filter(revoked_at__isnull=True).values_list("pk", "prefix"))
    count = ApiKey.objects.filter(pk__in=[pk for pk, _prefix in live], revoked_at__isnull=True).update(
        revoked_at=now or timezone.now())
    KEYS.clear()
    for _pk, prefix in live:
        record(AuditKind.TOKEN_REVOKED, subject=f"Open311 密钥 {prefix}")
    return count


# Keys (with their channel) checked a moment ago, like the REST API's tokens (see
# core.lookups.credential_ttl): revoking a key or switching its channel off takes effect in this
# process at once.
KEYS = Lookup(ApiKey, lambda prefix: ApiKey.objects.select_related("channel").filter(prefix=prefix).first(),
              ttl=credential_ttl, also=(Channel,))


def authenticate(raw: str | None, *, now: datetime | None = None) -> ApiKey | None:
    """The active key matching ``raw`` (with its channel), or ``None``.

    Refused: unknown prefix, wrong secret, revoked key, inactive channel.
    """
    raw = (raw or "").strip()
    prefix, dot, secret = raw.partition(".")
    if not dot or not prefix or not secret or len(raw) > 200:
        return None
    key = KEYS.get(prefix)
    if key is None or not hmac.compare_digest(key.hashed_key, _digest(raw)):
        return None
    if key.revoked_at is not None or not key.channel.is_active:
        return None
    now = now or timezone.now()
    if key.last_used_at is None or key.last_used_at < now - TOUCH_EVERY:
        ApiKey.objects.filter(pk=key.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_EVERY)
        ).update(last_used_at=now)
        key.last_used_at = now  # the cached row too, so the next call does not write again
    return key
