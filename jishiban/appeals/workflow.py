"""The closed loop of an appeal as a pure transition table (no Django import).

States and actions are plain strings so the table can be read, tested and drawn
without a database. ``services.py`` is the only caller that writes.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    RECEIVED = "received"  # 已受理
    ANSWERED = "answered"  # 直接办结
    DISPATCHED = "dispatched"  # 已派单
    ACCEPTED = "accepted"  # 已签收
    RETURNED = "returned"  # 已退单
    EXTENSION_REQUESTED = "extension_requested"  # 延期申请中
    REPLIED = "replied"  # 已答复
    CALLBACK_DONE = "callback_done"  # 已回访
    REOPENED = "reopened"  # 重办
    CLOSED = "closed"  # 已办结
    MERGED = "merged"  # 已并单
    INVALID = "invalid"  # 无效
    WITHDRAWN = "withdrawn"  # 已撤回（诉求人在答复前撤回）
    RETURN_REQUESTED = "return_requested"  # 退单待审（单位申请退单，中心审核中）


class Action(StrEnum):
    RECEIVE = "receive"
    ANSWER = "answer"  # 直接办结
    DISPATCH = "dispatch"  # 派单 / 改派
    ACCEPT = "accept"  # 签收
    RETURN = "return"  # 退单（退单审核通过：只从“退单待审”）
    REQUEST_EXTENSION = "request-extension"
    DECIDE_EXTENSION = "decide-extension"
    REPLY = "reply"  # 答复
    CALLBACK = "callback"  # 回访
    CLOSE = "close"  # 办结
    REOPEN = "reopen"  # 重办
    MERGE = "merge"  # 并单
    INVALIDATE = "invalidate"  # 无效
    WITHDRAW = "withdraw"  # 撤回（诉求人）
    # Recorded by the system, never chosen by a user (no transition; see services):
    PARENT_RESULT = "parent-result"  # 随主件答复（并单件）
    # 退单审核: the unit asks, the centre approves (the ``return`` above, back to dispatch) or rejects.
    REQUEST_RETURN = "request-return"  # 申请退单
    REJECT_RETURN = "reject-return"  # 驳回退单（回到单位，附理由）


# Appeals that no longer count as a matter of their own (merged into another, judged invalid,
# withdrawn by the citizen): duplicate and repeat checks, hot events and spikes leave them out.
GONE = frozenset({State.MERGED, State.INVALID, State.WITHDRAWN})

# Actions the system records; no role chooses them (``accounts.policy.ACTION_ROLES`` has no entry).
SYSTEM_ACTIONS = frozenset({Action.RECEIVE, Action.PARENT_RESULT})

S, A = State, Action

# (state, action) -> next state
TRANSITIONS: dict[tuple[State, Action], State] = {
    (S.RECEIVED, A.ANSWER): S.ANSWERED,
    (S.RECEIVED, A.DISPATCH): S.DISPATCHED,
    (S.RECEIVED, A.MERGE): S.MERGED,
    (S.RECEIVED, A.INVALIDATE): S.INVALID,
    (S.RETURNED, A.DISPATCH): S.DISPATCHED,  # 改派
    (S.RETURNED, A.ANSWER): S.ANSWERED,
    (S.RETURNED, A.MERGE): S.MERGED,
    (S.RETURNED, A.INVALIDATE): S.INVALID,
    (S.DISPATCHED, A.DISPATCH): S.DISPATCHED,  # re-dispatch before sign-off
    (S.DISPATCHED, A.ACCEPT): S.ACCEPTED,
    (S.DISPATCHED, A.MERGE): S.MERGED,
    (S.REOPENED, A.ACCEPT): S.ACCEPTED,
    (S.ACCEPTED, A.REQUEST_EXTENSION): S.EXTENSION_REQUESTED,
    (S.ACCEPTED, A.REPLY): S.REPLIED,
    (S.EXTENSION_REQUESTED, A.DECIDE_EXTENSION): S.ACCEPTED,  # approved or refused, work goes on
    (S.REPLIED, A.CALLBACK): S.CALLBACK_DONE,
    (S.REPLIED, A.REOPEN): S.REOPENED,  # reply rejected on review
    (S.REPLIED, A.CLOSE): S.CLOSED,  # e.g. citizen unreachable for the callback
    (S.CALLBACK_DONE, A.CLOSE): S.CLOSED,
    (S.CALLBACK_DONE, A.REOPEN): S.REOPENED,
    (S.CLOSED, A.REOPEN): S.REOPENED,
    # The citizen withdraws an appeal that is not answered yet (a reopened one is unanswered again).
    **{(state, A.WITHDRAW): S.WITHDRAWN for state in (S.RECEIVED, S.RETURNED, S.DISPATCHED, S.ACCEPTED,
                                                      S.EXTENSION_REQUESTED, S.REOPENED)},
    # 退单审核: every return by a unit is a request (within the return window) that waits for the
    # centre; approved, it is the return itself (the ``return`` event every reader of returns
    # knows); rejected, the unit has it again to sign. There is no direct ``return``: the centre
    # corrects its own dispatch by re-dispatching (改派) before sign-off, which counts against
    # no unit, where a return would count against the unit that never asked.
    (S.DISPATCHED, A.REQUEST_RETURN): S.RETURN_REQUESTED,
    (S.ACCEPTED, A.REQUEST_RETURN): S.RETURN_REQUESTED,
    (S.RETURN_REQUESTED, A.RETURN): S.RETURNED,
    (S.RETURN_REQUESTED, A.REJECT_RETURN): S.DISPATCHED,
    (S.RETURN_REQUESTED, A.WITHDRAW): S.WITHDRAWN,
}

# While an extension request is pending the unit goes on working and may reply; the reply moots
# the request (``services.reply`` records it on the reply's event).
TRANSITIONS[(S.EXTENSION_REQUESTED, A.REPLY)] = S.REPLIED

# Who may take each action is the role policy's business (``accounts.policy.ACTION_ROLES``).

# 退单's unit: the unit that asked to give the appeal back. The request, the return that approves
# it and the rejection each name it in ``payload["unit"]`` (its code), never through the event's
# ``actor_unit``: that is the unit of whoever acted, the centre's reviewer for an approved return.
RETURN_EVENTS = frozenset({Action.REQUEST_RETURN, Action.RETURN, Action.REJECT_RETURN})
RETURNING_UNIT_KEY = "unit"


def returning_unit(payload: dict | None) -> str | None:
    """The code of the unit a return event (``RETURN_EVENTS``) is about: the one definition every
    reader of returns uses (pages, the figures, letters, disputes, routing's learning)."""
    return (payload or {}).get(RETURNING_UNIT_KEY) or None

OPEN_STATES = frozenset(
    {S.RECEIVED, S.DISPATCHED, S.ACCEPTED, S.RETURNED, S.EXTENSION_REQUESTED, S.REOPENED}
    | {S.RETURN_REQUESTED}
)
# States in which a handling unit holds the appeal and the reply deadline runs.
HANDLING_STATES = frozenset({S.DISPATCHED, S.ACCEPTED, S.EXTENSION_REQUESTED, S.REOPENED}
                            | {S.RETURN_REQUESTED})  # the unit's clock runs while its return is reviewed
FINAL_STATES = frozenset({S.ANSWERED, S.CLOSED, S.MERGED, S.INVALID, S.WITHDRAWN})


class TransitionNotAllowed(Exception):
    def __init__(self, state: str, action: str):
        self.state, self.action = state, action
        super().__init__(f"action {action!r} is not allowed in state {state!r}")


def next_state(state: str, action: str) -> State:
    """The state after ``action`` from ``state``; raises ``TransitionNotAllowed``."""
    try:
        return TRANSITIONS[(State(state), Action(action))]
    except (KeyError, ValueError):
        raise TransitionNotAllowed(state, action)


def actions_from(state: str) -> list[Action]:
    return [action for (source, action) in TRANSITIONS if source == state]

