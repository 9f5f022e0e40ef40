"""Creating, checking and revoking API tokens (stored hashed).

A token works until it expires (``JISHIBAN_API_TOKEN_DAYS`` after creation unless another
lifetime up to ``JISHIBAN_API_TOKEN_MAX_DAYS`` was asked for) or is revoked, and only within its
scope (``permits``): ``intake`` hands in appeals and reads the code tables, ``read`` uses the
safe methods (GET …) of every endpoint, ``act`` everything its user may do.
"""

from __future__ import annotations

import copy
import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from jishiban.accounts.models import User
from jishiban.audit.models import AuditKind
from jishiban.audit.services import record
from jishiban.core.lookups import Lookup, credential_ttl

from .models import ApiToken, TokenScope

PREFIX = "jsb_"
TOUCH_EVERY = timedelta(minutes=5)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# What an intake-only token may call besides POST /appeals: the code tables a submission names.
INTAKE_READS = ("channels", "categories", "organisations", "regions")


def digest(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough (no password stretching needed).
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def lifetime_days() -> tuple[int, int]:
    """(default, maximum) lifetime of a new token in days."""
    return (int(getattr(settings, "JISHIBAN_API_TOKEN_DAYS", 90)),
            int(getattr(settings, "JISHIBAN_API_TOKEN_MAX_DAYS", 365)))


def create_token(user, *, name: str = "", channel=None, scope: str = TokenScope.ACT,
                 days: int | None = None) -> tuple[ApiToken, str]:
    """Return the row and the token text; the text is not stored and cannot be shown again.
    Raises ``ValueError`` for an unknown scope or a lifetime beyond the maximum."""
    default, maximum = lifetime_days()
    days = default if days is None else days
    if not 1 <= days <= maximum:
        raise ValueError(f"days must be 1…{maximum}")
    if scope not in TokenScope.values:
        raise ValueError(f"scope must be one of {', '.join(TokenScope.values)}")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(user=user, name=name, prefix=token[:12], digest=digest(token), channel=channel,
                                  scope=scope, expires_at=timezone.now() + timedelta(days=days))
    record(AuditKind.TOKEN_CREATED, subject=f"接口令牌 {row.prefix}…", source=row,
           detail={"holder": user.get_username(), "name": name, "channel": channel.code if channel else None,
                   "scope": scope, "expires_at": row.expires_at.isoformat()})
    return row, token


def user_for_token(token: str):
    """The active user behind a valid, unexpired, unrevoked token (with ``api_token`` set), else ``None``.

    Every call gets its own copy of the user, so per-request attributes never leak between
    requests that share a cached check."""
    if not token or not token.startswith(PREFIX) or len(token) > 200:
        return None
    user = CHECKED.get(digest(token))
    if user is None or user.api_token.expires_at <= timezone.now():
        return None
    return copy.copy(user)


def permits(scope: str, method: str, path: str) -> bool:
    """Whether a token of ``scope`` may make a ``method`` request to ``path`` (``request.path_info``)."""
    if scope == TokenScope.ACT:
        return True
    if scope == TokenScope.READ:
        return method in SAFE_METHODS
    if method == "POST":
        return path == reverse("api-v1:appeal_create")
    return method in SAFE_METHODS and path in {reverse(f"api-v1:{name}") for name in INTAKE_READS}


def _look_up(key: str):
    # No ordering: the digest is unique.
    now = timezone.now()
    row = next(iter(ApiToken.objects.select_related("user", "channel").order_by()
                    .filter(digest=key, revoked_at__isnull=True, expires_at__gt=now)[:1]), None)
    if row is None or not row.user.is_active:
        return None
    if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    user = row.user
    user.api_token = row
    return user


# Tokens checked a moment ago (see core.lookups.credential_ttl); revoking one or changing its
# user clears this process's cache at once.
CHECKED = Lookup(ApiToken, _look_up, ttl=credential_ttl, also=(User,))


def revoke(token_rows) -> int:
    rows = list(token_rows.filter(revoked_at__isnull=True).values_list("pk", "prefix", "user__username"))
    count = ApiToken.objects.filter(pk__in=[pk for pk, _p, _u in rows], revoked_at__isnull=True).update(
        revoked_at=timezone.now())
    # Now, and again once the revocation commits: a request in another thread may have checked
    # (and cached) the still committed token in between.
    CHECKED.clear()
    transaction.on_commit(CHECKED.clear)
    for _pk, prefix, holder in rows:
        record(AuditKind.TOKEN_REVOKED, subject=f"接口令牌 {prefix}…", detail={"holder": holder})
    return count
