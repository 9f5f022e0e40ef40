"""The arithmetic and rules of supervision as plain Python (no Django import).

* the order life cycle (督办单) as a transition table;
* which automatic triggers an appeal meets, from plain facts;
* the solved rate (exact, ``Decimal``, half-up to 0.01 %);
* retry back-off for notification deliveries;
* reporting periods such as ``2026-11``, ``2026-Q4``, ``2026`` or ``2026-08-01..2026-11-30``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

# --- the order life cycle ---------------------------------------------------------------------

OPEN, RESPONDED, ESCALATED, CLOSED = "open", "responded", "escalated", "closed"
ORDER_STATES = (OPEN, RESPONDED, ESCALATED, CLOSED)
ACTIVE_ORDER_STATES = frozenset({OPEN, RESPONDED, ESCALATED})

ORDER_TRANSITIONS: dict[tuple[str, str], str] = {
    (OPEN, "respond"): RESPONDED,
    (ESCALATED, "respond"): RESPONDED,
    (RESPONDED, "reject"): OPEN,  # the response did not satisfy the supervisor: work on
    (OPEN, "escalate"): ESCALATED,
    (ESCALATED, "escalate"): ESCALATED,  # missed again: one level further up
    (OPEN, "close"): CLOSED,
    (RESPONDED, "close"): CLOSED,
    (ESCALATED, "close"): CLOSED,
}


class OrderTransitionError(Exception):
    def __init__(self, state: str, action: str):
        self.state, self.action = state, action
        super().__init__(f"order action {action!r} is not allowed in state {state!r}")


def order_next(state: str, action: str) -> str:
    """The order state after ``action``; raises ``OrderTransitionError``."""
    try:
        return ORDER_TRANSITIONS[(state, action)]
    except KeyError:
        raise OrderTransitionError(state, action)


def order_actions_from(state: str) -> list[str]:
    return [action for (source, action) in ORDER_TRANSITIONS if source == state]


# --- what counts as solved ---------------------------------------------------------------------

SOLVED_SATISFACTION = frozenset({"satisfied", "basically"})


def appeal_is_solved(status: str, solved: bool | None, satisfaction: str) -> bool:
    """An appeal counts as solved when it is closed and the citizen said it was solved or was
    (basically) satisfied. Closed without a verdict (e.g. unreachable) is not solved."""
    return status == "closed" and (solved is True or satisfaction in SOLVED_SATISFACTION)


def rate(part: int, whole: int) -> Decimal | None:
    """``part / whole`` as a percentage rounded half-up to two places; ``None`` when whole is 0.

    >>> rate(9006, 9417)
    Decimal('95.64')
    """
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- automatic triggers -----------------------------------------------------------------------


@dataclass(frozen=True)
class AppealFacts:
    """What the triggers look at; built from an appeal by ``triggers.facts_for``."""

    card: str = ""
    return_count: int = 0
    satisfaction: str = ""
    solved: bool | None = None
    tags: tuple[str, ...] = ()
    repeat_count: int = 0  # same phone + same category within the window, this one included
    handling: bool = False  # a unit holds it (dispatched, accepted, extension requested, reopened)
    after_callback: bool = False


@dataclass(frozen=True)
class RuleView:
    reason: str
    enabled: bool = True
    threshold: int = 0


RISK_PREFIX = "risk:"
REPEAT_TAGS = ("repeat", "repeat:")


def risk_tags(tags) -> list[str]:
    return [t for t in tags if isinstance(t, str) and t.startswith(RISK_PREFIX)]


def has_repeat_tag(tags) -> bool:
    return any(isinstance(t, str) and (t == REPEAT_TAGS[0] or t.startswith(REPEAT_TAGS[1])) for t in tags)


def reasons_for(facts: AppealFacts, rules: dict[str, RuleView]) -> list[str]:
    """The automatic reasons ``facts`` meet, in a fixed order. Only enabled rules count; the
    promise trigger works on follow-ups, not on these facts."""

    def on(reason: str) -> RuleView | None:
        rule = rules.get(reason)
        return rule if rule is not None and rule.enabled else None

    found: list[str] = []
    if on("overdue") and facts.handling and facts.card == "red":
        found.append("overdue")
    if (rule := on("returned")) and facts.handling and facts.return_count >= max(rule.threshold, 1):
        found.append("returned")
    if on("dissatisfied") and facts.after_callback and (facts.satisfaction == "dissatisfied" or facts.solved is False):
        found.append("dissatisfied")
    if (rule := on("repeat")) and facts.handling and (
        (rule.threshold and facts.repeat_count >= rule.threshold) or has_repeat_tag(facts.tags)
    ):
        found.append("repeat")
    if on("risk") and facts.handling and risk_tags(facts.tags):
        found.append("risk")
    return found


def order_level(rule_level: str, unit_level: str) -> str:
    """The level of an automatic order: fixed by the rule, or the handling unit's level."""
    if rule_level in ("city", "county"):
        return rule_level
    return "city" if unit_level == "city" else "county"


# --- delivery retries -------------------------------------------------------------------------


def backoff_seconds(attempts: int, base: int, cap: int = 6 * 3600) -> int:
    """Wait before attempt ``attempts + 1``: base, 2×base, 4×base … capped (default 6 h)."""
    if attempts < 1:
        return 0
    return int(min(cap, base * (2 ** (attempts - 1))))


# --- reporting periods ------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Calendar days ``start`` … ``end`` inclusive, with the label the user typed."""

    label: str
    start: date
    end: date
    days: int = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "days", (self.end - self.start).days + 1)

    @property
    def end_exclusive(self) -> date:
        return self.end + timedelta(days=1)


_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*(?:\.\.|~|至)\s*(\d{4}-\d{2}-\d{2})$")


class PeriodError(ValueError):
    pass


def parse_period(text: str) -> Period:
    """``2026-11`` (a month), ``2026-Q4``, ``2026`` or ``2026-08-01..2026-11-30`` (inclusive).

    Raises ``PeriodError`` with a message naming the accepted forms.
    """
    value = (text or "").strip()
    try:
        if m := _MONTH.match(value):
            year, month = int(m[1]), int(m[2])
            last = calendar.monthrange(year, month)[1]
            return Period(f"{year}-{month:02d}", date(year, month, 1), date(year, month, last))
        if m := _QUARTER.match(value):
            year, q = int(m[1]), int(m[2])
            first_month = 3 * q - 2
            last = calendar.monthrange(year, first_month + 2)[1]
            return Period(f"{year}-Q{q}", date(year, first_month, 1), date(year, first_month + 2, last))
        if m := _YEAR.match(value):
            year = int(m[1])
            return Period(str(year), date(year, 1, 1), date(year, 12, 31))
        if m := _RANGE.match(value):
            start, end = date.fromisoformat(m[1]), date.fromisoformat(m[2])
            if end < start:
                raise PeriodError(f"period {value!r} ends before it starts")
            return Period(f"{start.isoformat()}..{end.isoformat()}", start, end)
    except ValueError as exc:
        if isinstance(exc, PeriodError):
            raise
        raise PeriodError(f"period {value!r} is not a real date: {exc}")
    raise PeriodError(f"period {value!r} is not understood; use 2026-11, 2026-Q4, 2026 or 2026-08-01..2026-11-30")
