"""The pure core: order life cycle, trigger rules, rates, back-off, periods (no database)."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jishiban.supervision.rules import (
    AppealFacts,
    OrderTransitionError,
    PeriodError,
    RuleView,
    appeal_is_solved,
    backoff_seconds,
    order_actions_from,
    order_level,
    order_next,
    parse_period,
    rate,
    reasons_for,
)

ALL_ON = {r: RuleView(r, True, t) for r, t in
          (("overdue", 0), ("returned", 2), ("dissatisfied", 0), ("repeat", 3), ("risk", 0))}


def test_jining_figures_give_95_64_percent_not_96_64():
    # 9,006 solved of 9,417 supervised: the published 96.64 % does not follow from the counts.
    assert rate(9006, 9417) == Decimal("95.64")
    assert rate(0, 0) is None
    assert rate(1, 3) == Decimal("33.33") and rate(2, 3) == Decimal("66.67")


@given(st.integers(0, 10**6), st.integers(1, 10**6))
def test_rate_is_between_0_and_100_when_part_is_within_whole(part, whole):
    part = min(part, whole)
    assert Decimal(0) <= rate(part, whole) <= Decimal(100)


def test_order_life_cycle():
    assert order_next("open", "respond") == "responded"
    assert order_next("responded", "reject") == "open"
    assert order_next("escalated", "escalate") == "escalated"
    assert order_next("responded", "close") == "closed"
    with pytest.raises(OrderTransitionError):
        order_next("closed", "respond")
    with pytest.raises(OrderTransitionError):
        order_next("responded", "escalate")
    assert order_actions_from("closed") == []


def test_solved_needs_closed_and_a_positive_verdict():
    assert appeal_is_solved("closed", True, "")
    assert appeal_is_solved("closed", None, "basically")
    assert not appeal_is_solved("closed", False, "dissatisfied")
    assert not appeal_is_solved("closed", None, "")  # unreachable closure
    assert not appeal_is_solved("callback_done", True, "satisfied")


def test_each_trigger_fires_on_its_facts_only():
    assert reasons_for(AppealFacts(card="red", handling=True), ALL_ON) == ["overdue"]
    assert reasons_for(AppealFacts(card="red", handling=False), ALL_ON) == []
    assert reasons_for(AppealFacts(return_count=2, handling=True), ALL_ON) == ["returned"]
    assert reasons_for(AppealFacts(return_count=1, handling=True), ALL_ON) == []
    assert reasons_for(AppealFacts(satisfaction="dissatisfied", after_callback=True), ALL_ON) == ["dissatisfied"]
    assert reasons_for(AppealFacts(satisfaction="satisfied", solved=False, after_callback=True), ALL_ON) == [
        "dissatisfied"]
    assert reasons_for(AppealFacts(repeat_count=3, handling=True), ALL_ON) == ["repeat"]
    assert reasons_for(AppealFacts(repeat_count=2, handling=True), ALL_ON) == []
    assert reasons_for(AppealFacts(tags=("repeat:smart",), handling=True), ALL_ON) == ["repeat"]
    assert reasons_for(AppealFacts(tags=("risk:group_incident", "x"), handling=True), ALL_ON) == ["risk"]
    assert reasons_for(AppealFacts(card="red", return_count=3, tags=("risk:x",), handling=True), ALL_ON) == [
        "overdue", "returned", "risk"]


def test_a_disabled_rule_never_fires():
    rules = {**ALL_ON, "overdue": RuleView("overdue", False, 0)}
    assert reasons_for(AppealFacts(card="red", handling=True), rules) == []


def test_order_level_follows_the_rule_or_the_unit():
    assert order_level("city", "county") == "city"
    assert order_level("unit", "county") == "county"
    assert order_level("unit", "town") == "county"
    assert order_level("unit", "city") == "city"


def test_backoff_doubles_and_is_capped():
    assert [backoff_seconds(n, 60) for n in range(5)] == [0, 60, 120, 240, 480]
    assert backoff_seconds(30, 60) == 6 * 3600


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2026-11", date(2026, 11, 1), date(2026, 11, 30)),
    ("2026-2", date(2026, 2, 1), date(2026, 2, 28)),
    ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
    ("2026", date(2026, 1, 1), date(2026, 12, 31)),
    ("2026-08-01..2026-11-30", date(2026, 8, 1), date(2026, 11, 30)),
])
def test_periods(text, start, end):
    period = parse_period(text)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("text", ["", "2026-13", "Nov 2026", "2026-11-30..2026-11-01", "2026-02-30..2026-03-01"])
def test_bad_periods_are_refused(text):
    with pytest.raises(PeriodError):
        parse_period(text)
