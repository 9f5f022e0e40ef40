"""Creating, checking and revoking API tokens (stored hashed)."""

from __future__ import annotations

import copy
import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from jishiban.accounts.models import User
from jishiban.core.lookups import Lookup, credential_ttl

from .models import ApiToken

PREFIX = "jsb_"
TOUCH_EVERY = timedelta(minutes=5)

def digest(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough (no password stretching needed).
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(user, *, name: str = "", channel=None) -> tuple[ApiToken, str]:
    """Return the row and the token text; the text is not stored and cannot be shown again."""
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(user=user, name=name, prefix=token[:12], digest=digest(token), channel=channel)
    return row, token


def user_for_token(token: str):
    """The active user behind a valid, unrevoked token (with ``api_token`` set), else ``None``.

    Every call gets its own copy of the user, so per-request attributes never leak between
    requests that share a cached check."""
    if not token or not token.startswith(PREFIX) or len(token) > 200:
        return None
    user = CHECKED.get(digest(token))
    return None if user is None else copy.copy(user)


def _look_up(key: str):
    # No ordering: the digest is unique.
    row = next(iter(ApiToken.objects.select_related("user", "channel").order_by()
                    .filter(digest=key, revoked_at__isnull=True)[:1]), None)
    if row is None or not row.user.is_active:
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    user = row.user
    user.api_token = row
    return user


# Tokens checked a moment ago (see core.lookups.credential_ttl); revoking one or changing its
# user clears this process's cache at once.
CHECKED = Lookup(ApiToken, _look_up, ttl=credential_ttl, also=(User,))


def revoke(token_rows) -> int:
    count = token_rows.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    CHECKED.clear()
    return count
