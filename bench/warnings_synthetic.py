"""Spike detection on synthetic history: two years × 14 counties × the default taxonomy's leaves,
judged at every level of the category tree and the place tree.

Each leaf × county cell gets a mean from a Zipf-like share of the city's daily volume, a weekly
pattern (weekends lower), the official holidays and make-up days (chinesecalendar, the source
the project's calendar is seeded from), a yearly season, a slow trend and gamma-Poisson
(negative-binomial) noise. The live scan judges every category of the three levels and "all"
× each county and the city (1,635 cells here); so does this benchmark, on the sums of the leaf
cells.

* **False alarms**: the quiet history (no spike anywhere), every cell of every level, alarm
  stretches in the second year, per cell-month.
* **Detection**: spikes of 1.5×, 2×, 3× and 5× the expected count, 3–10 days long, in random
  leaf × county cells of the second year. Each spike is judged alone (added to the quiet
  history of its leaf cell and of each of the seven cells above it: its second- and first-level
  category and "all" in the county, and the same four in the city), so no other spike lends it
  an alarm. Detected = an alarm during the spike in the leaf cell, or (hierarchical) in any cell
  above it on a day the quiet history of that cell does not alarm; the lowest such cell is where
  the live scan reports it. Delay = days from the start to the first alarm.

Modes:

    python bench/warnings_synthetic.py --seeds 1,2,3          # report the current defaults
    python bench/warnings_synthetic.py --tune --seeds 101,102  # choose parameters (tuning seeds)

The tuning keeps the parameter sets whose false alarms (leaf cells, and all cells) are at most
those of the first detector (``detect.Params.legacy``) on the same seeds, and prints the best by
mean detection; report on other seeds.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
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
EVALUATED_FROM = 370  # the second year: a year of history behind every day
LEVELS = ("leaf×county", "L2×county", "L1×county", "all×county", "leaf×city", "L2×city", "L1×city", "all×city")
BINS = ((0, 0.5), (0.5, 1), (1, 2), (2, 5), (5, math.inf))


def calendar_groups(start: date, days: int) -> np.ndarray:
    import chinese_calendar

    return np.array([detect.day_group((start + timedelta(days=i)).weekday(),
                                      chinese_calendar.is_workday(start + timedelta(days=i))) for i in range(days)])


def taxonomy() -> list[tuple[str, str, str]]:
    """(leaf, its second-level parent, its first-level parent) for each leaf."""
    data = json.loads((ROOT / "jishiban/taxonomy/data/default.json").read_text())["categories"]
    parent = {c["code"]: c["parent"] for c in data}
    return [(c["code"], parent[c["code"]], parent[parent[c["code"]]]) for c in data if c["level"] == 3]


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


@dataclasses.dataclass
class World:
    """One seed's quiet cells of every level, the spikes and the spiked copies of their cells."""
    quiet: np.ndarray  # (cells, days)
    level_of: np.ndarray  # each quiet row's level (index in LEVELS)
    spikes: list[dict]  # start, length, size, mean, rows (the quiet row of each of the 8 levels)
    spiked: np.ndarray  # (spikes × 8, days): spike k, level j at row 8k + j
    groups: np.ndarray
    bases: dict = dataclasses.field(default_factory=dict)  # baseline method → (quiet, spiked) (mu, size, prob)


def build(seed: int, daily: float, per_size: int) -> World:
    rng = np.random.default_rng(seed)
    groups = calendar_groups(START, DAYS)
    tax = taxonomy()
    n_cells = len(tax) * COUNTIES  # leaf cell i: leaf i // COUNTIES, county i % COUNTIES
    means, counts = generate(rng, groups, n_cells, daily)
    keys: dict[tuple[int, str, object], list[int]] = {}
    for i in range(n_cells):
        leaf, l2, l1 = tax[i // COUNTIES]
        county = i % COUNTIES
        for j, (cat, place) in enumerate(((leaf, county), (l2, county), (l1, county), ("all", county),
                                          (leaf, "city"), (l2, "city"), (l1, "city"), ("all", "city"))):
            keys.setdefault((j, cat, place), []).append(i)
    rows = list(keys)
    row_of = {k: r for r, k in enumerate(rows)}
    quiet = np.stack([counts[keys[k]].sum(axis=0) for k in rows])
    level_of = np.array([k[0] for k in rows])
    spikes, spiked = [], []
    cells = rng.choice(n_cells, size=min(per_size * len(SIZES), n_cells), replace=False)
    for j, cell in enumerate(cells):
        size = SIZES[j % len(SIZES)]
        start = int(rng.integers(400, DAYS - 12))
        length = int(rng.integers(3, 11))
        extra = np.zeros(DAYS)
        extra[start:start + length] = rng.poisson((size - 1) * means[cell, start:start + length])
        leaf, l2, l1 = tax[cell // COUNTIES]
        county = cell % COUNTIES
        mine = [row_of[(lv, cat, place)] for lv, (cat, place) in enumerate(
            ((leaf, county), (l2, county), (l1, county), ("all", county),
             (leaf, "city"), (l2, "city"), (l1, "city"), ("all", "city")))]
        spikes.append({"start": start, "length": length, "size": size, "rows": mine,
                       "mean": float(means[cell, start:start + length].mean()), "extra": int(extra.sum())})
        spiked += [quiet[r] + extra for r in mine]
    return World(quiet=quiet, level_of=level_of, spikes=spikes, spiked=np.stack(spiked), groups=groups)


def baselines(x: np.ndarray, groups, p: detect.Params, label: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mu, size = np.zeros(x.shape), np.zeros(x.shape)
    started = time.monotonic()
    step = 400 if p.method == "glm" else 1  # the regression fits a stack of rows at once
    for i in range(0, len(x), step):
        b = detect.baseline(x[i:i + step] if step > 1 else x[i], groups, p, from_day=EVALUATED_FROM - 70)
        mu[i:i + step], size[i:i + step] = b.mu, b.size
        if i and (i // step) % max(1, 1000 // step) == 0:
            rate = (time.monotonic() - started) / i
            print(f"    {label}: {p.method} baselines {i}/{len(x)}, ETA {rate * (len(x) - i):.0f} s", file=sys.stderr)
    return mu, size, detect.nb_sf(x, mu, size)


def alarms(x, base, p: detect.Params) -> np.ndarray:
    mu, size, prob = base
    if p.cusum_kind == "nb":  # stacked: one pass over the days for every row
        return detect.judge(x, mu, size, p, prob=prob).alarm
    return np.stack([detect.judge(x[i], mu[i], size[i], p, prob=prob[i]).alarm for i in range(len(x))])


def count_runs(a: np.ndarray) -> int:
    """Alarm stretches in each row (a rise from False to True), summed."""
    a = a.astype(np.int8)
    return int((np.diff(a, axis=1, prepend=0) == 1).sum())


def score(w: World, p: detect.Params) -> dict:
    base_quiet, base_spiked = w.bases[p.method]
    qa = alarms(w.quiet, base_quiet, p)
    sa = alarms(w.spiked, base_spiked, p)
    cell_months = (DAYS - EVALUATED_FROM) / 30.4
    fa = {}
    for lv, name in enumerate(LEVELS):
        rows = w.level_of == lv
        fa[name] = count_runs(qa[rows, EVALUATED_FROM:]) / (rows.sum() * cell_months)
    fa_all = count_runs(qa[:, EVALUATED_FROM:]) / (len(qa) * cell_months)
    total_per_month = count_runs(qa[:, EVALUATED_FROM:]) / cell_months
    found = []
    for k, s in enumerate(w.spikes):
        a, b = s["start"], s["start"] + s["length"]
        first_leaf, first_any, level = None, None, None
        for lv in range(len(LEVELS)):
            hit = sa[8 * k + lv, a:b] & ~qa[s["rows"][lv], a:b]
            days = np.flatnonzero(hit)
            if days.size:
                d = int(days[0])
                if lv == 0:
                    first_leaf = d
                if first_any is None or d < first_any:
                    first_any = d
                if level is None:
                    level = lv
        found.append({"size": s["size"], "mean": s["mean"], "leaf": first_leaf, "any": first_any, "level": level})
    return {"fa": fa, "fa_all": fa_all, "fa_total_per_month": total_per_month, "found": found}


def summary(res: dict) -> dict:
    out = {"fa_leaf": res["fa"]["leaf×county"], "fa_all": res["fa_all"], "fa_total": res["fa_total_per_month"]}
    for s in SIZES:
        rows = [f for f in res["found"] if f["size"] == s]
        out[f"leaf_{s}"] = sum(f["leaf"] is not None for f in rows) / len(rows)
        out[f"any_{s}"] = sum(f["any"] is not None for f in rows) / len(rows)
        delays = [f["any"] for f in rows if f["any"] is not None]
        out[f"delay_{s}"] = statistics.median(delays) if delays else float("nan")
        for lo, hi in BINS:
            got = [f for f in rows if lo <= f["mean"] < hi]
            out[f"bin_{s}_{lo}"] = (sum(f["any"] is not None for f in got), len(got))
    out["levels"] = [sum(1 for f in res["found"] if f["level"] == lv) for lv in range(len(LEVELS))]
    return out


def prepare(seed: int, daily: float, per_size: int, methods=("windows", "glm")) -> World:
    t0 = time.monotonic()
    print(f"  seed {seed}: generating {daily:.0f}/weekday …", file=sys.stderr)
    w = build(seed, daily, per_size)
    for m in methods:
        p = dataclasses.replace(detect.Params(), method=m)
        w.bases[m] = (baselines(w.quiet, w.groups, p, f"seed {seed} quiet"),
                      baselines(w.spiked, w.groups, p, f"seed {seed} spiked"))
    print(f"  seed {seed}: {len(w.quiet)} cells, {len(w.spikes)} spikes, baselines in "
          f"{time.monotonic() - t0:.0f} s", file=sys.stderr)
    return w


def pct(v: float) -> str:
    return f"{100 * v:.0f}%"


def spread(values: list[float], fmt=pct) -> str:
    if len(values) == 1:
        return fmt(values[0])
    return f"{fmt(statistics.mean(values))} ({fmt(min(values))}–{fmt(max(values))})"


def report(worlds: list[World], named: dict[str, detect.Params], *, given: dict | None = None) -> dict:
    """Print the tables of each parameter set (from ``given`` summaries when already computed)."""
    out = {}
    for name, p in named.items():
        sums = given[name] if given else [summary(score(w, p)) for w in worlds]
        out[name] = sums
        print(f"\n### {name}\n")
        print("| spike size | leaf cell only | any level (hierarchical) | median delay (d) |")
        print("|---|---|---|---|")
        for s in SIZES:
            print(f"| {s}× | {spread([x[f'leaf_{s}'] for x in sums])} | {spread([x[f'any_{s}'] for x in sums])} "
                  f"| {spread([x[f'delay_{s}'] for x in sums], lambda v: f'{v:.1f}')} |")
        print("\nby the spike cell's expected count per day (detected at any level / spikes, all seeds):\n")
        print("| spike size | " + " | ".join(f"{lo}–{hi if hi < math.inf else ''}/day" for lo, hi in BINS) + " |")
        print("|---" * (len(BINS) + 1) + "|")
        for s in SIZES:
            cells = []
            for lo, _hi in BINS:
                got = sum(x[f"bin_{s}_{lo}"][0] for x in sums)
                n = sum(x[f"bin_{s}_{lo}"][1] for x in sums)
                cells.append(f"{pct(got / n) if n else '–'} ({got}/{n})")
            print(f"| {s}× | " + " | ".join(cells) + " |")
        fmt4 = lambda v: f"{v:.4f}"  # noqa: E731
        print(f"\nfalse alarms per cell-month: leaf cells {spread([x['fa_leaf'] for x in sums], fmt4)}, "
              f"all 1,635 cells {spread([x['fa_all'] for x in sums], fmt4)}; city-wide per month "
              f"{spread([x['fa_total'] for x in sums], lambda v: f'{v:.1f}')}")
        lv = [sum(x["levels"][i] for x in sums) for i in range(len(LEVELS))]
        print("lowest level of detection (all seeds): " + ", ".join(f"{n} {c}" for n, c in zip(LEVELS, lv, strict=True)))
    return out


def grid_params() -> list[tuple[str, detect.Params]]:
    """The parameter sets the tuning compares: the regression or the window baseline, the
    residual CUSUM (the first detector's scheme) or the likelihood-ratio one, its shift and h."""
    grid = list(itertools.product(("windows", "glm"), ("z", "nb"), (1.5, 2.0, 3.0),
                                  (4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 12.0)))
    return [(f"{m}/{k}" + (f"/shift {s}" if k == "nb" else "") + f"/h {h}",
             dataclasses.replace(detect.Params(), method=m, cusum_kind=k, cusum_shift=s, cusum_h=h))
            for m, k, s, h in grid if k == "nb" or s == 2.0]


def tune(worlds: list[World]) -> None:
    legacy = [summary(score(w, detect.Params.legacy())) for w in worlds]
    lim_leaf = statistics.mean(x["fa_leaf"] for x in legacy)
    lim_all = statistics.mean(x["fa_all"] for x in legacy)
    print(f"first detector on the tuning seeds: false alarms per cell-month leaf {lim_leaf:.4f}, all {lim_all:.4f}; "
          f"detection (any level) " + ", ".join(
              f"{s}× {statistics.mean(x[f'any_{s}'] for x in legacy):.2f}" for s in SIZES))
    grid = list(itertools.product(("windows", "glm"), ("z", "nb"), (1.5, 2.0, 3.0), (4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 12.0)))
    grid = [g for g in grid if g[1] == "nb" or g[2] == 2.0]  # the z scheme has no shift
    rows = []
    started = time.monotonic()
    for n, (method, kind, shift, h) in enumerate(grid, 1):
        p = dataclasses.replace(detect.Params(), method=method, cusum_kind=kind, cusum_shift=shift, cusum_h=h)
        sums = [summary(score(w, p)) for w in worlds]
        fa_leaf = statistics.mean(x["fa_leaf"] for x in sums)
        fa_all = statistics.mean(x["fa_all"] for x in sums)
        det = statistics.mean(statistics.mean(x[f"any_{s}"] for x in sums) for s in SIZES)
        rows.append((det, f"{method}/{kind}", shift if kind == "nb" else "–", h, fa_leaf, fa_all,
                     [statistics.mean(x[f"any_{s}"] for x in sums) for s in SIZES]))
        if n % 6 == 0:
            rate = (time.monotonic() - started) / n
            print(f"  tuning {n}/{len(grid)}, ETA {rate * (len(grid) - n):.0f} s", file=sys.stderr)
    ok = sorted((r for r in rows if r[4] <= lim_leaf and r[5] <= lim_all), reverse=True)
    print("\n| baseline/CUSUM | shift | h | FA leaf | FA all | mean detection | 1.5× / 2× / 3× / 5× |")
    print("|---|---|---|---|---|---|---|")
    for r in ok[:16]:
        print(f"| {r[1]} | {r[2]} | {r[3]} | {r[4]:.4f} | {r[5]:.4f} | {r[0]:.3f} | "
              + " / ".join(f"{v:.2f}" for v in r[6]) + " |")
    print(f"\n{len(ok)} of {len(rows)} sets within the first detector's false alarms")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--daily", type=float, default=2500.0, help="the city's appeals per weekday")
    ap.add_argument("--per-size", type=int, default=100, help="spikes per size")
    ap.add_argument("--tune", action="store_true")
    ap.add_argument("--json", help="write the summaries here")
    ap.add_argument("--all-sets", action="store_true",
                    help="with --json: the summaries of every set the tuning compares (to print the chosen one later)")
    ap.add_argument("--show", help="print the tables of these sets (names, comma-separated) from --json, no run")
    args = ap.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    if args.show:
        given = json.loads(Path(args.json).read_text())
        names = ["first detector (legacy)", *args.show.split(",")]
        report([], {n: None for n in names}, given=given)
        return
    p = detect.Params()
    worlds = [prepare(s, args.daily, args.per_size) for s in seeds]
    if args.tune:
        tune(worlds)
        return
    fixed = []
    for w in worlds:
        fa = sum(len(detect.runs(fixed_threshold(x)[EVALUATED_FROM:])) for x in w.quiet[w.level_of == 0])
        fixed.append(fa / ((w.level_of == 0).sum() * (DAYS - EVALUATED_FROM) / 30.4))
    print(f"seeds {seeds}, city volume ≈ {args.daily:.0f}/weekday, {args.per_size} spikes per size per seed")
    print(f"fixed threshold (≥ 5 and 2× the last 28 days' mean), false alarms per leaf cell-month: "
          f"{spread(fixed, lambda v: f'{v:.3f}')}")
    named = {"first detector (legacy)": detect.Params.legacy(), "current defaults": p}
    if args.all_sets:
        named.update(grid_params())
    out = report(worlds, named)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
