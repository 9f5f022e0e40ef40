"""Every action through the services: allowed for the right persona, refused for the others,
and nothing written when refused."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jishiban.appeals import services
from jishiban.appeals.errors import ActionForbidden, ActionNotAllowed, AppealValidationError, ConflictError
from jishiban.appeals.models import Appeal, AppealEvent
from jishiban.organisations.models import Organisation
from jishiban.testing import advance, make_appeal, return_reviewed, working_days_later

pytestmark = pytest.mark.django_db


def _events(appeal):
    return list(AppealEvent.objects.filter(appeal=appeal).values_list("action", flat=True))


def test_dispatch_sets_unit_deadlines_and_event(personas):
    appeal = services.dispatch(make_appeal(), by=personas.dispatcher, lead_unit=personas.water,
                               co_units=[personas.urban])
    appeal.refresh_from_db()
    assert appeal.status == "dispatched" and appeal.lead_unit == personas.water
    assert list(appeal.co_units.all()) == [personas.urban]
    assert appeal.reply_deadline > appeal.sign_deadline > appeal.dispatched_at
    assert appeal.yellow_at <= appeal.reply_deadline
    event = appeal.events.get(action="dispatch")
    assert event.payload["lead_unit"] == "city-water" and event.payload["co_units"] == ["city-urban"]
    assert event.actor == personas.dispatcher and event.from_status == "received"


def test_utilities_appeal_gets_two_working_days(personas):
    # 020101 停水 inherits 2d from 水电气暖; 0501 拖欠工资 uses the 5-day default.
    friday = timezone.make_aware(timezone.datetime(2026, 11, 27, 10, 0))
    water = services.dispatch(make_appeal(), by=personas.dispatcher, lead_unit=personas.water, at=friday)
    wages = services.dispatch(make_appeal(category="050101", content="老板拖欠工资三个月"),
                              by=personas.dispatcher, lead_unit=personas.water, at=friday)
    assert timezone.localtime(water.reply_deadline).isoformat() == "2026-12-01T17:30:00+08:00"
    assert timezone.localtime(wages.reply_deadline).isoformat() == "2026-12-04T17:30:00+08:00"


def test_urgent_appeal_is_due_the_same_working_day(personas):
    friday = timezone.make_aware(timezone.datetime(2026, 11, 27, 10, 0))
    leak = make_appeal(category="020301", content="楼道里有很重的燃气味")
    assert leak.urgent
    leak = services.dispatch(leak, by=personas.dispatcher, lead_unit=personas.water, at=friday)
    assert timezone.localtime(leak.reply_deadline).isoformat() == "2026-11-27T17:30:00+08:00"


@pytest.mark.parametrize("who", ["handler", "other_handler", "citizen", "leader", "analyst", "grid_worker",
                                 "county_other"])
def test_dispatch_is_refused_for_non_desk_roles(personas, who):
    appeal = make_appeal()
    with pytest.raises(ActionForbidden):
        services.dispatch(appeal, by=getattr(personas, who), lead_unit=personas.water)
    assert Appeal.objects.get(pk=appeal.pk).status == "received" and _events(appeal) == ["receive"]


def test_county_staff_dispatch_only_in_their_county(personas):
    own_unit = Organisation.objects.get(code="370811-water")
    services.dispatch(make_appeal(), by=personas.county_rencheng, lead_unit=own_unit)
    with pytest.raises(ActionForbidden):
        services.dispatch(make_appeal(county="370812"), by=personas.county_rencheng, lead_unit=own_unit)


def test_only_the_lead_unit_signs_and_replies(personas):
    appeal = advance(make_appeal(), personas, "dispatched")
    for who in ("other_handler", "dispatcher", "citizen", "power_handler"):
        with pytest.raises(ActionForbidden):
            services.accept(appeal, by=getattr(personas, who))
    appeal = services.accept(appeal, by=personas.handler)
    with pytest.raises(ActionForbidden):
        services.reply(appeal, by=personas.other_handler, result_type="solved", text="已处理")
    appeal = services.reply(appeal, by=personas.dept_head, result_type="solved", text="已处理")
    assert appeal.status == "replied" and appeal.replied_at is not None


def test_return_goes_back_to_dispatch_queue_and_redispatch_counts(personas):
    appeal = advance(make_appeal(), personas, "dispatched")
    appeal = return_reviewed(appeal, by=personas.handler, reason="不属于本单位职责，应由城管处理")
    assert appeal.status == "returned" and appeal.return_count == 1
    appeal = services.dispatch(appeal, by=personas.dispatcher, lead_unit=personas.urban)
    assert appeal.status == "dispatched" and appeal.events.get(action="dispatch", payload__redispatch=True)


def test_return_after_the_window_is_refused(personas):
    appeal = advance(make_appeal(), personas, "dispatched")
    later = appeal.return_deadline + timedelta(minutes=1)
    with pytest.raises(ActionNotAllowed):
        services.request_return(appeal, by=personas.handler, reason="不属于本单位", at=later)


def test_return_needs_a_reason_and_writes_nothing_without_one(personas):
    appeal = advance(make_appeal(), personas, "dispatched")
    with pytest.raises(AppealValidationError) as err:
        services.request_return(appeal, by=personas.handler, reason="  ")
    assert "reason" in err.value.errors
    assert Appeal.objects.get(pk=appeal.pk).status == "dispatched"


def test_extension_approved_moves_the_deadline(personas):
    appeal = advance(make_appeal(), personas, "accepted")
    old = appeal.reply_deadline
    new = working_days_later(old, 3)
    appeal = services.request_extension(appeal, by=personas.handler, new_deadline=new, reason="需协调施工单位")
    assert appeal.status == "extension_requested"
    with pytest.raises(ActionForbidden):
        services.decide_extension(appeal, by=personas.handler, approve=True)
    appeal = services.decide_extension(appeal, by=personas.supervisor, approve=True)
    assert appeal.status == "accepted" and appeal.reply_deadline == new


def test_extension_refused_keeps_the_deadline_and_needs_a_reason(personas):
    appeal = advance(make_appeal(), personas, "accepted")
    old = appeal.reply_deadline
    appeal = services.request_extension(appeal, by=personas.handler, new_deadline=working_days_later(old, 1),
                                        reason="材料未齐")
    with pytest.raises(AppealValidationError):
        services.decide_extension(appeal, by=personas.supervisor, approve=False)
    appeal = services.decide_extension(appeal, by=personas.supervisor, approve=False, reason="可按期办结")
    assert appeal.status == "accepted" and appeal.reply_deadline == old


def test_extension_beyond_ten_working_days_is_refused(personas):
    appeal = advance(make_appeal(), personas, "accepted")
    with pytest.raises(AppealValidationError) as err:
        services.request_extension(appeal, by=personas.handler, new_deadline=appeal.reply_deadline + timedelta(days=30),
                                   reason="工程量大")
    assert "new_deadline" in err.value.errors


def test_stepwise_reply_needs_promise_and_follow_up(personas):
    appeal = advance(make_appeal(), personas, "accepted")
    with pytest.raises(AppealValidationError) as err:
        services.reply(appeal, by=personas.handler, result_type="stepwise", text="先行抢修")
    assert set(err.value.errors) == {"promise", "follow_up_date"}
    follow = timezone.localdate() + timedelta(days=14)
    appeal = services.reply(appeal, by=personas.handler, result_type="stepwise", text="先行抢修",
                            promise="两周内更换主管道", follow_up_date=follow)
    assert appeal.follow_up_date == follow and appeal.promise == "两周内更换主管道"


def test_callback_dissatisfied_then_reopen_counts_against_the_unit(personas):
    appeal = advance(make_appeal(), personas, "replied")
    appeal = services.callback(appeal, by=personas.supervisor, satisfaction="dissatisfied", solved=False,
                               comment="仍然停水")
    appeal = services.reopen(appeal, by=personas.supervisor, reason="群众反映问题未解决")
    assert appeal.status == "reopened" and appeal.reopen_count == 1 and appeal.lead_unit == personas.water
    assert appeal.satisfaction == "" and appeal.solved is None
    appeal = services.accept(appeal, by=personas.handler)
    assert appeal.status == "accepted"


def test_citizen_can_rate_only_their_own_appeal(personas):
    own = advance(make_appeal(citizen_user=personas.citizen), personas, "replied")
    with pytest.raises(ActionForbidden):
        services.callback(own, by=personas.other_citizen, satisfaction="satisfied", solved=True)
    assert services.callback(own, by=personas.citizen, satisfaction="satisfied", solved=True).status == "callback_done"


def test_close_without_callback_needs_a_reason(personas):
    appeal = advance(make_appeal(), personas, "replied")
    with pytest.raises(AppealValidationError):
        services.close(appeal, by=personas.supervisor)
    appeal = services.close(appeal, by=personas.supervisor, reason="三次联系不上群众")
    assert appeal.status == "closed" and appeal.events.get(action="close").payload["without_callback"]


def test_answer_directly_closes_at_once(personas):
    appeal = services.answer_directly(make_appeal(category="130101"), by=personas.operator, text="已告知办理流程")
    assert appeal.status == "answered" and appeal.result_text == "已告知办理流程" and appeal.closed_at


def test_merge_and_invalidate_from_the_queue(personas):
    parent, child, junk = make_appeal(), make_appeal(content="同一小区停水"), make_appeal(content="测试")
    child = services.merge(child, by=personas.dispatcher, into=parent)
    assert child.status == "merged" and child.parent == parent
    with pytest.raises(AppealValidationError):
        services.merge(parent, by=personas.dispatcher, into=parent)
    with pytest.raises(AppealValidationError):
        services.merge(make_appeal(), by=personas.dispatcher, into=child)
    junk = services.invalidate(junk, by=personas.dispatcher, reason="骚扰电话")
    assert junk.status == "invalid"


def test_action_in_wrong_state_is_refused_with_the_state_named(personas):
    appeal = make_appeal()
    with pytest.raises(ActionNotAllowed) as err:
        services.close(appeal, by=personas.supervisor, reason="x")
    assert "已受理" in err.value.message


def test_stale_version_is_a_conflict_naming_who_acted(personas):
    appeal = advance(make_appeal(), personas, "dispatched")
    stale = Appeal.objects.get(pk=appeal.pk)
    services.accept(appeal, by=personas.handler)
    with pytest.raises(ConflictError) as err:
        services.request_return(stale, by=personas.handler, reason="不属于本单位")
    assert err.value.current_version == appeal.version
    assert "dept_water" in err.value.message or personas.handler.get_full_name() in err.value.message
    assert Appeal.objects.get(pk=appeal.pk).status == "accepted"
    assert _events(appeal).count("return") == 0


def test_explicit_expected_version_is_checked(personas):
    appeal = make_appeal()
    with pytest.raises(ConflictError):
        services.dispatch(appeal, by=personas.dispatcher, lead_unit=personas.water, expected_version=99)
    assert Appeal.objects.get(pk=appeal.pk).version == 1


def test_refresh_cards_marks_yellow_and_red(personas):
    appeal = advance(make_appeal(), personas, "accepted")
    services.refresh_cards(now=appeal.yellow_at + timedelta(seconds=1))
    appeal.refresh_from_db()
    assert appeal.card == "yellow"
    services.refresh_cards(now=appeal.reply_deadline + timedelta(seconds=1))
    appeal.refresh_from_db()
    assert appeal.card == "red"
    assert Appeal.objects.overdue(appeal.reply_deadline + timedelta(seconds=1)).filter(pk=appeal.pk).exists()


def test_annotate_adds_tags_and_urgency_with_an_event(personas):
    appeal = advance(make_appeal(), personas, "dispatched")
    appeal = services.annotate(appeal, tags=["risk:threat"], urgent=True, reason="涉及轻生言论")
    appeal.refresh_from_db()
    assert appeal.tags == ["risk:threat"] and appeal.urgent and appeal.status == "dispatched"
    event = appeal.events.get(action="annotate")
    assert event.actor is None and event.payload["urgent"] == {"old": False, "new": True}
    same = services.annotate(appeal, tags=["risk:threat"])
    assert same.version == appeal.version  # nothing changed, nothing written


def test_annotate_is_refused_for_handlers_and_other_counties(personas):
    appeal = make_appeal()
    for who in ("handler", "citizen", "county_other"):
        with pytest.raises(ActionForbidden):
            services.annotate(appeal, by=getattr(personas, who), category=None)
    appeal = services.annotate(appeal, by=personas.county_rencheng, appeal_type="complaint")
    assert appeal.appeal_type == "complaint"
