"""A responsibility meeting's decision becomes a catalogue rule (origin "meeting"), linked to
the decision, and routing follows it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jishiban.organisations.models import Organisation
from jishiban.routing.models import DispatchRule, Origin
from jishiban.routing.services import seed_catalogue, suggest_units
from jishiban.supervision.models import DispatchDecision
from jishiban.supervision.services import disputes
from jishiban.taxonomy.models import Category
from jishiban.testing import advance, make_appeal, return_reviewed

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(personas):
    """A meeting held yesterday decided: 停水/水压 in 任城区 → 济宁水务集团, 市水务局 helping."""
    seed_catalogue()
    appeal = advance(make_appeal(), personas, "dispatched")
    appeal = return_reviewed(appeal, by=personas.handler, reason="供水管网属水务集团管理，非本局职责")
    dispute, _ = disputes.contest_return(appeal, by=personas.dispatcher, note="应由水务集团办理")
    yesterday = timezone.localdate() - timedelta(days=1)
    meeting = disputes.schedule_meeting(by=personas.supervisor, date=yesterday, place="市中心三楼会议室",
                                        dispute_ids=[dispute.pk])
    decision = disputes.decide(meeting, dispute, by=personas.supervisor,
                               lead_unit=Organisation.objects.get(code="ent-water"), co_units=[personas.water],
                               legal_basis="《济宁市城市供水条例》第十二条", county=appeal.county, keywords="停水,水压")
    return decision


def test_decision_becomes_a_linked_catalogue_rule(decided, personas):
    rule = DispatchRule.objects.get(decision=decided)
    assert rule.origin == Origin.MEETING and rule.meeting == decided.meeting
    assert (rule.category.code, rule.county.code, rule.lead_unit.code) == ("020101", "370811", "ent-water")
    assert [u.code for u in rule.co_units.all()] == ["city-water"]
    assert rule.keyword_list == ("停水", "水压") and rule.valid_from == decided.valid_from
    assert rule.priority > 10 and rule.note.startswith("《济宁市城市供水条例》")


def test_routing_follows_the_decision_with_its_explanation(decided):
    first = suggest_units(make_appeal(content="小区停水两天了"))[0]
    rule = DispatchRule.objects.get(decision=decided)
    assert (first.lead_unit.code, first.source, first.rule_id, first.decision_id) == (
        "ent-water", "catalogue", rule.pk, decided.pk)
    meeting = decided.meeting
    source = f"{meeting.date:%Y-%m-%d} {meeting.title} · 会商决定 #{decided.pk}"
    assert first.explanation == f"分类 停水 + 县市区 任城区 + 关键词 停水 → 规则 #{rule.pk}（{source}）"
    assert (first.meeting, first.meeting_id, first.rank_note) == (source, meeting.pk, "")
    assert [u.code for u in first.co_units] == ["city-water"]
    other = suggest_units(make_appeal(content="自来水发黄有异味", category="020101"))[0]
    assert other.lead_unit.code == "370811-water"  # the decision's keywords do not match


def test_deactivated_decision_stops_applying(decided, personas):
    disputes.deactivate_decision(decided, by=personas.supervisor)
    codes = [s.lead_unit.code for s in suggest_units(make_appeal(content="小区停水两天了"))]
    assert "ent-water" not in codes and codes[0] == "370811-water"


def test_editing_the_decision_updates_its_rule(decided, personas):
    decided.co_units.set([Organisation.objects.get(code="370811-housing")])
    decided.keywords = "停水"
    decided.save()
    rule = DispatchRule.objects.get(decision=decided)
    assert [u.code for u in rule.co_units.all()] == ["370811-housing"] and rule.keyword_list == ("停水",)


def test_decision_made_before_the_catalogue_is_still_applied_and_seed_adopts_it(decided):
    DispatchRule.objects.filter(decision=decided).delete()  # as if decided before routing existed
    first = suggest_units(make_appeal(content="小区停水两天了"))[0]
    assert (first.lead_unit.code, first.source, first.rule_id) == ("ent-water", "meeting", None)
    assert f"会商决定 #{decided.pk}" in first.explanation and "关键词 停水" in first.explanation
    assert f"{decided.meeting.date:%Y-%m-%d} {decided.meeting.title}" in first.explanation
    assert first.meeting_id == decided.meeting_id
    assert seed_catalogue()["decisions"] == 1
    assert DispatchRule.objects.get(decision=decided).origin == Origin.MEETING
    assert suggest_units(make_appeal(content="小区停水两天了"))[0].source == "catalogue"


def test_decision_created_on_the_model_gets_its_rule(personas):
    decision = DispatchDecision.objects.create(category=Category.objects.get(code="0204"), lead_unit=personas.urban,
                                               legal_basis="x", valid_from=timezone.localdate())
    rule = DispatchRule.objects.get(decision=decision)
    assert rule.county is None and rule.meeting is None and rule.is_active
    first = suggest_units(make_appeal(category="020401", content="暖气不热"))[0]
    assert first.lead_unit == personas.urban
    assert first.explanation.endswith(f"→ 规则 #{rule.pk}（会商决定 #{decision.pk}）")


def test_the_second_suggestion_says_why_it_is_second(decided):
    found = suggest_units(make_appeal(content="小区停水两天了"), limit=5)
    first, second = found[0], found[1]
    assert first.decision_id == decided.pk and first.rank_note == ""
    assert second.source == "catalogue" and second.rank_note.endswith("低于上一条的 50")  # the meeting's priority


def test_the_picker_links_the_suggestion_to_its_meeting_decision(decided, client, personas):
    from django.urls import reverse

    appeal = make_appeal(content="小区停水两天了")
    client.force_login(personas.dispatcher)
    html = client.get("/dispatch/units/", {"appeal": appeal.pk}).content.decode()
    link = f'{reverse("supervision:decisions")}?id={decided.pk}'
    assert link in html and decided.meeting.title in html and "排在上一条之后" in html
    page = client.get(link).content.decode()
    assert "《济宁市城市供水条例》" in page
