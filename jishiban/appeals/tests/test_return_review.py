"""退单审核: a unit asks to return an appeal; the centre's desk approves (back to dispatch, the
``return`` event every reader of returns knows) or rejects with a reason (back to the unit)."""

from datetime import timedelta

import pytest

from jishiban.appeals import services
from jishiban.appeals.errors import ActionForbidden, ActionNotAllowed, AppealValidationError
from jishiban.appeals.models import Appeal, AppealEvent
from jishiban.appeals.permissions import available_actions
from jishiban.testing import advance, make_appeal

pytestmark = pytest.mark.django_db


def _requested(personas, state="dispatched"):
    appeal = advance(make_appeal(), personas, state)
    return services.request_return(appeal, by=personas.handler, reason="该路段供水管网属水务集团，非本局职责")


def test_a_units_request_waits_for_review_and_the_unit_cannot_act_on_it_meanwhile(personas):
    appeal = _requested(personas)
    assert appeal.status == "return_requested" and appeal.return_count == 0
    for action in ("accept", "reply", "return", "request-return"):
        assert action not in available_actions(personas.handler, appeal)
    with pytest.raises(ActionForbidden):  # the unit cannot approve its own request
        services.approve_return(appeal, by=personas.handler)
    assert Appeal.objects.get(pk=appeal.pk).status == "return_requested"


def test_approved_return_goes_back_to_the_dispatch_queue_with_the_units_reason(personas):
    appeal = _requested(personas, "accepted")
    appeal = services.approve_return(appeal, by=personas.dispatcher, note="核实属实")
    assert appeal.status == "returned" and appeal.return_count == 1
    event = appeal.events.get(action="return")
    assert event.reason == "该路段供水管网属水务集团，非本局职责" and event.actor == personas.dispatcher
    assert event.payload["unit"] == "city-water" and event.payload["reviewed"] is True
    assert event.payload["review_note"] == "核实属实" and event.payload["requested_at"]
    appeal = services.dispatch(appeal, by=personas.dispatcher, lead_unit=personas.urban)
    assert appeal.status == "dispatched"


def test_rejected_return_goes_back_to_the_unit_with_the_reviewers_reason(personas):
    appeal = _requested(personas)
    appeal = services.reject_return(appeal, by=personas.dispatcher, reason="管网在小区红线外，属本局职责")
    assert appeal.status == "dispatched" and appeal.lead_unit == personas.water and appeal.return_count == 0
    event = appeal.events.get(action="reject-return")
    assert event.reason == "管网在小区红线外，属本局职责" and event.payload["unit"] == "city-water"
    assert "accept" in available_actions(personas.handler, appeal)
    appeal = services.accept(appeal, by=personas.handler)
    assert appeal.status == "accepted"


def test_a_signed_appeal_signed_again_after_a_rejection_keeps_its_first_sign_off(personas):
    appeal = advance(make_appeal(), personas, "accepted")
    first = appeal.accepted_at
    appeal = services.request_return(appeal, by=personas.handler, reason="非本单位职责")
    appeal = services.reject_return(appeal, by=personas.supervisor, reason="属本单位职责")
    appeal = services.accept(appeal, by=personas.handler, at=first + timedelta(hours=1))
    assert Appeal.objects.get(pk=appeal.pk).accepted_at == first


def test_rejection_needs_a_reason_and_writes_nothing_without_one(personas):
    appeal = _requested(personas)
    with pytest.raises(AppealValidationError) as err:
        services.reject_return(appeal, by=personas.dispatcher, reason=" ")
    assert "reason" in err.value.errors
    assert Appeal.objects.get(pk=appeal.pk).status == "return_requested"
    assert not AppealEvent.objects.filter(appeal=appeal, action="reject-return").exists()


@pytest.mark.parametrize("who", ["other_handler", "citizen", "leader", "analyst", "grid_worker", "county_other"])
def test_review_is_refused_to_those_outside_the_centres_desk(personas, who):
    appeal = _requested(personas)
    for call in (lambda: services.approve_return(appeal, by=getattr(personas, who)),
                 lambda: services.reject_return(appeal, by=getattr(personas, who), reason="属本单位职责")):
        with pytest.raises(ActionForbidden):
            call()
    assert Appeal.objects.get(pk=appeal.pk).status == "return_requested"


def test_the_centre_does_not_return_an_appeal_no_unit_asked_to_return(personas):
    appeal = advance(make_appeal(), personas, "dispatched")
    with pytest.raises(ActionNotAllowed):  # a return is only ever the approval of a request
        services.approve_return(appeal, by=personas.dispatcher)
    with pytest.raises(ActionNotAllowed):
        services.reject_return(appeal, by=personas.dispatcher, reason="属本单位职责")
    with pytest.raises(ActionForbidden):  # and a unit never returns by itself
        services.approve_return(appeal, by=personas.handler)


def test_a_request_after_the_return_window_is_refused(personas):
    appeal = advance(make_appeal(), personas, "dispatched")
    with pytest.raises(ActionNotAllowed):
        services.request_return(appeal, by=personas.handler, reason="非本单位职责",
                                at=appeal.return_deadline + timedelta(minutes=1))


def test_a_request_reviewed_after_the_return_window_is_still_decided(personas):
    appeal = _requested(personas)
    later = appeal.return_deadline + timedelta(hours=3)
    assert services.approve_return(appeal, by=personas.dispatcher, at=later).status == "returned"


def test_the_only_way_to_returned_is_the_review(personas):
    """No direct 退单: the workflow reaches ``returned`` from 退单待审 alone, the unit is offered
    only the request, and the centre's desk corrects its own dispatch by re-dispatching."""
    from jishiban.appeals.workflow import TRANSITIONS, Action, State

    assert [source for (source, action), target in TRANSITIONS.items() if target == State.RETURNED] == \
        [State.RETURN_REQUESTED]
    assert [source for (source, action) in TRANSITIONS if action == Action.RETURN] == [State.RETURN_REQUESTED]
    for state in ("dispatched", "accepted"):
        appeal = advance(make_appeal(), personas, state)
        assert "return" not in available_actions(personas.handler, appeal)
        assert "request-return" in available_actions(personas.handler, appeal)
        assert "return" not in available_actions(personas.dispatcher, appeal)
    appeal = advance(make_appeal(), personas, "dispatched")
    appeal = services.dispatch(appeal, by=personas.dispatcher, lead_unit=personas.urban)  # 改派 before sign-off
    assert appeal.status == "dispatched" and appeal.return_count == 0


def test_the_workbench_has_no_direct_return_form(personas, client):
    appeal = advance(make_appeal(), personas, "dispatched")
    client.force_login(personas.handler)
    r = client.post(f"/appeals/{appeal.pk}/act/return/", {"expected_version": appeal.version, "reason": "非本单位职责"})
    assert r.status_code == 404
    assert Appeal.objects.get(pk=appeal.pk).status == "dispatched"
