"""Scoring, ranking, scheme versions, letters for the lagging, the assess command."""

import json
from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from jishiban.analytics import assessment, services
from jishiban.analytics.models import Ranking
from jishiban.supervision.models import ReminderLetter

NOW = datetime(2026, 11, 20, 12, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_score_weights_thresholds_and_deductions_by_hand():
    totals = {"sign_due": 10, "sign_on_time": 8, "cb_answered": 10, "cb_solved": 9, "cb_rated": 10,
              "cb_satisfied": 6, "cb_basically": 2, "reply_due": 10, "reply_on_time": 9, "returned": 2,
              "reopened": 1}
    s = assessment.score(1, totals, assessment.DEFAULT_SCHEME)
    # 80 % × 30 + 90 % × 35 + 80 % × 35 = 24 + 31.5 + 28 = 83.5
    assert [p.points for p in s.parts] == [24.0, 31.5, 28.0]
    # on time 90 % < 95 %: 5 points × 1; late replies 1 × 0.2; returns 2 × 0.1; reopen 1 × 0.5
    assert s.deductions == {"on_time_rate<95": 5.0, "late_replies": 0.2, "returned": 0.2, "reopened": 0.5}
    assert s.total == 77.6


def test_deductions_double_for_appeals_marked_by_a_leader_or_the_media():
    """GIVEN 3 late replies and 2 returns, of which 1 late reply and 1 return on appeals marked
    领导批示 / 媒体关注 WHEN the scheme doubles them THEN each marked one costs twice; a scheme
    saved before (no ``marked_factor``) counts them once, as it did."""
    totals = {"reply_due": 10, "reply_on_time": 7, "returned": 2, "marked_reply_due": 2, "marked_reply_on_time": 1,
              "marked_returned": 1}
    doubled = assessment.score(1, totals, {**assessment.DEFAULT_SCHEME, "marked_factor": 2})
    assert doubled.deductions["late_replies"] == 0.6 and doubled.deductions["late_replies*marked"] == 0.2
    assert doubled.deductions["returned"] == 0.2 and doubled.deductions["returned*marked"] == 0.1
    before = assessment.score(1, totals, assessment.DEFAULT_SCHEME)
    assert "late_replies*marked" not in before.deductions and before.total == round(doubled.total + 0.3, 2)
    with pytest.raises(assessment.SchemeError, match="倍数"):
        assessment.validate({**assessment.DEFAULT_SCHEME, "marked_factor": 0.5})
    from jishiban.analytics.templatetags.figures import metric_label

    assert metric_label("late_replies*marked") == "超时答复（件）加倍（领导批示、媒体关注件）"


def test_a_unit_with_nothing_due_gets_the_full_weight_and_is_never_named():
    ranked = assessment.rank([assessment.score(i, {}, assessment.DEFAULT_SCHEME) for i in range(5)],
                             assessment.DEFAULT_SCHEME)
    assert {s.total for s in ranked} == {100.0} and {s.rank for s in ranked} == {1}
    assert assessment.lagging(ranked, assessment.DEFAULT_SCHEME) == []


def test_grades_advanced_progress_rectify():
    scheme = {**assessment.DEFAULT_SCHEME, "grades": {"advanced": 2, "advanced_min": 90, "progress_places": 2,
                                                      "rectify": 2}}
    scores = [assessment.Score(u, t) for u, t in enumerate([99, 95, 91, 85, 70, 60])]
    ranked = assessment.rank(scores, scheme, previous={3: 6})
    assert [s.grade for s in ranked] == ["先进", "先进", "", "进步", "整改", "整改"]
    assert ranked[3].movement == 2


def test_scheme_weights_must_sum_to_100_and_name_known_metrics():
    with pytest.raises(assessment.SchemeError, match="权重之和须为 100"):
        assessment.validate({"weights": {"response_rate": 50}})
    with pytest.raises(assessment.SchemeError, match="未知的率指标"):
        assessment.validate({"weights": {"nonsense": 100}})


def test_repeated_bottom_places_make_the_interview_list():
    assert assessment.repeated_bottom([[1, 2], [2, 3], [2, 4]], 3) == [2]
    assert assessment.repeated_bottom([[1, 2], [2]], 3) == []



@pytest.mark.django_db
def test_assess_ranks_all_counties_with_each_metric_and_its_parts(filled):
    rows = services.assess("2026-09", "county")
    assert len(rows) == 14
    assert [r["rank"] for r in rows] == sorted(r["rank"] for r in rows)
    named = {r["code"]: r for r in rows}
    assert named["370811"]["score"] < 100 and named["370811"]["metrics"]["response_rate"]["denominator"]
    row = named["370811"]
    points = sum(p["points"] for p in row["parts"]) - sum(row["deductions"].values())
    assert max(0, points) == pytest.approx(row["score"], abs=0.02)
    # counties with nothing due keep the full score but are neither 先进 nor named
    idle = named["370826"]
    assert idle["score"] == 100 and idle["grade"] == "" and not idle["lagging"] and idle["previous_rank"] is None


@pytest.mark.django_db
def test_a_published_ranking_recomputes_identically_after_the_scheme_changes(filled):
    v1 = services.current_scheme()
    ranking = services.publish("2026-09", "county")
    v2 = services.save_scheme({**v1.definition, "weights": {"response_rate": 10, "solved_rate": 10,
                                                            "satisfaction_rate": 80},
                                "thresholds": {}, "deductions": {}})
    assert v2.version == v1.version + 1
    assert services.recompute(ranking) == ranking.rows
    changed = services.assess("2026-09", "county", scheme=v2)
    assert [r["score"] for r in changed] != [r["score"] for r in ranking.rows]


@pytest.mark.django_db
def test_lagging_units_get_a_reminder_letter_draft(filled):
    ranking = services.publish("2026-09", "unit")
    lagging = [r for r in ranking.rows if r["lagging"]]
    assert lagging, ranking.rows
    made = services.draft_letters(ranking)
    assert {letter.unit.code for letter in made} == {r["code"] for r in lagging}
    assert ReminderLetter.objects.filter(period="2026-09").count() == len(lagging)


@pytest.mark.django_db
def test_assess_command_prints_one_json_object_per_unit_in_rank_order(filled):
    out = StringIO()
    call_command("assess", "--month", "2026-09", "--level", "unit", "--json", "--publish", stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert rows and all({"unit", "code", "rank", "score", "grade", "metrics"} <= set(r) for r in rows)
    assert [r["rank"] for r in rows] == sorted(r["rank"] for r in rows)
    solved = rows[-1]["metrics"]["solved_rate"]
    assert set(solved) == {"numerator", "denominator", "value"}
    assert Ranking.objects.filter(month="2026-09", level="unit").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("args,message", [
    (["--month", "2026-13", "--level", "county"], "YYYY-MM"),
    (["--month", "2026-09", "--level", "town"], "county"),
    (["--month", "2026-09", "--level", "county", "--scheme-version", "99"], "第 99 版"),
])
def test_assess_command_refuses_bad_input_in_chinese(reference_data, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("assess", *args)
    assert not Ranking.objects.exists()


def test_each_return_rejected_on_review_deducts_the_schemes_points():
    scheme = assessment.validate({"weights": {"response_rate": 100}, "thresholds": {},
                                  "deductions": {"returned_unjustified": 0.5}, "marked_factor": 2})
    s = assessment.score(1, {"sign_due": 10, "sign_on_time": 10, "return_rejected": 3,
                             "marked_return_rejected": 1}, scheme)
    assert s.deductions["returned_unjustified"] == 1.5 and s.deductions["returned_unjustified*marked"] == 0.5
    assert s.total == 98.0
    old = assessment.score(1, {"sign_due": 10, "sign_on_time": 10, "return_rejected": 3},
                           assessment.validate({"weights": {"response_rate": 100}, "thresholds": {}, "deductions": {}}))
    assert old.total == 100.0  # a scheme without the line is not touched by it
