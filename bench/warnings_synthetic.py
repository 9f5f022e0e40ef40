"""Spike detection on synthetic history: two years × 14 counties × the default taxonomy's leaves.

Each leaf × county cell gets a mean from a Zipf-like share of the city's daily volume, a weekly
pattern (weekends lower), the official holidays and make-up days (chinesecalendar, the source
the project's calendar is seeded from), a yearly season, a slow trend and gamma-Poisson
(negative-binomial) noise. Spikes of 1.5×, 2×, 3× and 5× the expected count, 3–10 days long,
are injected into random cells in the second year. The pure detector (``warnings.detect``)
runs on every leaf × county cell in memory; the report gives, per spike size, the share of
spikes detected while they last and the median delay (days from the start to the first alarm),
and the false alarms (alarm stretches) per cell-month on the quiet cells.

    python bench/warnings_synthetic.py [--seed 7] [--daily 2500] [--spikes 400]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jishiban.warnings import detect  # noqa: E402

SIZES = (1.5, 2.0, 3.0, 5.0)
COUNTIES = 14
START = date(2024, 1, 1)
DAYS = 731


def calendar_groups(start: date, days: int) -> tuple[np.ndarray, list[date]]:
    import chinese_calendar

    out, dates = [], []
    for i in range(days):
        d = start + timedelta(days=i)
        out.append(detect.day_group(d.weekday(), chinese_calendar.is_workday(d)))
        dates.append(d)
    return np.array(out), dates


def leaves() -> list[str]:
    data = json.loads((ROOT / "jishiban/taxonomy/data/default.json").read_text())["categories"]
    return [c["code"] for c in data if c["level"] == 3]


def generate(rng, groups, n_cells: int, daily: float):
    """(means, counts) of shape (cells, days): the true expected counts and a draw of them."""
    weekly = np.array([1.05, 1.0, 1.0, 1.0, 0.95, 0.6, 0.5, 0.45, 0.95])  # Mon…Sun, holiday, make-up
    shares = 1.0 / np.arange(1, n_cells + 1) ** 0.9
    rng.shuffle(shares)
    shares = shares / shares.sum()
    t = np.arange(DAYS)
    phase = rng.uniform(0, 2 * math.pi, n_cells)
    amp = rng.uniform(0.0, 0.35, n_cells)
    trend = 1 + rng.uniform(-0.15, 0.25, n_cells)[:, None] * t[None, :] / 365
    season = 1 + amp[:, None] * np.sin(2 * math.pi * t[None, :] / 365.25 + phase[:, None])
    means = daily * shares[:, None] * weekly[groups][None, :] * season * trend
    size = 15.0
    counts = rng.poisson(rng.gamma(size, means / size))
    return means, counts.astype(float)


def fixed_threshold(x: np.ndarray, ratio: float = 2.0, least: int = 5) -> np.ndarray:
    """The rule to beat: alarm when a day has at least ``least`` and ``ratio`` × the mean of the
    28 days before it."""
    c = np.concatenate([[0.0], np.cumsum(x)])
    t = np.arange(len(x))
    lo = np.clip(t - 28, 0, None)
    mean = (c[t] - c[lo]) / np.maximum(t - lo, 1)
    return (x >= least) & (x >= ratio * np.maximum(mean, 0.1)) & (t >= 28)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--daily", type=float, default=2500.0, help="the city's appeals per weekday")
    ap.add_argument("--spikes", type=int, default=400)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    groups, dates = calendar_groups(START, DAYS)
    cats = leaves()
    n_cells = len(cats) * COUNTIES
    means, counts = generate(rng, groups, n_cells, args.daily)
    spiked: dict[int, tuple[int, int, float]] = {}
    cells = rng.choice(n_cells, size=min(args.spikes, n_cells // 2), replace=False)
    for j, cell in enumerate(cells):
        size = SIZES[j % len(SIZES)]
        start = int(rng.integers(400, DAYS - 12))
        length = int(rng.integers(3, 11))
        extra = rng.poisson((size - 1) * means[cell, start:start + length])
        counts[cell, start:start + length] += extra
        spiked[int(cell)] = (start, length, size)
    evaluated_from = 370  # the second year: a year of history behind every day
    p = detect.Params()
    found: dict[float, list[int | None]] = {s: [] for s in SIZES}
    fixed: dict[float, list[bool]] = {s: [] for s in SIZES}
    false_runs, quiet_cell_days, fixed_false = 0, 0, 0
    big_means: dict[float, list[float]] = {s: [] for s in SIZES}
    started = time.monotonic()
    for i in range(n_cells):
        ev = detect.evaluate(counts[i], groups, p)
        if i in spiked:
            start, length, size = spiked[i]
            hits = np.flatnonzero(ev.alarm[start:start + length])
            found[size].append(int(hits[0]) if hits.size else None)
            fixed[size].append(bool(fixed_threshold(counts[i])[start:start + length].any()))
            big_means[size].append(float(means[i, start]))
        else:
            alarm = ev.alarm[evaluated_from:]
            false_runs += len(detect.runs(alarm))
            fixed_false += len(detect.runs(fixed_threshold(counts[i])[evaluated_from:]))
            quiet_cell_days += len(alarm)
        if i and i % 200 == 0:
            rate = (time.monotonic() - started) / i
            print(f"  {i}/{n_cells} cells, ETA {rate * (n_cells - i):.0f} s", file=sys.stderr)
    seconds = time.monotonic() - started
    months = quiet_cell_days / 30.4
    print(f"cells: {n_cells} ({len(cats)} leaves × {COUNTIES} counties), days: {DAYS}, "
          f"city volume ≈ {args.daily:.0f}/weekday, spikes: {len(spiked)}, detector {seconds:.1f} s "
          f"({1000 * seconds / n_cells:.2f} ms per cell-history)")
    print("| spike size | spikes | detected | median delay (days) | detected, cells ≥ 2/day | fixed threshold |")
    print("|---|---|---|---|---|---|")
    for s in SIZES:
        got = [d for d in found[s] if d is not None]
        dense = [d for d, m in zip(found[s], big_means[s], strict=True) if m >= 2]
        rate = len(got) / max(1, len(found[s]))
        dense_rate = sum(d is not None for d in dense) / max(1, len(dense))
        delay = statistics.median(got) if got else float("nan")
        fixed_rate = sum(fixed[s]) / max(1, len(fixed[s]))
        print(f"| {s}× | {len(found[s])} | {100 * rate:.0f}% | {delay:.0f} | {100 * dense_rate:.0f}% ({len(dense)}) "
              f"| {100 * fixed_rate:.0f}% |")
    print(f"false alarms on quiet cells: {false_runs} over {months:.0f} cell-months = "
          f"{false_runs / months:.4f} per cell-month ({false_runs / (quiet_cell_days / 365):.3f} per cell-year); "
          f"fixed threshold (≥ 5 and 2× the last 28 days' mean): {fixed_false} = {fixed_false / months:.4f} per cell-month")


if __name__ == "__main__":
    main()
