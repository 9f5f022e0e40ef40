"""The grid event table (pure): every state reachable, finished states final, refusals clear."""

import pytest

from jishiban.grid.workflow import FINISHED, TRANSITIONS, Action, State, TransitionError, allowed, next_state


def test_every_state_is_reachable_from_collection():
    seen, todo = {State.COLLECTED}, [State.COLLECTED]
    while todo:
        state = todo.pop()
        for action in allowed(state):
            after = next_state(state, action)
            if after not in seen:
                seen.add(after)
                todo.append(after)
    assert seen == set(State)


def test_the_gbt_30428_path_escalated_and_verified():
    state = None
    for action in ("collect", "file", "escalate_appeal", "start", "feed_back", "verify", "evaluate"):
        state = next_state(state, action)
    assert state == State.EVALUATED


def test_rework_sends_a_result_back_to_handling_and_on_spot_closes_at_once():
    assert next_state(State.FED_BACK, Action.REWORK) == State.HANDLING
    assert next_state(State.FILED, Action.SOLVE_ON_SPOT) == State.CLOSED


@pytest.mark.parametrize("state", sorted(FINISHED - {State.CLOSED}))
def test_finished_events_take_no_action(state):
    assert allowed(state) == []
    with pytest.raises(TransitionError):
        next_state(state, Action.FEED_BACK)


def test_no_verification_without_a_result():
    with pytest.raises(TransitionError):
        next_state(State.HANDLING, Action.VERIFY)
    assert (State.DISPATCHED, Action.VERIFY) not in TRANSITIONS
