"""Monthly assessment (考核) of counties and departments: scoring and ranking as plain Python.

A scheme is data (``analytics.Scheme`` keeps every version; a published ranking names the
version it used, so it recomputes identically after the scheme changes):

    {"weights": {"response_rate": 30, "solved_rate": 35, "satisfaction_rate": 35},
     "params": {"basically_weight": 1, "stepwise_weight": 0},      # metric parameters
     "thresholds": {"on_time_rate": {"below": 95, "per_point": 1}},  # deduct per point below
     "deductions": {"late_replies": 0.2, "returned": 0.1, "reopened": 0.5, "supervised": 0.5},
     "grades": {"advanced": 3, "advanced_min": 90, "progress_places": 3, "rectify": 3},
     "letters": 3, "letter_overdue": 5, "interview_after": 3,
     "sources": {"response_rate": "figures"}}

Each weighted metric gives ``value × weight / 100`` points (its value is a percentage; a unit
with nothing due that month gets the full weight: nothing to fail). Thresholds deduct
``per_point`` for each percentage point (or part) below ``below``; count deductions take
``points × count``, and count ``marked_factor`` times (2: doubled) for appeals marked 领导批示
or 媒体关注 (``metrics.MARKED_TAGS``; the extra part is its own line of the breakdown,
``late_replies*marked`` …; a scheme saved without the key counts them once, so rankings
published before it recompute unchanged); a score never falls below 0. A metric's *source* names where its counter sums come from — ``figures``,
the daily tables, by default; another source (grid work once it exists) is registered by name
and referred to from the scheme, with no change here.

Grades: 先进 for the top ``advanced`` units scoring at least ``advanced_min`` with something
assessed (a unit with nothing due is not 先进); 整改 for the
bottom ``rectify``; 进步 for the others that rose ``progress_places`` or more since last month.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from . import metrics

ADVANCED, PROGRESS, RECTIFY = "先进", "进步", "整改"
# Count deductions: the name in the scheme → how the count is made from counter sums.
COUNTS = {
    "late_replies": lambda t: int(t.get("reply_due", 0)) - int(t.get("reply_on_time", 0)),
    "returned": lambda t: int(t.get("returned", 0)),
    "reopened": lambda t: int(t.get("reopened", 0)),
    "supervised": lambda t: int(t.get("supervised", 0)),
    # 退单审核驳回: a return the centre judged unjustified after review
    "returned_unjustified": lambda t: int(t.get("return_rejected", 0)),
}
# The same counts among appeals marked 领导批示 / 媒体关注 (``metrics.MARKED_TAGS``).
MARKED_COUNTS = {
    "late_replies": lambda t: int(t.get("marked_reply_due", 0)) - int(t.get("marked_reply_on_time", 0)),
    "returned": lambda t: int(t.get("marked_returned", 0)),
    "reopened": lambda t: int(t.get("marked_reopened", 0)),
    "supervised": lambda t: int(t.get("marked_supervised", 0)),
    "returned_unjustified": lambda t: int(t.get("marked_return_rejected", 0)),
}
MARKED_SUFFIX = "*marked"
DEFAULT_SCHEME: dict = {
    "weights": {"response_rate": 30, "solved_rate": 35, "satisfaction_rate": 35},
    "params": {"basically_weight": 1, "stepwise_weight": 0},
    "thresholds": {"on_time_rate": {"below": 95, "per_point": 1}},
    "deductions": {"late_replies": 0.2, "returned": 0.1, "reopened": 0.5, "supervised": 0.5,
                   "returned_unjustified": 0.5},
    "grades": {"advanced": 3, "advanced_min": 90, "progress_places": 3, "rectify": 3},
    "letters": 3,
    "letter_overdue": 5,
    "interview_after": 3,
    "sources": {},
}


class SchemeError(ValueError):
    pass


def _q(x) -> Decimal:
    return Decimal(str(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def validate(scheme: Mapping) -> dict:
    """The scheme with defaults filled in; ``SchemeError`` (Chinese message) when it is wrong."""
    s = {**DEFAULT_SCHEME, **dict(scheme)}
    problems = []
    for name in list(s["weights"]) + list(s["thresholds"]):
        if name not in metrics.BY_NAME or metrics.BY_NAME[name].unit != "percent":
            problems.append(f"未知的率指标 {name}")
    for name in s["deductions"]:
        if name not in COUNTS:
            problems.append(f"未知的扣分项 {name}（可用：{'、'.join(COUNTS)}）")
    try:
        if float(s.get("marked_factor", 1)) < 1:
            problems.append("领导批示、媒体关注件的扣分倍数不能小于 1")
        total = sum(float(w) for w in s["weights"].values())
        if any(float(w) < 0 for w in s["weights"].values()):
            problems.append("权重不能为负")
        elif not math.isclose(total, 100):
            problems.append(f"权重之和须为 100（现为 {total:g}）")
    except (TypeError, ValueError):
        problems.append("权重须为数字")
    if problems:
        raise SchemeError("；".join(problems))
    return s


@dataclass
class Part:
    metric: str
    numerator: float | int | None
    denominator: int | None
    value: float | None
    weight: float
    points: float


@dataclass
class Score:
    unit: int
    total: float
    parts: list[Part] = field(default_factory=list)
    deductions: dict[str, float] = field(default_factory=dict)
    figures: dict[str, dict] = field(default_factory=dict)
    rank: int = 0
    previous_rank: int | None = None
    grade: str = ""

    @property
    def assessed(self) -> bool:
        """Something was due: at least one weighted metric has a denominator."""
        return any(p.denominator for p in self.parts)

    @property
    def movement(self) -> int | None:
        """Places risen since last month (negative: fallen)."""
        return None if self.previous_rank is None else self.previous_rank - self.rank


def score(unit: int, totals: Mapping[str, int], scheme: Mapping) -> Score:
    s = validate(scheme)
    params = s["params"]
    parts, points = [], Decimal(0)
    for name, weight in s["weights"].items():
        v = metrics.evaluate(name, totals, params)
        w = Decimal(str(weight))
        got = w if v.value is None else v.value * w / 100
        points += got
        parts.append(Part(name, v.as_dict()["numerator"], v.denominator, v.as_dict()["value"], float(w), float(_q(got))))
    deductions = {}
    for name, rule in s["thresholds"].items():
        v = metrics.evaluate(name, totals, params).value
        if v is not None and v < Decimal(str(rule["below"])):
            gap = math.ceil(float(Decimal(str(rule["below"])) - v))
            deductions[f"{name}<{rule['below']}"] = float(_q(gap * float(rule["per_point"])))
    factor = float(s.get("marked_factor", 1))
    for name, per in s["deductions"].items():
        n = COUNTS[name](totals)
        if n:
            deductions[name] = float(_q(n * float(per)))
        marked = MARKED_COUNTS[name](totals)
        if marked and factor != 1:  # the marked ones count ``factor`` times in all: the extra part
            deductions[name + MARKED_SUFFIX] = float(_q(marked * float(per) * (factor - 1)))
    total = max(Decimal(0), points - sum(Decimal(str(d)) for d in deductions.values()))
    figures = {name: v.as_dict() for name, v in metrics.evaluate_all(totals, params).items()}
    return Score(unit, float(_q(total)), parts, deductions, figures)


def rank(scores: list[Score], scheme: Mapping, previous: Mapping[int, int] | None = None) -> list[Score]:
    """Order by score (ties: same rank, then by unit id for a stable order) and grade."""
    s = validate(scheme)
    g = s["grades"]
    ordered = sorted(scores, key=lambda x: (-x.total, x.unit))
    last_total, last_rank = None, 0
    for i, sc in enumerate(ordered, start=1):
        if sc.total != last_total:
            last_rank, last_total = i, sc.total
        sc.rank = last_rank
        sc.previous_rank = (previous or {}).get(sc.unit)
    n = len(ordered)
    bottom = {sc.unit for sc in ordered[max(0, n - int(g["rectify"])):]} if n > int(g["rectify"]) else set()
    for i, sc in enumerate(ordered):
        if sc.unit in bottom:
            sc.grade = RECTIFY
        elif i < int(g["advanced"]) and sc.total >= float(g["advanced_min"]) and (sc.assessed or not sc.parts):
            sc.grade = ADVANCED
        elif sc.movement is not None and sc.movement >= int(g["progress_places"]):
            sc.grade = PROGRESS
    return ordered


def lagging(ranked: list[Score], scheme: Mapping) -> list[Score]:
    """The units the bottom of the ranking names (they get a reminder letter): the last
    ``letters`` places, but never a unit that lost no points."""
    n = int(validate(scheme)["letters"])
    if not n or len(ranked) <= n:
        return []
    full = sum(float(w) for w in validate(scheme)["weights"].values())
    return [s for s in ranked[-n:] if s.total < full]


def repeated_bottom(history: list[list[int]], times: int) -> list[int]:
    """Units named at the bottom in each of the last ``times`` months (约谈名单)."""
    if times <= 0 or len(history) < times:
        return []
    recent = [set(h) for h in history[-times:]]
    return sorted(set.intersection(*recent))
