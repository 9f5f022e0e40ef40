"""Helpers shared by the benchmark scripts (not a benchmark itself: `make bench` skips `_*.py`)."""

from __future__ import annotations

import os
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
        import threading

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
        import time

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
        return {"probe_commit_p50_ms": round(ordered[len(ordered) // 2], 1),
                "probe_commit_max_ms": round(ordered[-1], 1),
                "probe_commits_over_20ms": sum(t > 20 for t in ordered)}
