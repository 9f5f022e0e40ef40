"""Where an assessed metric's counter sums come from, by name (the scheme's ``sources``).

``figures`` is the daily tables. Another source — grid work once it exists — is a function
``(level, start, end) -> {unit id: {counter: n}}`` registered here under its name; a scheme
that names it takes its counts for the metrics it lists, with no change to the scoring.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from .borrowed import FigureScope
from .selectors import totals

Source = Callable[[str, date, date], dict[int, dict[str, int]]]


def figures(level: str, start: date, end: date) -> dict[int, dict[str, int]]:
    return totals(FigureScope("everything"), start, end, group="county" if level == "county" else "unit")


SOURCES: dict[str, Source] = {"figures": figures}


def counts_for(level: str, start: date, end: date, scheme: dict) -> dict[int, dict[str, int]]:
    """Counter sums per unit: the daily tables, overlaid by each other source a scheme names."""
    base = SOURCES["figures"](level, start, end)
    for name in sorted(set((scheme.get("sources") or {}).values()) - {"figures"}):
        if name not in SOURCES:
            raise KeyError(name)
        for unit, counts in SOURCES[name](level, start, end).items():
            base.setdefault(unit, {}).update(counts)
    return base


def grid(level: str, start: date, end: date) -> dict[int, dict[str, int]]:
    """Grid work per county (``grid/figures.py``); departments have none."""
    from jishiban.grid.figures import county_counts

    return county_counts(start, end) if level == "county" else {}


SOURCES["grid"] = grid
