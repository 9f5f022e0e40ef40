"""Preparing import rows in another process (``--workers N``), results in file order.

Validation is pure Python and takes about half of an import's time. With workers, the importing
process forks one *preparation process* that reads the file and prepares the rows — itself for
one worker, with a pool of ``N`` processes for more — and streams them back in chunks over a
pipe. The importing process then only writes batches: it runs no helper threads (threads that
unpickle results compete for the GIL with a writer whose driver drops it for every row; that
cost a third of what the worker saved), and it decodes plain tuples, not objects.

The preparation process runs ahead of the writer by up to ``ahead_chunks`` chunks of rows
(buffered on its side, so memory stays flat however large the file is) and never uses the
database: the connections it inherits are put aside untouched (closing a forked SQLite or
PostgreSQL connection in the child would disturb the parent's): reference values are resolved
from the preparer's snapshot (``creation.References.snapshot``). An error in it (an unreadable file, say) is raised again in
the importing process; if that process stops early, the preparation process ends with it.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import signal
import struct
import threading
import traceback
from collections import deque
from collections.abc import Iterable, Iterator

from .rows import Rejection, RowPreparer, Valid

_HEADER = struct.Struct("<Q")
_VALID, _REJECTION, _END, _ERROR = range(4)

_preparer: RowPreparer | None = None
_kept_alive: list = []


def _put_connections_aside() -> None:
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        _kept_alive.append(conn.connection)  # never closed in the child, never used either
        conn.connection = None


def _encode(item) -> tuple:
    if isinstance(item, Valid):
        return (_VALID, item.row, item.external_id, item.received_at, item.fields)
    return (_REJECTION, item.row, item.external_id, item.reason)


def _decode(encoded: tuple):
    kind = encoded[0]
    if kind == _VALID:
        return Valid(*encoded[1:])
    return Rejection(*encoded[1:])


def _prepare_chunk(chunk: list[tuple[int, dict]]) -> bytes:
    """One chunk, prepared and pickled (in a pool process, so the relay only copies bytes)."""
    return pickle.dumps([_encode(_preparer.prepare(number, raw)) for number, raw in chunk],
                        protocol=pickle.HIGHEST_PROTOCOL)


class _Outbox:
    """Length-prefixed frames for the pipe, written by a thread of their own so that the pipe is
    refilled whenever the reader drains it, not only between chunks. Up to ``ahead`` frames wait
    here before ``put`` blocks."""

    def __init__(self, fd: int, ahead: int):
        self.fd = fd
        self.frames: queue.Queue = queue.Queue(maxsize=ahead)
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._send, name="import-prepare-send", daemon=True)
        self.thread.start()

    def put(self, payload: bytes) -> None:
        if self.failure is not None:
            raise self.failure
        self.frames.put(payload)

    def close(self) -> None:
        """Send what is waiting, then end; raises what sending met (a broken pipe, say)."""
        self.frames.put(None)
        self.thread.join()
        if self.failure is not None:
            raise self.failure

    def _send(self) -> None:
        while (payload := self.frames.get()) is not None:
            if self.failure is not None:
                continue  # the reader is gone: drop the rest
            try:
                os.write(self.fd, _HEADER.pack(len(payload)))
                view = memoryview(payload)
                while view:
                    view = view[os.write(self.fd, view):]
            except OSError as exc:
                self.failure = exc


def _widen(fd: int) -> None:
    """A 1 MB pipe instead of 64 KB (Linux; the unprivileged maximum): fewer, larger writes."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except (ImportError, OSError):
        pass


def _stop(signum, frame):
    raise SystemExit(1)


def _pool_process(fd: int) -> None:
    """Pool processes are ended by the pool with SIGTERM: they must simply die of it; and they
    never write to the pipe, so they do not keep it open either."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.close(fd)


def _chunks(rows: Iterable[tuple[int, dict]], size: int) -> Iterator[list]:
    """Rows in lists of ``size``; when reading fails, the rows read before it still come first."""
    chunk: list = []
    try:
        for row in rows:
            chunk.append(row)
            if len(chunk) == size:
                yield chunk
                chunk = []
    except Exception:
        if chunk:
            yield chunk
        raise
    if chunk:
        yield chunk


def _produce(rows: Iterable[tuple[int, dict]], workers: int, fds: tuple[int, int], chunk_size: int,
             ahead_chunks: int) -> None:
    """The preparation process: read, prepare, send; an exception travels to the reader."""
    read_fd, fd = fds
    os.close(read_fd)  # only the importing process reads: when it stops, writing here fails at once
    _put_connections_aside()
    signal.signal(signal.SIGTERM, _stop)  # exit through the pool's clean-up, not around it
    _widen(fd)
    # The pool (if any) is forked before the sender thread starts, and its processes close the pipe.
    pool = multiprocessing.get_context("fork").Pool(workers, initializer=_pool_process, initargs=(fd,)) \
        if workers > 1 else None
    out = _Outbox(fd, ahead_chunks)
    try:
        try:
            if pool is None:
                for chunk in _chunks(rows, chunk_size):
                    out.put(_prepare_chunk(chunk))
            else:
                with pool:
                    pending: deque = deque()
                    try:
                        for chunk in _chunks(rows, chunk_size):
                            pending.append(pool.apply_async(_prepare_chunk, (chunk,)))
                            if len(pending) >= 4 * workers:
                                out.put(pending.popleft().get())
                    finally:  # rows read before a reading error are still delivered
                        while pending:
                            out.put(pending.popleft().get())
            out.put(pickle.dumps((_END,)))
        except BrokenPipeError:
            raise
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the importing process
            out.put(_error_frame(exc))
        out.close()
    except BrokenPipeError:
        pass  # the importing process stopped reading: nothing left to do


def _error_frame(exc: BaseException) -> bytes:
    try:
        return pickle.dumps((_ERROR, exc))
    except Exception:  # noqa: BLE001 - an exception that does not pickle travels as text
        return pickle.dumps((_ERROR, RuntimeError("".join(traceback.format_exception(exc)))))


def _read_exactly(fh, size: int) -> bytes:
    data = fh.read(size)
    if len(data) != size:
        raise RuntimeError("the row preparation process ended without finishing the file")
    return data


def prepare_in_workers(preparer: RowPreparer, rows: Iterable[tuple[int, dict]], workers: int,
                       ahead_chunks: int = 40, chunk_size: int = 500) -> Iterator:
    """Yield ``preparer.prepare`` results for ``rows`` in order, computed by another process
    (and ``workers`` pool processes when more than one). ``rows`` is consumed only there."""
    global _preparer
    _preparer = preparer
    context = multiprocessing.get_context("fork")
    read_fd, write_fd = os.pipe()
    process = context.Process(target=_produce, args=(rows, workers, (read_fd, write_fd), chunk_size, ahead_chunks),
                              name="jishiban-import-prepare")
    process.start()
    os.close(write_fd)
    try:
        with os.fdopen(read_fd, "rb", buffering=1 << 20) as fh:
            while True:
                (size,) = _HEADER.unpack(_read_exactly(fh, _HEADER.size))
                chunk = pickle.loads(_read_exactly(fh, size))  # noqa: S301 - our own child's output
                if isinstance(chunk, tuple):  # the end, or the preparation process's error
                    if chunk[0] == _ERROR:
                        raise chunk[1]
                    return
                for encoded in chunk:
                    yield _decode(encoded)
    finally:
        # The pipe is closed by now: a preparation process still writing gets a broken pipe.
        process.join(timeout=5)
        if process.is_alive():
            process.terminate()
            process.join()
