"""The grid event loop of GB/T 30428 as a pure transition table (no Django).

信息收集 → 案卷建立 → 任务派遣 → 任务处理 → 处理反馈 → 核实结案 → 综合评价. A worker may
solve an event on the spot (就地解决: filed → closed), or escalate it (to the town, or into the
12345 pipeline as an appeal); a town that cannot solve what it received passes it up to the county
(乡镇 → 县市区: dispatched again, now the county's); the handler's result comes back as 处理反馈, and the worker
verifies it on site (核查 → closed) or sends it back (返工 → handling again).
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    COLLECTED = "collected"  # 信息收集
    FILED = "filed"  # 案卷建立
    DISPATCHED = "dispatched"  # 任务派遣
    HANDLING = "handling"  # 任务处理
    FED_BACK = "fed_back"  # 处理反馈
    CLOSED = "closed"  # 核实结案
    EVALUATED = "evaluated"  # 综合评价
    INVALID = "invalid"  # 不予立案


class Action(StrEnum):
    COLLECT = "collect"
    FILE = "file"
    SOLVE_ON_SPOT = "solve_on_spot"
    ESCALATE_TOWN = "escalate_town"
    ESCALATE_APPEAL = "escalate_appeal"
    ESCALATE_COUNTY = "escalate_county"
    START = "start"
    FEED_BACK = "feed_back"
    VERIFY = "verify"
    REWORK = "rework"
    EVALUATE = "evaluate"
    INVALIDATE = "invalidate"


S, A = State, Action

TRANSITIONS: dict[tuple[State | None, Action], State] = {
    (None, A.COLLECT): S.COLLECTED,
    (S.COLLECTED, A.FILE): S.FILED,
    (S.COLLECTED, A.INVALIDATE): S.INVALID,
    (S.FILED, A.INVALIDATE): S.INVALID,
    (S.FILED, A.SOLVE_ON_SPOT): S.CLOSED,
    (S.FILED, A.ESCALATE_TOWN): S.DISPATCHED,
    (S.FILED, A.ESCALATE_APPEAL): S.DISPATCHED,
    (S.DISPATCHED, A.START): S.HANDLING,
    (S.DISPATCHED, A.ESCALATE_COUNTY): S.DISPATCHED,
    (S.HANDLING, A.ESCALATE_COUNTY): S.DISPATCHED,
    (S.DISPATCHED, A.FEED_BACK): S.FED_BACK,
    (S.HANDLING, A.FEED_BACK): S.FED_BACK,
    (S.FED_BACK, A.VERIFY): S.CLOSED,
    (S.FED_BACK, A.REWORK): S.HANDLING,
    (S.CLOSED, A.EVALUATE): S.EVALUATED,
}

OPEN = frozenset({S.COLLECTED, S.FILED, S.DISPATCHED, S.HANDLING, S.FED_BACK})
FINISHED = frozenset({S.CLOSED, S.EVALUATED, S.INVALID})


class TransitionError(ValueError):
    def __init__(self, state, action):
        super().__init__(f"{action} is not allowed from {state}")
        self.state, self.action = state, action


def next_state(state: State | str | None, action: Action | str) -> State:
    """The state after ``action`` from ``state``; ``TransitionError`` when the table refuses."""
    key = (State(state) if state else None, Action(action))
    try:
        return TRANSITIONS[key]
    except KeyError:
        raise TransitionError(state, action) from None


def allowed(state: State | str | None) -> list[Action]:
    st = State(state) if state else None
    return [a for (s, a) in TRANSITIONS if s == st]
