"""A withdrawn appeal (撤回, the citizen's act before any answer) counts as withdrawn, not as
invalid, and its unit is not held to the deadlines after the withdrawal (no database)."""

from jishiban.analytics.metrics import Clock, counters, evaluate

from .test_metrics_pure import T0, D, H, facts, totals


def test_withdrawn_appeal_counts_as_withdrawn_and_stays_valid_intake():
    f = facts(("dispatch", T0, {"lead_unit": "w"}), ("withdraw", T0 + H, {"unit": "w"}), status="withdrawn")
    t = totals(f)
    assert t["withdrawn"] == 1 and t["valid_received"] == 1 and t["received"] == 1
    assert "invalid" not in t and "merged" not in t
    assert evaluate("withdrawn", t).value == 1


def test_deadlines_after_the_withdrawal_count_nowhere():
    f = facts(("dispatch", T0, {"lead_unit": "w"}), ("withdraw", T0 + H, {"unit": "w"}), status="withdrawn")
    t = totals(f, now=T0 + 30 * D)
    assert t.get("sign_due", 0) == 0 and t.get("reply_due", 0) == 0


def test_withdrawal_after_a_missed_sign_deadline_still_counts_the_late_sign_off():
    f = facts(("dispatch", T0, {"lead_unit": "w"}), ("withdraw", T0 + 3 * H, {"unit": "w"}), status="withdrawn")
    by_unit = {(name, unit): n for (name, _d, unit), n in counters(f, Clock(now=T0 + 30 * D)).items()}
    assert by_unit[("sign_due", "w")] == 1 and by_unit.get(("sign_on_time", "w"), 0) == 0
    assert by_unit.get(("reply_due", "w"), 0) == 0
