"""The metric definitions on hand-computed histories (no database)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from jishiban.analytics import metrics
from jishiban.analytics.history import Event, build_facts
from jishiban.analytics.metrics import Clock, counters, evaluate

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in 济宁, a Monday
H = timedelta(hours=1)
D = timedelta(days=1)


def deadlines(index, start):
    return start + 2 * H, start + 5 * D


def facts(*events, status="closed", **kw):
    return build_facts(received_at=T0, status=status, events=[Event(a, at, p) for a, at, p in events],
                       deadlines_for=deadlines, **kw)


def totals(*fs, now=T0 + 60 * D):
    out = {}
    for f in fs:
        for (name, _day, _unit), n in counters(f, Clock(now=now)).items():
            out[name] = out.get(name, 0) + n
    return out


def test_signed_in_time_and_late_give_half_response_rate():
    on_time = facts(("dispatch", T0, {"lead_unit": "w"}), ("accept", T0 + H, {}))
    late = facts(("dispatch", T0, {"lead_unit": "w"}), ("accept", T0 + 3 * H, {}))
    t = totals(on_time, late)
    assert (t["sign_due"], t["sign_on_time"]) == (2, 1)
    assert evaluate("response_rate", t).value == Decimal("50.00")


def test_cycle_returned_before_its_sign_deadline_is_not_counted_but_the_redispatch_is():
    f = facts(("dispatch", T0, {"lead_unit": "w"}), ("return", T0 + H, {"unit": "w"}),
              ("dispatch", T0 + 2 * H, {"lead_unit": "u"}), ("accept", T0 + 3 * H, {}))
    t = totals(f)
    assert t["sign_due"] == 1 and t["sign_on_time"] == 1
    assert t["dispatched"] == 1 and t["dispatches"] == 2 and t["returned"] == 1
    assert evaluate("return_rate", t).value == Decimal("50.00")
    by_unit = {(name, unit): n for (name, _d, unit), n in counters(f, Clock(now=T0 + 60 * D)).items()}
    assert by_unit[("returned", "w")] == 1 and by_unit[("sign_due", "u")] == 1


def test_unsigned_cycle_counts_only_once_its_deadline_has_passed():
    f = facts(("dispatch", T0, {"lead_unit": "w"}), status="dispatched")
    assert totals(f, now=T0 + H).get("sign_due", 0) == 0
    t = totals(f, now=T0 + 3 * H)
    assert (t["sign_due"], t.get("sign_on_time", 0)) == (1, 0)


def test_approved_extension_moves_the_reply_deadline_and_the_day_it_counts_on():
    new = T0 + 8 * D
    f = facts(("dispatch", T0, {"lead_unit": "w"}), ("accept", T0 + H, {}),
              ("request-extension", T0 + D, {}),
              ("decide-extension", T0 + 2 * D, {"approved": True, "new_deadline": new.isoformat()}),
              ("reply", T0 + 7 * D, {"result_type": "solved"}))
    c = counters(f, Clock(now=T0 + 60 * D))
    assert c[("reply_due", date(2026, 3, 10), "w")] == 1
    assert c[("reply_on_time", date(2026, 3, 10), "w")] == 1
    assert c[("extension_approved", date(2026, 3, 4), "w")] == 1
    refused = facts(("dispatch", T0, {"lead_unit": "w"}), ("accept", T0 + H, {}),
                    ("decide-extension", T0 + 2 * D, {"approved": False}),
                    ("reply", T0 + 7 * D, {"result_type": "solved"}))
    t = totals(refused)
    assert (t["reply_due"], t.get("reply_on_time", 0), t.get("extension_approved", 0)) == (1, 0, 0)


def test_satisfaction_weights_basically_by_the_scheme():
    def rated(s):
        return facts(("dispatch", T0, {"lead_unit": "w"}), ("accept", T0 + H, {}),
                     ("reply", T0 + D, {"result_type": "solved"}),
                     ("callback", T0 + 2 * D, {"satisfaction": s, "solved": s != "dissatisfied"}))
    t = totals(rated("satisfied"), rated("basically"), rated("basically"), rated("dissatisfied"))
    assert evaluate("satisfaction_rate", t).value == Decimal("75.00")  # (1 + 2) / 4
    assert evaluate("satisfaction_rate", t, {"basically_weight": 0.8}).value == Decimal("65.00")  # (1+1.6)/4
    assert evaluate("solved_rate", t).value == Decimal("75.00")


def test_stepwise_reply_with_a_promise_counts_as_solved_only_when_the_scheme_says_so():
    f = facts(("dispatch", T0, {"lead_unit": "w"}), ("accept", T0 + H, {}),
              ("reply", T0 + D, {"result_type": "stepwise", "promise": "月底前修复"}),
              ("callback", T0 + 2 * D, {"satisfaction": "basically", "solved": False}))
    t = totals(f)
    assert evaluate("solved_rate", t).value == Decimal("0.00")
    assert evaluate("solved_rate", t, {"stepwise_weight": 1}).value == Decimal("100.00")


def test_reopening_starts_a_new_cycle_for_the_same_unit_and_counts_against_it():
    f = facts(("dispatch", T0, {"lead_unit": "w"}), ("accept", T0 + H, {}),
              ("reply", T0 + D, {"result_type": "solved"}),
              ("callback", T0 + 2 * D, {"satisfaction": "dissatisfied", "solved": False}),
              ("reopen", T0 + 3 * D, {"unit": "w"}), ("accept", T0 + 3 * D + 3 * H, {}),
              ("reply", T0 + 4 * D, {"result_type": "solved"}))
    t = totals(f)
    assert len(f.cycles) == 2 and f.cycles[1].kind == "reopen"
    assert t["reopened"] == 1 and t["replied"] == 2 and t["sign_due"] == 2 and t["sign_on_time"] == 1
    assert evaluate("reopen_rate", t).value == Decimal("50.00")
    assert t["dispatched"] == 1


def test_merged_invalid_and_directly_answered_appeals():
    merged = facts(("merge", T0 + H, {"into": "X"}), status="merged")
    invalid = facts(("invalidate", T0 + H, {}), status="invalid")
    answered = facts(("answer", T0 + H, {"text": "政策解答"}), status="answered")
    repeat = facts(("answer", T0 + H, {}), status="answered", repeat=True)
    t = totals(merged, invalid, answered, repeat)
    assert t["received"] == 4 and t["valid_received"] == 2 and t["merged"] == 1 and t["invalid"] == 1
    assert t["answered"] == 2 and t.get("dispatched", 0) == 0 and t.get("sign_due", 0) == 0
    assert evaluate("first_contact_rate", t).value == Decimal("100.00")
    assert evaluate("repeat_rate", t).value == Decimal("50.00")


def test_merge_while_dispatched_ends_the_cycle_without_a_verdict():
    f = facts(("dispatch", T0, {"lead_unit": "w"}), ("merge", T0 + H, {"into": "X"}), status="merged")
    t = totals(f)
    assert t.get("sign_due", 0) == 0 and t.get("reply_due", 0) == 0 and t["dispatches"] == 1


def test_average_hours_use_the_working_clock_given():
    f = facts(("dispatch", T0, {"lead_unit": "w"}), ("accept", T0 + H, {}), ("reply", T0 + D, {}))
    c = counters(f, Clock(now=T0 + 9 * D, work_minutes=lambda a, b: 30))
    t = {}
    for (name, _d, _u), n in c.items():
        t[name] = t.get(name, 0) + n
    assert evaluate("avg_sign_hours", t).value == Decimal("0.50")
    assert evaluate("avg_reply_hours", t).value == Decimal("0.50")


def test_supervised_solved_follows_the_latest_callback():
    f = facts(("dispatch", T0, {"lead_unit": "w"}), ("accept", T0 + H, {}), ("reply", T0 + D, {}),
              ("callback", T0 + 2 * D, {"satisfaction": "satisfied", "solved": True}), supervised_at=T0 + D)
    t = totals(f)
    assert (t["supervised"], t["supervised_solved"]) == (1, 1)
    assert evaluate("supervised_solved_rate", {"supervised": 9417, "supervised_solved": 9006}).value == Decimal("95.64")


def test_rate_with_nothing_due_is_none_not_zero():
    v = evaluate("response_rate", {})
    assert v.value is None and v.denominator == 0


def test_docs_table_is_generated_from_the_definitions():
    doc = (Path(__file__).resolve().parents[3] / "docs" / "metrics.md").read_text(encoding="utf-8")
    assert metrics.markdown_table() in doc


def test_a_cycle_is_judged_by_the_deadlines_its_event_kept_not_the_policy_applied_again():
    """GIVEN a dispatch whose event kept a 1-hour sign-off deadline (the policy now gives 2 h)
    WHEN it is signed after 90 minutes THEN it is late; an event without them falls back."""
    kept = {"lead_unit": "w", "sign_deadline": (T0 + H).isoformat(), "reply_deadline": (T0 + 5 * D).isoformat()}
    late = facts(("dispatch", T0, kept), ("accept", T0 + 1.5 * H, {}))
    old = facts(("dispatch", T0, {"lead_unit": "w"}), ("accept", T0 + 1.5 * H, {}))
    assert late.cycles[0].sign_due == T0 + H and old.cycles[0].sign_due == T0 + 2 * H
    assert totals(late).get("sign_on_time", 0) == 0 and totals(old)["sign_on_time"] == 1


def test_marked_appeals_count_their_late_replies_and_returns_again_under_their_own_names():
    late = [("dispatch", T0, {"lead_unit": "w"}), ("return", T0 + H, {"unit": "w"}),
            ("dispatch", T0 + 2 * H, {"lead_unit": "u"}), ("reply", T0 + 6 * D, {})]
    t = totals(facts(*late, marked=True), facts(*late))
    assert (t["reply_due"], t.get("reply_on_time", 0), t["returned"]) == (2, 0, 2)
    assert (t["marked_reply_due"], t.get("marked_reply_on_time", 0), t["marked_returned"]) == (1, 0, 1)


def test_a_return_approved_on_review_ends_the_cycle_when_the_unit_asked():
    # asked at +1 h, within the 2 h sign-off deadline; approved at +4 h, after it
    approved = facts(("dispatch", T0, {"lead_unit": "w"}), ("request-return", T0 + H, {"unit": "w"}),
                     ("return", T0 + 4 * H, {"unit": "w", "reviewed": True}))
    t = totals(approved)
    assert t.get("sign_due", 0) == 0 and t["returned"] == 1 and t.get("return_rejected", 0) == 0


def test_a_rejected_return_counts_against_the_unit_and_its_deadlines_keep_running():
    rejected = facts(("dispatch", T0, {"lead_unit": "w"}), ("request-return", T0 + H, {"unit": "w"}),
                     ("reject-return", T0 + 1.5 * H, {"unit": "w"}), ("accept", T0 + 3 * H, {}))
    out = counters(rejected, Clock(now=T0 + 60 * D))
    assert out[("return_rejected", date(2026, 3, 2), "w")] == 1
    t = totals(rejected)
    assert (t["sign_due"], t.get("sign_on_time", 0), t.get("returned", 0)) == (1, 0, 0)
    assert evaluate("return_rejected", t).value == 1
