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

import re
import threading
import time
import unicodedata
from collections.abc import Callable, Hashable, Iterable

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

DEFAULT_TTL = 60.0

_all: list[Lookup | Resolver] = []


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


# --- reference fields named by code, name or a common variant ---------------------------------

_SPACES = re.compile(r"\s+")


def normal(value) -> str:
    """The form a value is compared in: full-width folded (NFKC), no spaces, lower case."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(value or ""))).lower()


class Index:
    """A snapshot of one reference table: code → row, and each name or variant → row. A name
    that two rows share is ambiguous and answers no row (``candidates`` lists them). Plain
    dictionaries, so a forked preparation process uses it without the database."""

    def __init__(self, rows: Iterable[models.Model], keys: Callable[[models.Model], Iterable[str]],
                 spell: Callable[[str], str] = normal):
        self.spell = spell
        self.by_code: dict[str, models.Model] = {}
        self.by_name: dict[str, list[models.Model]] = {}
        for row in rows:
            self.by_code[spell(row.code)] = row
            for key in {spell(k) for k in keys(row) if k}:
                self.by_name.setdefault(key, []).append(row)

    def candidates(self, value) -> list[models.Model]:
        key = self.spell(value)
        hit = self.by_code.get(key)
        return [hit] if hit is not None else self.by_name.get(key, [])

    def get(self, value) -> models.Model | None:
        found = self.candidates(value)
        return found[0] if len(found) == 1 else None


class Resolver:
    """One reference field (county, town, category, channel …): a value a person or a file
    gives — a code, the name, a short name or a common variant — to its row, for every interface
    (import, API, forms) through ``creation.validate``.

    The whole table is indexed in memory (these tables hold hundreds of rows) and rebuilt after
    ``ttl`` seconds or when a row is saved or deleted in this process. ``get`` on a miss probes
    the database by exact code once (``probe``), so a code created elsewhere a moment ago is
    found at once; ``snapshot()`` answers from memory only (the import: a value it does not
    know costs no more than one it knows)."""

    def __init__(self, model: type[models.Model], rows: Callable[[], Iterable[models.Model]],
                 keys: Callable[[models.Model], Iterable[str]], *, probe: Callable[[str], models.Model | None],
                 spell: Callable[[str], str] = normal, ttl: float = DEFAULT_TTL,
                 clock: Callable[[], float] = time.monotonic):
        self.model, self._rows, self._keys, self._probe, self._ttl, self._clock = model, rows, keys, probe, ttl, clock
        self._spell = spell
        self._index: tuple[Index, float] | None = None
        self._lock = threading.Lock()
        uid = f"jishiban.core.lookups.resolver:{id(self)}"
        post_save.connect(self._changed, sender=model, weak=False, dispatch_uid=uid)
        post_delete.connect(self._changed, sender=model, weak=False, dispatch_uid=uid)
        _all.append(self)

    def snapshot(self) -> Index:
        held = self._index
        if held is not None and held[1] > self._clock():
            return held[0]
        index = Index(self._rows(), self._keys, self._spell)
        with self._lock:
            self._index = (index, self._clock() + self._ttl)
        return index

    def candidates(self, value) -> list[models.Model]:
        found = self.snapshot().candidates(value)
        if not found and str(value or "").strip():
            row = self._probe(str(value).strip())
            if row is not None:
                self.clear()
                found = [row]
        return found

    def get(self, value) -> models.Model | None:
        found = self.candidates(value)
        return found[0] if len(found) == 1 else None

    def clear(self) -> None:
        with self._lock:
            self._index = None

    def _changed(self, sender, **kwargs) -> None:
        self.clear()
        transaction.on_commit(self.clear, using=kwargs.get("using"))
