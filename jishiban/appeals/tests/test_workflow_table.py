"""The pure transition table: every listed transition is allowed, every other pair refused."""

import itertools

import pytest

from jishiban.accounts.policy import ACTION_ROLES, role_may
from jishiban.appeals.workflow import (
    FINAL_STATES,
    SYSTEM_ACTIONS,
    TRANSITIONS,
    Action,
    State,
    TransitionNotAllowed,
    actions_from,
    next_state,
)


@pytest.mark.parametrize(("state", "action"), list(TRANSITIONS))
def test_every_listed_transition_is_allowed(state, action):
    assert next_state(state, action) == TRANSITIONS[(state, action)]


UNLISTED = [(s, a) for s, a in itertools.product(State, Action) if (s, a) not in TRANSITIONS]


@pytest.mark.parametrize(("state", "action"), UNLISTED)
def test_every_unlisted_transition_is_refused(state, action):
    with pytest.raises(TransitionNotAllowed):
        next_state(state, action)


def test_unknown_state_or_action_is_refused_not_crashing():
    with pytest.raises(TransitionNotAllowed):
        next_state("nonsense", "dispatch")
    with pytest.raises(TransitionNotAllowed):
        next_state("received", "nonsense")


def test_final_states_have_no_way_out_except_reopening_a_closed_appeal():
    for state in FINAL_STATES:
        assert [str(a) for a in actions_from(state)] == (["reopen"] if state == State.CLOSED else [])


def test_every_state_is_reachable_from_received():
    seen, frontier = {State.RECEIVED}, [State.RECEIVED]
    while frontier:
        state = frontier.pop()
        for action in actions_from(state):
            target = TRANSITIONS[(state, action)]
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    assert seen == set(State)


def test_every_action_but_the_systems_own_has_roles():
    assert set(ACTION_ROLES) == set(Action) - SYSTEM_ACTIONS
    assert role_may("handler", "reply") and not role_may("handler", "dispatch")
    assert role_may("citizen", "callback") and not role_may("citizen", "close")
    assert not role_may("leader", "dispatch") and not role_may("analyst", "reply")
