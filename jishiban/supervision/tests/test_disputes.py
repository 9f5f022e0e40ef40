"""Responsibility disputes: contested or repeated returns go on the list, a meeting decides,
the appeal is re-dispatched and the decision becomes a dispatch rule for routing."""

from datetime import date

import pytest

from jishiban.appeals import services
from jishiban.appeals.errors import ActionForbidden, ActionNotAllowed, AppealValidationError
from jishiban.organisations.models import Organisation
from jishiban.supervision import selectors
from jishiban.supervision.models import Dispute
from jishiban.supervision.services import disputes
from jishiban.taxonomy.models import Category
from jishiban.testing import advance, make_appeal, return_reviewed

pytestmark = pytest.mark.django_db


def _returned(personas, not_responsible=True):
    appeal = advance(make_appeal(), personas, "dispatched")
    return return_reviewed(appeal, by=personas.handler, reason="供水管网属水务集团管理，非本局职责",
                           not_responsible=not_responsible)


def test_dispatcher_contests_a_not_responsible_return(personas):
    appeal = _returned(personas)
    dispute, created = disputes.contest_return(appeal, by=personas.dispatcher, note="三定方案明确由水务局负责")
    assert created and dispute.kind == "contested" and dispute.status == "open"
    assert list(dispute.units.values_list("code", flat=True)) == ["city-water"]
    assert dispute.return_reasons[0]["not_responsible"] is True
    again, created = disputes.contest_return(appeal, by=personas.dispatcher, note="再次")
    assert not created and again.pk == dispute.pk


def test_contest_is_refused_for_other_returns_and_other_people(personas):
    with pytest.raises(ActionNotAllowed):
        disputes.contest_return(_returned(personas, not_responsible=False), by=personas.dispatcher, note="x")
    appeal = _returned(personas)
    for who in ("handler", "leader", "operator", "county_other"):
        with pytest.raises(ActionForbidden):
            disputes.contest_return(appeal, by=getattr(personas, who), note="x")
    with pytest.raises(AppealValidationError):
        disputes.contest_return(appeal, by=personas.dispatcher, note="  ")


def test_second_return_puts_the_appeal_on_the_list(personas):
    appeal = _returned(personas)
    assert not Dispute.objects.exists()
    appeal = services.dispatch(appeal, by=personas.dispatcher, lead_unit=personas.urban)
    appeal = return_reviewed(appeal, by=personas.other_handler, reason="非城管职责")
    dispute = Dispute.objects.get(appeal=appeal)
    assert dispute.kind == "repeated_return" and dispute.raised_by is None
    assert set(dispute.units.values_list("code", flat=True)) == {"city-water", "city-urban"}
    assert len(dispute.return_reasons) == 2


def test_meeting_decision_redispatches_and_becomes_a_rule(personas):
    appeal = _returned(personas)
    dispute, _ = disputes.contest_return(appeal, by=personas.dispatcher, note="应由水务集团办理")
    meeting = disputes.schedule_meeting(by=personas.supervisor, date=date(2026, 11, 30), place="市中心三楼会议室",
                                        dispute_ids=[dispute.pk])
    dispute.refresh_from_db()
    assert dispute.status == "scheduled" and dispute.meeting == meeting and meeting.title == "月度攻坚会商"
    assert set(meeting.units.values_list("code", flat=True)) == {"city-water"}
    water_group = Organisation.objects.get(code="ent-water")
    decision = disputes.decide(meeting, dispute, by=personas.supervisor, lead_unit=water_group,
                               co_units=[personas.water], legal_basis="《济宁市城市供水条例》第十二条",
                               county=appeal.county, keywords="停水,水压")
    appeal.refresh_from_db()
    assert appeal.status == "dispatched" and appeal.lead_unit == water_group
    assert list(appeal.co_units.all()) == [personas.water]
    event = appeal.events.filter(action="dispatch").last()
    assert event.payload["explanation"] == f"会商决定 #{decision.pk}" and event.actor == personas.supervisor
    dispute.refresh_from_db()
    assert dispute.status == "decided" and dispute.decision == decision
    # routing reads the rule
    rules = selectors.decisions_for("020101", "370811", on=date(2026, 12, 1))
    assert rules == [decision] and rules[0].keyword_list == ["停水", "水压"]
    assert "会商决定" in rules[0].explanation() and "#" in rules[0].explanation()
    assert selectors.decisions_for("020101", "370812", on=date(2026, 12, 1)) == []  # another county
    assert selectors.decisions_for("020101", "370811", on=date(2026, 11, 29)) == []  # not yet valid
    with pytest.raises(ActionNotAllowed):
        disputes.decide(meeting, dispute, by=personas.supervisor, lead_unit=water_group, legal_basis="x")
    meeting = disputes.record_minutes(meeting, by=personas.supervisor, minutes="议定：供水管网报修由水务集团主办。")
    assert meeting.status == "held"


def test_decisions_for_prefers_the_nearest_category_and_the_county(personas):
    from jishiban.regions.models import Region
    from jishiban.supervision.models import DispatchDecision

    leaf = Category.objects.get(code="020101")
    parent = leaf.parent
    rencheng = Region.objects.get(code="370811")
    day = date(2026, 1, 1)
    city_parent = DispatchDecision.objects.create(category=parent, lead_unit=personas.urban, legal_basis="a",
                                                  valid_from=day)
    city_leaf = DispatchDecision.objects.create(category=leaf, lead_unit=personas.water, legal_basis="b",
                                                valid_from=day)
    county_leaf = DispatchDecision.objects.create(category=leaf, county=rencheng, lead_unit=personas.water,
                                                  legal_basis="c", valid_from=day)
    DispatchDecision.objects.create(category=leaf, lead_unit=personas.water, legal_basis="d", valid_from=day,
                                    is_active=False)
    assert selectors.decisions_for(leaf, rencheng, on=day) == [county_leaf, city_leaf, city_parent]
    assert selectors.decisions_for("020101", None, on=day) == [city_leaf, city_parent]
    assert selectors.decisions_for("nope", None) == [] and selectors.decisions_for(None) == []


def test_decision_kept_when_the_appeal_can_no_longer_be_redispatched(personas):
    appeal = _returned(personas)
    dispute, _ = disputes.contest_return(appeal, by=personas.dispatcher, note="x")
    meeting = disputes.schedule_meeting(by=personas.supervisor, date=date(2026, 11, 30), place="会议室",
                                        dispute_ids=[dispute.pk])
    services.answer_directly(appeal, by=personas.dispatcher, text="已电话解释")
    decision = disputes.decide(meeting, dispute, by=personas.supervisor, lead_unit=personas.water,
                               legal_basis="三定方案")
    dispute.refresh_from_db()
    assert decision.pk and dispute.status == "decided" and "不能改派" in dispute.outcome


def test_meetings_need_a_manager_and_disputes_in_scope(personas):
    appeal = _returned(personas)
    dispute, _ = disputes.contest_return(appeal, by=personas.dispatcher, note="x")
    for who in ("dispatcher", "leader", "handler"):
        with pytest.raises(ActionForbidden):
            disputes.schedule_meeting(by=getattr(personas, who), date=date(2026, 11, 30), place="x",
                                      dispute_ids=[dispute.pk])
    with pytest.raises(AppealValidationError) as exc:
        disputes.schedule_meeting(by=personas.county_other, date=date(2026, 11, 30), place="x",
                                  dispute_ids=[dispute.pk])
    assert "disputes" in exc.value.errors
    with pytest.raises(AppealValidationError) as exc:
        disputes.schedule_meeting(by=personas.supervisor, date=None, place="", dispute_ids=[])
    assert set(exc.value.errors) == {"date", "place", "disputes"}


def test_withdrawn_dispute_leaves_the_list(personas):
    appeal = _returned(personas)
    dispute, _ = disputes.contest_return(appeal, by=personas.dispatcher, note="x")
    disputes.withdraw(dispute, by=personas.supervisor, reason="已协商一致")
    assert not Dispute.objects.filter(status__in=["open", "scheduled"]).exists()
    # a later contest may open a new one
    assert disputes.contest_return(appeal, by=personas.dispatcher, note="又退回")[1] is True
