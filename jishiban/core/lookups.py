"""In-process caches of reference rows looked up by code on hot paths.

Every appeal that enters names a channel, usually a county and often a category; looking each
up costs a query (and the ORM's compilation of it) per appeal. These tables are small and
change rarely, so the intake path asks a ``Lookup`` instead:

    CHANNELS = Lookup(Channel, lambda code: Channel.objects.filter(code=code).first())
    channel = CHANNELS.get("12345-phone")

A hit is served from memory for ``ttl`` seconds. Saving or deleting a row of the model clears
the cache of this process at once (``post_save``/``post_delete``); other processes see the
change when their entries expire, so a channel switched off stops taking appeals everywhere
within ``ttl`` seconds. Misses are not remembered: a code created a moment ago is found at once.
Cached instances are shared between requests: read them, never change and save them (copy
one first if a request must attach something to it). ``also`` names further models whose
changes clear the cache (a credential cached with its user or channel); ``ttl`` may be a
function, read at each store (a setting that tests change); 0 turns caching off.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

DEFAULT_TTL = 60.0

_all: list[Lookup] = []


class Lookup:
    def __init__(self, model: type[models.Model], load: Callable[[Hashable], models.Model | None], *,
                 ttl: float | Callable[[], float] = DEFAULT_TTL, also: tuple[type[models.Model], ...] = (),
                 clock: Callable[[], float] = time.monotonic):
        self.model, self._load, self._ttl, self._clock = model, load, ttl, clock
        self._items: dict[Hashable, tuple[models.Model, float]] = {}
        self._lock = threading.Lock()
        self._generation = 0  # bumped by clear(): a load that began before it is not stored
        uid = f"jishiban.core.lookups:{id(self)}"
        for sender in (model, *also):
            post_save.connect(self._changed, sender=sender, weak=False, dispatch_uid=uid)
            post_delete.connect(self._changed, sender=sender, weak=False, dispatch_uid=uid)
        _all.append(self)

    def get(self, key: Hashable) -> models.Model | None:
        hit = self._items.get(key)
        now = self._clock()
        if hit is not None and hit[1] > now:
            return hit[0]
        generation = self._generation
        value = self._load(key)
        ttl = self._ttl() if callable(self._ttl) else self._ttl
        with self._lock:
            if value is None or ttl <= 0 or generation != self._generation:
                self._items.pop(key, None)
            else:
                self._items[key] = (value, now + ttl)
        return value

    def clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._items.clear()

    def _changed(self, sender, **kwargs) -> None:
        # Now, and again when the change commits: another thread may have read and cached the
        # old committed row in between.
        self.clear()
        transaction.on_commit(self.clear, using=kwargs.get("using"))


def credential_ttl() -> float:
    """How long a checked credential (REST token, Open311 key) is trusted per process:
    ``JISHIBAN_API_TOKEN_CACHE_SECONDS`` (5 s; 0 checks the database on every request). A channel
    system posting a hundred appeals a second then costs one look-up per process every few
    seconds; a credential revoked in another process is refused everywhere within that time."""
    return float(settings.JISHIBAN_API_TOKEN_CACHE_SECONDS)


def clear_all() -> None:
    """Forget every cached row (tests call this between cases: a rolled-back row must not stay)."""
    for lookup in _all:
        lookup.clear()
