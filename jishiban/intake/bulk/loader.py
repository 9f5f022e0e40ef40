"""The import batch path: the pipeline's rules, written a batch at a time.

Each row is prepared by ``rows.RowPreparer`` (``pipeline.to_new_appeal`` + ``creation.validate``,
the one set of rules), in this process or in ``workers`` forked processes. Valid rows
are written per batch in ONE transaction: numbers reserved per receipt day
(``numbering.allocate(day, count)``), appeals and their ``receive`` events inserted in bulk.

Exactly once: rows whose (channel, external id) is already stored are skipped (checked per
batch, and the unique constraint backs it: a batch that loses a race is rolled back and
redone). Rows without an id get a stable one derived from their content. Counts and the
``on_batch`` callback only ever report committed batches, so a killed import loses nothing
it reported and a rerun completes it.

Signals are not sent per row; after each batch one background job runs the after-intake
hooks for its appeals (``tasks.after_intake_many``) unless ``after_intake=False``.
"""

from __future__ import annotations

import gc
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from json.encoder import encode_basestring

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from jishiban.appeals import numbering
from jishiban.appeals.models import Appeal, AppealEvent, Status
from jishiban.appeals.workflow import Action
from jishiban.channels.models import Channel

from ..jobs import enqueue
from .mappings import Mapping
from .parallel import prepare_in_workers
from .rows import ROW_FIELDS, Rejection, RowPreparer, Valid, derived_id
from .sql import RowWriter, json_text

logger = logging.getLogger("jishiban.intake")

EVENT_FIELDS = ("appeal_id", "action", "from_status", "to_status", "actor_id", "actor_unit_id", "reason",
                "payload", "at")
MAX_RETRIES = 3
ANALYZE_FIRST_AT = 10_000  # rows


@dataclass
class ImportStats:
    read: int = 0
    imported: int = 0
    present: int = 0
    rejected: int = 0
    batches: int = 0


@contextmanager
def _fewer_collections():
    """An import makes millions of short-lived objects, and each of Python's full collections
    walks every live object (Django's, the reference data's, the batch's): that took a third of
    an import's time. For the duration of the import, objects alive at its start are frozen out
    of the collections and collections run less often."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 1_000)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


@contextmanager
def _large_sqlite_cache():
    """SQLite settings of the importing connection while it runs: a page cache of
    ``JISHIBAN_IMPORT_SQLITE_CACHE_MB`` (256; the default 2 MB is thrashed by a batch touching a
    dozen indexes), and WAL checkpoints every 50,000 pages (≈ 200 MB) instead of every 1,000, so
    the import does not stop for a checkpoint's copy and fsync every few batches. Both are put
    back afterwards (the next commit then checkpoints the grown WAL)."""
    if connection.vendor != "sqlite":
        yield
        return
    megabytes = int(getattr(settings, "JISHIBAN_IMPORT_SQLITE_CACHE_MB", 256))
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache_before = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA wal_autocheckpoint")
        checkpoint_before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-1024 * megabytes:d}")
        cursor.execute("PRAGMA wal_autocheckpoint = 50000")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {cache_before:d}")
            cursor.execute(f"PRAGMA wal_autocheckpoint = {checkpoint_before:d}")


class Importer:
    """Import rows into ``channel``. Callbacks: ``on_reject(Rejection)`` for every bad row,
    ``on_batch(stats)`` after every committed batch (raising there stops the import after that
    batch — the committed rows stay)."""

    def __init__(self, channel: Channel, *, by=None, batch_size: int = 5000, after_intake: bool = True,
                 now: datetime | None = None, workers: int = 0, on_reject: Callable[[Rejection], None] | None = None,
                 on_batch: Callable[[ImportStats], None] | None = None):
        self.channel, self.by, self.batch_size = channel, by, max(1, batch_size)
        self.after_intake, self.on_reject, self.on_batch = after_intake, on_reject, on_batch
        self.workers = max(0, workers)
        self.now = now or timezone.now()
        self.stats = ImportStats()
        self._analyze_at = ANALYZE_FIRST_AT
        # PostgreSQL: ids drawn from the table's sequence up front, so COPY needs no read-back.
        self.reserve_ids = connection.vendor == "postgresql"
        # The row columns are converted where rows are prepared (a worker process, if any); the
        # receive event's time is the appeal's converted received_at, its payload text built here.
        self.appeals = RowWriter(Appeal, (["id"] if self.reserve_ids else []) + list(ROW_FIELDS), self._constants(),
                                 converted=ROW_FIELDS)
        self.events = RowWriter(AppealEvent, list(EVENT_FIELDS), converted=("payload", "at"))
        # '{"channel": "…", "imported": true, "external_id": ' + the id as a JSON string + '}'
        self._payload_head = json_text({"channel": self.channel.code, "imported": True})[:-1] + ', "external_id": '

    # --- rows -> validated values --------------------------------------------------------------

    def _constants(self) -> dict:
        """Columns with one value for the whole import: channel, creator, timestamps, defaults."""
        fixed = {"channel_id": self.channel.pk, "citizen_user_id": None,
                 "created_by_id": getattr(self.by, "pk", None), "status": Status.RECEIVED.value, "version": 1,
                 "created_at": self.now, "updated_at": self.now}
        return {f.attname: fixed[f.attname] if f.attname in fixed else f.get_default()
                for f in Appeal._meta.concrete_fields if not f.primary_key and f.attname not in ROW_FIELDS}

    # --- batches ----------------------------------------------------------------------------------

    def run(self, rows: Iterable[tuple[int, dict]], mapping: Mapping) -> ImportStats:
        with _large_sqlite_cache(), _fewer_collections():
            return self._run(rows, mapping)

    def _run(self, rows: Iterable[tuple[int, dict]], mapping: Mapping) -> ImportStats:
        preparer = RowPreparer(self.channel, mapping, self.now, convert=self.appeals.converter(ROW_FIELDS[1:]))
        if self.workers:
            prepared = prepare_in_workers(preparer, rows, self.workers)
        else:
            prepared = (preparer.prepare(number, raw) for number, raw in rows)
        with closing(prepared):  # a failed batch stops the preparation process at once
            self._consume(prepared)
        return self.stats

    def _consume(self, prepared: Iterator) -> None:
        batch: list[Valid] = []
        for item in prepared:
            self.stats.read += 1
            if isinstance(item, Rejection):
                self._reject(item)
            else:
                batch.append(item)
            if len(batch) >= self.batch_size:
                self.flush(batch)
                batch = []
        if batch:
            self.flush(batch)

    def _reject(self, item: Rejection) -> None:
        self.stats.rejected += 1
        if self.on_reject:
            self.on_reject(item)

    def flush(self, batch: list[Valid]) -> None:
        unique: dict[str, Valid] = {}
        duplicates = 0
        for item in batch:
            if item.external_id in unique:
                duplicates += 1  # the same id twice in the file: the first one wins
            else:
                unique[item.external_id] = item
        for attempt in range(1, MAX_RETRIES + 1):
            existing = self._existing(list(unique))
            todo = [item for key, item in unique.items() if key not in existing]
            try:
                ids = self._write(todo)
            except IntegrityError:
                # Another writer stored one of these ids after our check; redo with a fresh check.
                if attempt == MAX_RETRIES:
                    raise
                logger.info("import batch lost a race on external ids; retrying (%d)", attempt)
                continue
            break
        self.stats.imported += len(todo)
        self.stats.present += duplicates + len(existing)
        self.stats.batches += 1
        self._maybe_analyze()
        if self.after_intake and ids:
            self._queue_after_intake(ids)
        if self.on_batch:
            self.on_batch(self.stats)

    def _existing(self, keys: list[str]) -> set[str]:
        table = connection.ops.quote_name(Appeal._meta.db_table)
        found: set[str] = set()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # A channel's export numbers its records, so a new file's ids seldom fall among the
                # stored ones: one probe of the id index for the batch's range (bounds taken in
                # the database's collation) then stands in for thousands of lookups.
                cursor.execute(f"WITH batch AS (SELECT unnest(%s::text[]) AS k) SELECT EXISTS (SELECT 1 FROM {table} "  # noqa: S608
                               "WHERE channel_id = %s AND external_id "
                               "BETWEEN (SELECT min(k) FROM batch) AND (SELECT max(k) FROM batch))",
                               [keys, self.channel.pk])
                if not cursor.fetchone()[0]:
                    return found
                # One array parameter instead of an IN list of thousands.
                cursor.execute(f"SELECT external_id FROM {table} WHERE channel_id = %s AND external_id = ANY(%s)",  # noqa: S608
                               [self.channel.pk, keys])
                return {row[0] for row in cursor.fetchall()}
            for start in range(0, len(keys), 500):
                chunk = keys[start:start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"SELECT external_id FROM {table} WHERE channel_id = %s AND external_id IN ({marks})",  # noqa: S608
                               [self.channel.pk, *chunk])
                found.update(row[0] for row in cursor.fetchall())
        return found

    def _maybe_analyze(self) -> None:
        """PostgreSQL plans the per-batch id check from table statistics; a bulk load outruns
        autovacuum (a never-analysed table made that check 20× slower), so refresh them each
        time the import has quadrupled what it wrote (10k, 40k, 160k … rows)."""
        if connection.vendor != "postgresql" or self.stats.imported < self._analyze_at:
            return
        self._analyze_at = 4 * self.stats.imported
        # Only the table the id check reads; autovacuum catches up with the events later.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Appeal._meta.db_table)}")

    def _reserve(self, count: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                           [Appeal._meta.db_table, count])
            return [row[0] for row in cursor.fetchall()]

    def _write(self, todo: list[Valid]) -> list[int]:
        if not todo:
            return []
        by_day: dict = defaultdict(list)
        tz = timezone.get_current_timezone()
        for item in todo:
            by_day[item.received_at.astimezone(tz).date()].append(item)
        actor_unit = getattr(self.by, "organisation_id", None)
        actor = getattr(self.by, "pk", None)
        with transaction.atomic():
            rows, numbers = [], []
            for day in sorted(by_day):  # one lock order for every importer: no deadlocks
                items = by_day[day]
                for item, number in zip(items, numbering.allocate(day, len(items)), strict=True):
                    rows.append((number, *item.fields))
                    numbers.append((number, item))
            if self.reserve_ids:
                reserved = self._reserve(len(rows))
                rows = [(pk, *row) for pk, row in zip(reserved, rows, strict=True)]
                ids = {number: pk for pk, (number, _item) in zip(reserved, numbers, strict=True)}
                self.appeals.write(rows)
            else:
                self.appeals.write(rows)
                ids = self._ids([n for n, _item in numbers])
            head, received, action = self._payload_head, Status.RECEIVED.value, Action.RECEIVE.value
            self.events.write([
                (ids[number], action, "", received, actor, actor_unit, "",
                 head + encode_basestring(item.external_id) + "}", item.fields[1])  # fields[1]: received_at
                for number, item in numbers
            ])
        return [ids[n] for n, _item in numbers]

    def _ids(self, numbers: list[str]) -> dict[str, int]:
        table = connection.ops.quote_name(Appeal._meta.db_table)
        ids: dict[str, int] = {}
        with connection.cursor() as cursor:
            for start in range(0, len(numbers), 500):
                chunk = numbers[start:start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"SELECT number, id FROM {table} WHERE number IN ({marks})", chunk)  # noqa: S608
                ids.update(cursor.fetchall())
        return ids

    def _queue_after_intake(self, ids: list[int]) -> None:
        enqueue("jishiban.intake.tasks.after_intake_many", ids, keep_success=False)


__all__ = ["ImportStats", "Importer", "Rejection", "derived_id"]
