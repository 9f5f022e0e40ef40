"""Our workflow states as Open311's two statuses (pure: imports only the workflow table).

"closed" is what the citizen sees once the answer has been given: every final state
(直接办结, 办结, 并单, 无效) and also 已答复 and 已回访, although the centre's own loop (callback,
review, possible reopening) still runs. A reopened appeal is "open" again.
"""

from __future__ import annotations

from jishiban.appeals.workflow import FINAL_STATES, State

OPEN = "open"
CLOSED = "closed"
STATUSES = (OPEN, CLOSED)

CLOSED_STATES = frozenset(FINAL_STATES | {State.REPLIED, State.CALLBACK_DONE})
OPEN_STATES = frozenset(set(State) - CLOSED_STATES)


def open311_status(state: str) -> str:
    return CLOSED if state in CLOSED_STATES else OPEN


def states_for(statuses: list[str]) -> list[str]:
    """The workflow states behind the given Open311 statuses."""
    states: set[str] = set()
    if OPEN in statuses:
        states |= {str(s) for s in OPEN_STATES}
    if CLOSED in statuses:
        states |= {str(s) for s in CLOSED_STATES}
    return sorted(states)
