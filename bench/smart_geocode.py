"""Address → region: accuracy on the generated evaluation set, and speed.

    .venv/bin/python bench/smart_geocode.py [--errors]

Needs no shared data: the generated cases come from the project's own gazetteer
(jishiban/smart/geocode/evalset.py); the hand-written ones (geocode/handwritten.tsv) are reported
per half: "dev" (looked at while writing the rules) and "test" (the estimate).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jishiban.settings")

from jishiban.smart.geocode.evalset import (  # noqa: E402
    HANDWRITTEN_FIFTH,
    HANDWRITTEN_FOURTH,
    HANDWRITTEN_FRESH,
    HANDWRITTEN_THIRD,
    evaluate,
    generate_cases,
    handwritten_cases,
)
from jishiban.smart.geocode.grid import GridIndex  # noqa: E402
from jishiban.smart.geocode.resolver import AddressResolver  # noqa: E402


def grid_speed(n_side: int = 100) -> dict:
    """A synthetic n×n grid over Jining's bounding box; point lookups per second."""
    import random

    lon0, lat0, lon1, lat1 = 115.9, 34.4, 117.6, 36.0
    dx, dy = (lon1 - lon0) / n_side, (lat1 - lat0) / n_side
    feats = []
    for i in range(n_side):
        for j in range(n_side):
            x, y = lon0 + i * dx, lat0 + j * dy
            feats.append({"id": f"G{i:03d}{j:03d}", "geometry": {"type": "Polygon", "coordinates": [
                [[x, y], [x + dx, y], [x + dx, y + dy], [x, y + dy], [x, y]]]}})
    t = time.perf_counter()
    grid = GridIndex(feats)
    build = time.perf_counter() - t
    rng = random.Random(1)
    pts = [(rng.uniform(lat0, lat1), rng.uniform(lon0, lon1)) for _ in range(20000)]
    t = time.perf_counter()
    for lat, lon in pts[:5000]:
        grid.locate(lat, lon)
    single = 5000 / (time.perf_counter() - t)
    t = time.perf_counter()
    grid.locate_many(pts)
    batch = len(pts) / (time.perf_counter() - t)
    return {"grids": len(feats), "build_seconds": round(build, 3), "locate_per_second": round(single),
            "locate_many_per_second": round(batch)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--errors", action="store_true", help="print the failing cases")
    args = ap.parse_args()
    t = time.perf_counter()
    resolver = AddressResolver()
    build = time.perf_counter() - t
    cases = generate_cases()
    resolver.resolve("预热 cpca")
    t = time.perf_counter()
    result = evaluate(resolver, cases)
    seconds = time.perf_counter() - t
    errors = result.pop("errors")
    result["resolver_build_seconds"] = round(build, 3)
    result["resolve_per_second"] = round(len(cases) / seconds, 1)
    other_sets = {"fresh": HANDWRITTEN_FRESH, "third": HANDWRITTEN_THIRD, "fourth": HANDWRITTEN_FOURTH, "fifth": HANDWRITTEN_FIFTH}
    for half in ("dev", "test", "fresh", "third", "fourth", "fifth"):
        path = other_sets.get(half)
        hand = evaluate(resolver, handwritten_cases(None, path=path) if path else handwritten_cases(half))
        result[f"handwritten_{half}"] = {k: hand[k] for k in ("n_cases", "county_accuracy", "town_accuracy",
                                                               "n_town_cases", "no_place_county_guesses", "per_kind")}
        errors += hand["errors"]
    result["grid"] = grid_speed()
    print(json.dumps(result, ensure_ascii=False, indent=1))
    if args.errors:
        for e in errors:
            print(json.dumps(e, ensure_ascii=False))


if __name__ == "__main__":
    main()
