"""The history simulator without a database: every walk is a legal path through the table."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from jishiban.appeals.workflow import State, next_state
from jishiban.demo.history import Plan, Rates, card_at, simulate
from jishiban.demo.texts import LEAF_TEMPLATES

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ACTORS = {"receive": "operator", "answer": "operator", "desk": "dispatcher", "review": "supervisor",
          "callback": "operator"}


class FlatClock:
    """Every minute counts; sign 2 h, reply 3 days, yellow 1 day before, return window 1 day."""

    def dispatch_deadlines(self, at):
        reply = at + timedelta(days=3)
        return {"sign_deadline": at + timedelta(hours=2), "reply_deadline": reply,
                "yellow_at": self.yellow_for(reply, at), "return_deadline": at + timedelta(days=1)}

    def yellow_for(self, deadline, start):
        return max(deadline - timedelta(days=1), start)

    def extension_limit(self, deadline):
        return deadline + timedelta(days=10)

    def add_days(self, moment, days):
        return moment + timedelta(days=days)

    def after(self, moment, minutes):
        return moment + timedelta(minutes=max(1.0, minutes))

    def minutes_between(self, start, end):
        return (end - start).total_seconds() / 60

    def local_date(self, moment) -> date:
        return moment.date()


def plan(rng, *, kind="dispatch", returns=0, halt="") -> Plan:
    leads = [f"unit-{i}" for i in range(returns + 1)]
    return Plan(received_at=START, leaf=rng.choice(sorted(LEAF_TEMPLATES)), kind=kind, leads=leads,
                explanations=["rule"] * len(leads), co_units=["town-1"] if rng.random() < 0.3 else [],
                merge_into="JN2026030100001" if kind == "merge" else "", halt=halt, actors=ACTORS,
                receive_payload={"channel": "12345-phone", "external_id": None})


def assert_legal(history):
    steps = history.steps
    assert (steps[0].action, steps[0].source, steps[0].target) == ("receive", "", "received")
    for before, step in zip(steps, steps[1:], strict=False):
        assert step.source == before.target
        assert next_state(step.source, step.action) == step.target
        assert step.at >= before.at
    assert steps[-1].target == history.status
    assert history.fields["version"] == len(steps)


@pytest.mark.parametrize("seed", range(40))
def test_random_walks_are_legal_paths_that_end_in_their_status(seed):
    rng = random.Random(seed)
    for kind in ("dispatch", "dispatch", "dispatch", "answer", "invalid", "merge", "withdraw"):
        now = START + timedelta(days=rng.choice((0.01, 0.5, 2, 5, 30, 200)))
        history = simulate(plan(rng, kind=kind, returns=rng.choice((0, 0, 1, 2))), FlatClock(), now, rng,
                           Rates(extension=0.3, review_reject=0.2, reopen_after_close=0.2, stuck=0.2))
        assert_legal(history)
        assert all(step.at <= now for step in history.steps)
        actions = [s.action for s in history.steps]
        assert history.fields["return_count"] == actions.count("return")
        assert history.fields["reopen_count"] == actions.count("reopen")


@pytest.mark.parametrize("halt", [s.value for s in State])
def test_a_plan_can_stop_in_every_state(halt):
    rng = random.Random(halt)
    kind = {"answered": "answer", "invalid": "invalid", "merged": "merge", "withdrawn": "withdraw"}.get(halt, "dispatch")
    history = simulate(plan(rng, kind=kind, returns=1 if halt == "returned" else 0, halt=halt), FlatClock(),
                       START + timedelta(days=120), rng)
    assert_legal(history)
    assert history.status == halt


def test_nothing_happens_after_now():
    rng = random.Random(1)
    history = simulate(plan(rng), FlatClock(), START + timedelta(minutes=1), rng)
    assert [s.action for s in history.steps] == ["receive"]
    assert history.status == "received"


def test_returns_stay_inside_the_return_window_and_redispatch_to_the_next_unit():
    for seed in range(30):
        rng = random.Random(seed)
        history = simulate(plan(rng, returns=2), FlatClock(), START + timedelta(days=60), rng)
        dispatches = [s for s in history.steps if s.action == "dispatch"]
        assert [d.payload["lead_unit"] for d in dispatches] == ["unit-0", "unit-1", "unit-2"]
        assert [d.payload["redispatch"] for d in dispatches] == [False, True, True]
        for step in history.steps:
            if step.action == "request-return":
                last = max(d.at for d in dispatches if d.at <= step.at)
                assert step.at <= last + timedelta(days=1)


def test_cards_follow_refresh_cards_rules():
    now = START
    assert card_at("accepted", now - timedelta(minutes=1), now - timedelta(days=1), now) == "red"
    assert card_at("accepted", now + timedelta(hours=1), now - timedelta(hours=1), now) == "yellow"
    assert card_at("accepted", now + timedelta(days=2), now + timedelta(days=1), now) == ""
    assert card_at("replied", now - timedelta(days=1), now - timedelta(days=2), now) == ""
