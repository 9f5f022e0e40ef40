"""Smart help runs after intake: suggestions with explanations are stored, safe facts are
written through ``annotate``, and nothing smart help does can break intake."""

import pytest

from jishiban.appeals.models import AppealEvent
from jishiban.smart import suggestion_parts
from jishiban.smart.models import Suggestion

pytestmark = pytest.mark.django_db


def suggestion_of(appeal):
    return Suggestion.objects.get(appeal=appeal)


def test_new_appeal_gets_top_three_categories_with_the_words_behind_them(intake, active_model):
    appeal = intake("小区停水两天了，水龙头不出水，希望尽快解决", title="关于停水的问题")
    s = suggestion_of(appeal)
    assert len(s.categories) == 3
    top = s.categories[0]
    assert top["code"] == "020101" and top["name"] == "停水"
    assert top["because"] and any("停水" in b["term"] or "水" in b["term"] for b in top["because"])
    assert top["explanation"].startswith("依据：")
    assert s.model_version_id == active_model.pk
    assert s.computed_at is not None


def test_category_is_suggested_never_written(intake, active_model):
    appeal = intake("小区停水两天了，水龙头不出水", title="停水")
    assert appeal.category is None
    assert not AppealEvent.objects.filter(appeal=appeal, action="annotate", payload__has_key="category").exists()


def test_low_confidence_means_the_operator_must_choose(intake, active_model, settings):
    settings.JISHIBAN_SMART = {"CONFIDENCE_CHOICE": 0.9}
    unsure = suggestion_of(intake("楼道里有人吵架"))
    assert unsure.categories[0]["confidence"] < 0.9 and unsure.needs_choice is True
    assert suggestion_of(intake("关于路灯不亮的问题，晚上一片漆黑")).needs_choice is False


def test_without_a_model_the_appeal_is_stored_and_the_suggestion_says_why(intake):
    appeal = intake("小区停水两天了")
    s = suggestion_of(appeal)
    assert appeal.pk and appeal.status == "received"
    assert s.categories == [] and s.needs_choice
    assert any("尚未训练分类模型" in r for r in s.unavailable_reasons)


def test_a_failing_part_is_recorded_and_the_others_still_come(intake, active_model, monkeypatch):
    def broken(appeal):
        raise RuntimeError("地名库不可用")

    monkeypatch.setattr(suggestion_parts, "region_part", broken)
    appeal = intake("任城区有人扬言要跳楼", title="紧急")
    s = suggestion_of(appeal)
    assert any(u["part"] == "region" and "任务失败" in u["reason"] and "地名库不可用" in u["reason"] for u in s.unavailable)
    assert s.categories and s.risks


def test_a_failing_job_leaves_intake_untouched(intake, monkeypatch):
    from jishiban.smart import services

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "compute", broken)
    appeal = intake("幸福路路灯不亮", title="路灯")
    assert appeal.status == "received" and appeal.version == 1
    assert suggestion_of(appeal).unavailable_reasons == ["任务失败：RuntimeError: boom"]


def test_risk_flag_tags_the_appeal_and_makes_it_urgent_through_annotate(intake):
    appeal = intake("邻居说不想活了，要去跳楼，请赶快派人")
    assert "risk:threat_to_life" in appeal.tags and appeal.urgent
    event = AppealEvent.objects.get(appeal=appeal, action="annotate")
    assert event.actor is None and "生命安全风险" in event.reason
    assert event.payload["urgent"] == {"old": False, "new": True}
    assert suggestion_of(appeal).risks[0]["code"] == "threat_to_life"


def test_flagged_appeal_shows_in_the_supervisors_warning_list(intake):
    from jishiban.appeals.models import Appeal

    appeal = intake("工地拖欠农民工工资半年，几十名工人要去堵路")
    flagged = Appeal.objects.filter(tags__icontains='"risk:')
    assert appeal in flagged
    assert {"risk:wage_arrears", "risk:group_incident"} <= set(appeal.tags)


def test_region_is_filled_when_missing_and_confident(intake):
    appeal = intake("楼下下水道堵了", address="任城区南苑街道某小区3号楼")
    assert (appeal.county.code, appeal.town.code) == ("370811", "370811016")
    region = suggestion_of(appeal).region
    assert region["confidence"] >= 0.8 and region["evidence"]


def test_region_given_by_the_channel_is_not_overwritten(intake):
    appeal = intake("楼下下水道堵了", address="任城区南苑街道某小区", county="370812")
    assert appeal.county.code == "370812"
    assert appeal.town is None  # the resolved town belongs to another county
    assert suggestion_of(appeal).region["county"]["code"] == "370811"


def test_unclear_place_writes_nothing(intake):
    appeal = intake("楼下下水道堵了，气味很大")
    assert appeal.county is None and appeal.version == 1
    assert any(u["part"] == "region" for u in suggestion_of(appeal).unavailable)


def test_third_same_matter_from_the_same_phone_is_tagged_repeat(intake, settings):
    settings.JISHIBAN_REPEAT_THRESHOLD = 2  # the one repeat rule (appeals/repeats.py)
    text = "幸福小区3号楼下水道堵塞，污水横流，请尽快疏通"
    first = intake(text, phone="13700000001")
    second = intake(text + "！", phone="13700000001")
    third = intake("幸福小区3号楼下水道又堵塞了，污水横流，请尽快疏通", phone="13700000001")
    assert "repeat" not in first.tags and "repeat" not in second.tags
    assert "repeat" in third.tags
    repeat = suggestion_of(third).repeat
    assert repeat["count"] == 2 and set(repeat["by_caller"]) == {first.number, second.number}
    assert "同一来电人" in repeat["reason"]


def test_duplicates_are_listed_with_number_score_and_reason(intake):
    first = intake("幸福小区3号楼下水道堵塞，污水横流，请尽快疏通", phone="13700000001")
    other = intake("幸福小区3号楼下水道堵塞污水横流，请尽快派人疏通", phone="13700000002")
    (dup,) = suggestion_of(other).duplicates
    assert dup["number"] == first.number and dup["relation"] == "duplicate"
    assert dup["score"] >= 0.6 and "文字相似" in dup["reason"]
    assert "repeat" not in other.tags  # a different caller: a duplicate, not a repeat


def test_units_come_from_the_routing_catalogue_with_their_explanation(intake, active_model):
    appeal = intake("小区停水两天了，水龙头不出水", title="关于停水的问题", address="任城区南苑街道")
    units = suggestion_of(appeal).units
    assert units and units[0]["lead_unit"]["code"]
    assert units[0]["explanation"]
    assert "按建议分类“停水”" in units[0]["basis"]


def test_models_run_outside_any_transaction_and_only_the_writes_inside_one(intake, monkeypatch):
    """On SQLite a transaction takes the write lock at BEGIN: a classification inside one
    would make every live intake wait for it."""
    from jishiban.smart import services
    from jishiban.testing import transactions_opened_here

    appeal = intake("幸福路路灯不亮", title="路灯")
    open_at_compute, compute = [], services.compute

    def watching(*args, **kwargs):
        open_at_compute.append(transactions_opened_here())
        return compute(*args, **kwargs)

    monkeypatch.setattr(services, "compute", watching)
    services.refresh(appeal.pk)
    assert open_at_compute == [[]]
    assert suggestion_of(appeal).computed_at is not None
