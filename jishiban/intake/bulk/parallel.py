"""Preparing import rows in worker processes (``--workers N``), results in file order.

Validation is pure Python and takes about half of an import's time; on a multi-core machine
worker processes do it while the parent reads the file and writes batches. Workers are forked
after the reference maps are loaded and never use the database: the connections they inherit
are put aside untouched (closing a forked SQLite or PostgreSQL connection in the child would
disturb the parent's), and rows that would need a query come back as ``Deferred``. At most
``ahead`` rows are in flight, so memory stays flat however large the file is.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice

from .rows import RowPreparer

_preparer: RowPreparer | None = None
_kept_alive: list = []


def _init_worker() -> None:
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        _kept_alive.append(conn.connection)  # never closed in the child, never used either
        conn.connection = None


def _prepare_chunk(chunk: list[tuple[int, dict]]) -> list:
    return [_preparer.prepare(number, raw, allow_db=False) for number, raw in chunk]


def prepare_in_workers(preparer: RowPreparer, rows: Iterable[tuple[int, dict]], workers: int,
                       ahead: int = 10_000, chunk_size: int = 500) -> Iterator:
    """Yield ``preparer.prepare`` results for ``rows`` in order, computed by ``workers`` processes.

    About ``ahead`` rows are prepared in advance (two import batches), so the workers keep
    going while the parent writes a batch."""
    global _preparer
    _preparer = preparer
    window = max(4 * workers, ahead // chunk_size + 1)
    source = iter(rows)
    with multiprocessing.get_context("fork").Pool(workers, initializer=_init_worker) as pool:
        pending: deque = deque()
        while True:
            while len(pending) < window:
                chunk = list(islice(source, chunk_size))
                if not chunk:
                    break
                pending.append(pool.apply_async(_prepare_chunk, (chunk,)))
            if not pending:
                break
            yield from pending.popleft().get()
