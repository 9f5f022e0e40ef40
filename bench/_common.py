"""Helpers shared by the benchmark scripts (not a benchmark itself: `make bench` skips `_*.py`)."""

from __future__ import annotations

import http.client
import os
import queue
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path


def _tree(pid: int) -> list[int]:
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            pids += _tree(int(child))
    return pids


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its live descendants so far (Linux /proc)."""
    total = 0
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """User + system CPU so far of every PostgreSQL server process on this host (the server
    the benchmark talks to is local; other clients of it count too)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, rest = stat.read_text().split(") ", 1)
        except OSError:
            continue
        if name.endswith("(postgres"):
            fields = rest.split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def busy_cores() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine so far, all cores (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class CommitProbe:
    """While a load runs, time a one-row commit every 50 ms on a connection of its own to the
    same PostgreSQL server: the storage's own stalls (WAL flushes), which every request that
    commits waits behind. On this kind of host they come and go (tens to hundreds of ms), and
    they decide a run's tail more than the code does; each result line shows them.
    ``url`` None (SQLite, whose WAL commits do not flush) makes a probe that measures nothing."""

    def __init__(self, url: str | None, every: float = 0.05):
        self.url, self.every = url, every
        self.timings: list[float] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        if self.url:
            self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join()

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            # A logged table: a transaction that wrote no WAL (temporary tables) commits without a flush.
            conn.execute("CREATE TABLE IF NOT EXISTS bench_commit_probe (at double precision)")
            conn.execute("SET synchronous_commit = on")
            try:
                while not self.stop.wait(self.every):
                    started = time.perf_counter()
                    conn.execute("INSERT INTO bench_commit_probe VALUES (%s)", [started])
                    self.timings.append((time.perf_counter() - started) * 1000)
            finally:
                conn.execute("DROP TABLE bench_commit_probe")

    def summary(self) -> dict:
        if not self.timings:
            return {}
        ordered = sorted(self.timings)
        return {"probe_commit_p50_ms": round(percentile(ordered, 50), 1),
                "probe_commit_max_ms": round(ordered[-1], 1),
                "probe_commits_over_20ms": sum(t > 20 for t in ordered)}


def stop(server, jobs=None) -> None:
    """Stop the benchmark's server and, when started, its job cluster (a process group: TERM,
    then KILL after 30 s)."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:  # still in its graceful shutdown: no request is waited for
        server.kill()
        server.wait()
    if jobs is not None:
        os.killpg(jobs.pid, signal.SIGTERM)
        try:
            jobs.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(jobs.pid, signal.SIGKILL)
            jobs.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(port: int, path: str, *, timeout: float = 60, process=None) -> None:
    """Until ``GET path`` on 127.0.0.1:``port`` answers 200 (or ``process`` exits)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        if process is not None and process.poll() is not None:
            raise RuntimeError("the server exited; see its log")
        time.sleep(0.3)
    raise RuntimeError(f"the server did not answer within {timeout:.0f} s")


def open_loop(port: int, rate: float, seconds: float, threads: int, send, kind=None) -> dict:
    """An open-loop load on 127.0.0.1:``port``: request *i* is due at ``start + i / rate``
    whatever the server does, and its latency counts from that moment, so a server falling
    behind shows in the percentiles instead of slowing the load. ``send(conn, i)`` makes
    request *i* on a keep-alive ``http.client.HTTPConnection`` and returns ``(ok, detail)``; a
    broken connection is reopened and the request tried once more. Returns the counts and
    the sorted latencies in ms from the due time (``latency``) and from sending (``service``);
    with ``kind(i)`` (a label per request: a mixed load) also ``by_kind``: label → (sorted
    latencies, errors)."""
    total = int(rate * seconds)
    start = time.perf_counter() + 0.5
    due: queue.Queue = queue.Queue()
    for i in range(total):
        due.put(i)
    results: list[tuple[float, float, bool, str, str]] = []
    lock = threading.Lock()

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            try:
                i = due.get_nowait()
            except queue.Empty:
                return
            at = start + i / rate
            wait = at - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            sent = time.perf_counter()
            ok, detail = False, ""
            for _attempt in range(2):
                try:
                    ok, detail = send(conn, i)
                    break
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    ok, detail = False, f"{type(exc).__name__}: {exc}"
            done = time.perf_counter()
            with lock:
                results.append(((done - at) * 1000, (done - sent) * 1000, ok, detail, kind(i) if kind else ""))

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=seconds + 120)
    elapsed = max(time.perf_counter() - start, 1e-9)
    by_kind: dict[str, tuple[list[float], int]] = {}
    if kind:
        for label in sorted({r[4] for r in results}):
            mine = [r for r in results if r[4] == label]
            by_kind[label] = (sorted(r[0] for r in mine), sum(not r[2] for r in mine))
    return {"sent": total, "answered": len(results), "ok": sum(r[2] for r in results), "elapsed": elapsed,
            "latency": sorted(r[0] for r in results), "service": sorted(r[1] for r in results),
            "errors": [r[3] for r in results if not r[2]][:3], "by_kind": by_kind}


def percentile(ordered: list[float], p: float) -> float:
    """The ``p``-th percentile of an ascending list (nearest rank); NaN when empty."""
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]
