"""Point → grid lookup with 20,000 grids (the STRtree index the after-intake hook uses), and the
import check of a file that size.

    .venv/bin/python bench/grid_lookup.py [--grids 20000] [--points 20000]

Grids are irregular 12-sided cells (jittered corners) tiling Jining's bounding box in rows, so a
point is tested against real polygons, not boxes. Prints build time, per-point latency (p50, p99,
mean over single lookups) and the batch rate; then the time ``grid.geometry.check`` takes over
the same grids as one GeoJSON file (rings, self-intersection, overlaps within a community).
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jishiban.grid import geometry  # noqa: E402
from jishiban.smart.geocode.grid import GridIndex  # noqa: E402

WEST, SOUTH, EAST, NORTH = 115.9, 34.4, 117.6, 36.0


def cells(n: int, rng: random.Random) -> list[dict]:
    side = math.ceil(math.sqrt(n))
    dx, dy = (EAST - WEST) / side, (NORTH - SOUTH) / side
    out = []
    for k in range(n):
        i, j = divmod(k, side)
        cx, cy = WEST + (j + 0.5) * dx, SOUTH + (i + 0.5) * dy
        ring = []
        for s in range(12):  # a 12-gon inside its cell: neighbours never overlap
            a = 2 * math.pi * s / 12
            r = 0.42 + rng.uniform(-0.04, 0.04)
            ring.append([round(cx + r * dx * math.cos(a), 6), round(cy + r * dy * math.sin(a), 6)])
        ring.append(ring[0])
        community = f"370811{i % 1000:03d}{(j // 10) % 1000:03d}"
        out.append({"type": "Feature", "id": k, "properties": {"code": f"{community}{j % 10:03d}"},
                    "geometry": {"type": "Polygon", "coordinates": [ring]}})
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--grids", type=int, default=20000)
    ap.add_argument("--points", type=int, default=20000)
    args = ap.parse_args()
    rng = random.Random(7)
    feats = cells(args.grids, rng)
    t = time.perf_counter()
    index = GridIndex(feats)
    build = time.perf_counter() - t
    points = [(rng.uniform(SOUTH, NORTH), rng.uniform(WEST, EAST)) for _ in range(args.points)]
    times, found = [], 0
    for lat, lon in points:
        t = time.perf_counter()
        hit = index.locate(lat, lon)
        times.append(time.perf_counter() - t)
        found += hit is not None
    times.sort()
    t = time.perf_counter()
    index.locate_many(points)
    batch = time.perf_counter() - t
    print(f"grids {len(index):,}; index built in {build:.2f} s")
    print(f"single lookups: {len(points):,} points, {found:,} inside a grid; "
          f"p50 {times[len(times) // 2] * 1e6:.0f} µs, p99 {times[int(len(times) * 0.99)] * 1e6:.0f} µs, "
          f"mean {statistics.fmean(times) * 1e6:.0f} µs")
    print(f"batch lookup: {len(points) / batch:,.0f} points/s ({batch * 1e6 / len(points):.1f} µs per point)")
    known = geometry.Known(communities={f["properties"]["code"][:12]: "370811001" for f in feats},
                           towns=frozenset({"370811001"}))
    t = time.perf_counter()
    _parsed, problems = geometry.check({"type": "FeatureCollection", "features": feats}, known)
    print(f"import check of {len(feats):,} grids: {time.perf_counter() - t:.2f} s, {len(problems)} problems")


if __name__ == "__main__":
    main()
