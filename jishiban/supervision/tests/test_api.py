"""The supervision API: the same paths as the pages, refused to the personas who must be
refused, errors mapped to 403/404/409/422."""

from datetime import timedelta

import pytest
from django.utils import timezone
from ninja.testing import TestClient

from jishiban.api.urls import api as main_api
from jishiban.appeals import services
from jishiban.supervision.models import CallbackTask, Dispute, FollowUp, SupervisionOrder
from jishiban.supervision.services import callbacks
from jishiban.testing import advance, make_appeal, return_reviewed, working_days_later

pytestmark = pytest.mark.django_db


class SupervisionClient:
    """The main API's test client, at the supervision router's paths: errors come back through
    the API's own handlers, as they do for a real client."""

    def __init__(self):
        self.client = TestClient(main_api)

    def __getattr__(self, method):
        call = getattr(self.client, method)
        return lambda path, **kwargs: call("/supervision" + path, **kwargs)


@pytest.fixture
def api():
    return SupervisionClient()


def test_anonymous_requests_are_refused(api):
    assert api.get("/orders").status_code == 401
    assert api.get("/notifications/unread-count").status_code == 401


def test_order_life_through_the_api(api, personas, accepted):
    appeal = accepted()
    sup, handler = personas.supervisor, personas.handler
    created = api.post("/orders", json={"appeal": appeal.number, "reason": "key", "deadline_days": 2}, user=sup)
    assert created.status_code == 201, created.content
    order = created.json()
    assert order["target_unit"] == "city-water" and order["status"] == "open" and order["appeal"] == appeal.number
    assert api.post("/orders", json={"appeal": appeal.number, "reason": "key"}, user=sup).status_code == 200
    pk = order["id"]
    assert [o["id"] for o in api.get("/orders", user=handler).json()] == [pk]
    assert api.get("/orders", user=personas.other_handler).json() == []
    assert api.get(f"/orders/{pk}", user=personas.other_handler).status_code == 404
    assert api.post(f"/orders/{pk}/respond", json={"text": ""}, user=handler).status_code == 422
    assert api.post(f"/orders/{pk}/respond", json={"text": "已办"}, user=personas.leader).status_code == 403
    responded = api.post(f"/orders/{pk}/respond", json={"text": "已恢复供水"}, user=handler)
    assert responded.status_code == 200 and responded.json()["status"] == "responded"
    again = api.post(f"/orders/{pk}/respond", json={"text": "again"}, user=handler)
    assert again.status_code == 409 and again.json()["code"] == "action_not_allowed"
    visit = api.post(f"/orders/{pk}/visits", user=sup, json={
        "date": timezone.localdate().isoformat(), "place": "泵房", "participants": "督查科", "findings": "设备老化",
        "outcome": "限期更换"})
    assert visit.status_code == 201
    refused = api.post(f"/orders/{pk}/close", json={"reason": ""}, user=sup)
    assert refused.status_code == 422 and "reason" in refused.json()["errors"]
    assert refused.json()["code"] == "validation_error"
    closed = api.post(f"/orders/{pk}/close", json={"reason": "已现场核实"}, user=sup)
    assert closed.json()["status"] == "closed"
    events = api.get(f"/orders/{pk}/events", user=sup).json()
    assert [e["action"] for e in events] == ["open", "respond", "visit", "close"]


@pytest.mark.parametrize("who", ["leader", "handler", "dispatcher", "operator", "citizen", "analyst"])
def test_only_managers_create_orders(api, personas, accepted, who):
    response = api.post("/orders", json={"appeal": accepted().number}, user=getattr(personas, who))
    assert response.status_code == 403 and not SupervisionOrder.objects.exists()


def test_county_staff_see_only_their_county(api, personas):
    mine = advance(make_appeal(citizen_phone="13500000001"), personas, "dispatched")
    theirs = advance(make_appeal(county="370812", citizen_phone="13500000002"), personas, "dispatched")
    for appeal in (mine, theirs):
        api.post("/orders", json={"appeal": appeal.number}, user=personas.supervisor)
    seen = {o["appeal"] for o in api.get("/orders", user=personas.county_rencheng).json()}
    assert seen == {mine.number}
    assert api.post("/orders", json={"appeal": theirs.number}, user=personas.county_rencheng).status_code == 404


def test_callback_paths_through_the_api(api, personas, replied):
    appeal = replied()
    task = CallbackTask.objects.get(appeal=appeal)
    assert [t["id"] for t in api.get("/callbacks", user=personas.operator).json()] == [task.pk]
    assert api.get("/callbacks", user=personas.handler).status_code == 403
    for _ in range(2):
        api.post(f"/callbacks/{task.pk}/attempts", json={"outcome": "no_answer"}, user=personas.operator)
    version = api.get(f"/callbacks/{task.pk}", user=personas.operator).json()["appeal_version"]
    answered = api.post(f"/callbacks/{task.pk}/result", user=personas.operator,
                        json={"satisfaction": "dissatisfied", "solved": False, "comment": "没修好",
                              "expected_version": version})
    assert answered.status_code == 200 and answered.json()["needs_decision"] is True
    assert len(answered.json()["attempts"]) == 3
    version = api.get(f"/callbacks/{task.pk}", user=personas.supervisor).json()["appeal_version"]
    assert api.post(f"/callbacks/{task.pk}/decision", user=personas.supervisor,
                    json={"decision": "reopen", "reason": "群众反映仍未解决"}).status_code == 422
    decided = api.post(f"/callbacks/{task.pk}/decision", user=personas.supervisor,
                       json={"decision": "reopen", "reason": "群众反映仍未解决", "expected_version": version})
    assert decided.status_code == 200 and decided.json()["decision"] == "reopen"
    appeal.refresh_from_db()
    assert appeal.status == "reopened" and appeal.reopen_count == 1


def test_citizen_link_through_the_api_without_auth(api, personas, replied):
    appeal = replied(channel="12345-web")
    token = callbacks.link_token(CallbackTask.objects.get(appeal=appeal))
    info = api.get(f"/callback-links/{token}")
    assert info.status_code == 200 and info.json()["appeal"] == appeal.number and not info.json()["done"]
    done = api.post(f"/callback-links/{token}", json={"satisfaction": "satisfied", "solved": True})
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert api.post(f"/callback-links/{token}", json={"satisfaction": "satisfied", "solved": True}).status_code == 409
    assert api.get("/callback-links/forged").status_code == 404


def test_public_replies_and_rates(api, personas, replied):
    appeal = replied(channel="wenzheng")
    reply = api.get("/public-replies?status=draft", user=personas.operator).json()
    assert [r["appeal"] for r in reply] == [appeal.number]
    published = api.put(f"/public-replies/{reply[0]['id']}", user=personas.operator,
                        json={"text": "已处理，联系电话13812345678", "publish": True})
    assert published.json()["status"] == "published" and "138****5678" in published.json()["text"]
    period = timezone.localdate().strftime("%Y-%m")
    rates = api.get(f"/reply-rates?period={period}", user=personas.supervisor).json()
    assert rates == [{"channel": "wenzheng", "name": "网络问政", "received": 1, "replied": 1, "rate": "100.00"}]
    assert api.get("/reply-rates?period=bad", user=personas.supervisor).status_code == 422
    held = api.put(f"/public-replies/{reply[0]['id']}", user=personas.operator,
                   json={"text": "已处理", "withhold": True})
    assert held.status_code == 200 and held.json()["status"] == "withheld" and held.json()["published_at"] is None


def test_follow_up_paths(api, personas):
    appeal = advance(make_appeal(), personas, "accepted")
    services.reply(appeal, by=personas.handler, result_type="stepwise", text="分步", promise="月底前修复",
                   follow_up_date=timezone.localdate() + timedelta(days=2))
    fu = FollowUp.objects.get(appeal=appeal)
    assert [f["id"] for f in api.get("/follow-ups", user=personas.handler).json()] == [fu.pk]
    assert api.post(f"/follow-ups/{fu.pk}/fulfil", json={"note": "x"}, user=personas.other_handler).status_code == 404
    assert api.post(f"/follow-ups/{fu.pk}/fulfil", json={"note": "已修复"}, user=personas.handler).json()[
        "status"] == "fulfilled"
    assert api.post(f"/follow-ups/{fu.pk}/confirm", json={}, user=personas.handler).status_code == 403
    assert api.post(f"/follow-ups/{fu.pk}/confirm", json={}, user=personas.supervisor).json()["status"] == "confirmed"


def test_extension_approval(api, personas, accepted):
    appeal = accepted()
    appeal.refresh_from_db()
    services.request_extension(appeal, by=personas.handler, new_deadline=working_days_later(appeal.reply_deadline, 3),
                               reason="需协调管网改造")
    rows = api.get("/extensions", user=personas.supervisor).json()
    assert [r["appeal"] for r in rows] == [appeal.number] and rows[0]["can_decide"]
    assert api.get("/extensions", user=personas.leader).json()[0]["can_decide"] is False
    version = rows[0]["appeal_version"]
    assert api.post(f"/extensions/{appeal.number}", json={"approve": True, "expected_version": version},
                    user=personas.leader).status_code == 403
    refused = api.post(f"/extensions/{appeal.number}", json={"approve": False, "expected_version": version},
                       user=personas.supervisor)
    assert refused.status_code == 422
    approved = api.post(f"/extensions/{appeal.number}", json={"approve": True, "expected_version": version},
                        user=personas.supervisor)
    assert approved.status_code == 200 and approved.json()["status"] == "accepted"


def test_a_stale_extension_decision_is_a_conflict_and_changes_nothing(api, personas, accepted):
    """GIVEN two supervisors looking at the same request WHEN one approves THEN the other's
    refusal, made on the old version, is a 409 naming who acted, and the approval stands."""
    appeal = accepted()
    appeal.refresh_from_db()
    services.request_extension(appeal, by=personas.handler, new_deadline=working_days_later(appeal.reply_deadline, 3),
                               reason="需协调管网改造")
    seen = api.get("/extensions", user=personas.supervisor).json()[0]["appeal_version"]
    assert api.post(f"/extensions/{appeal.number}", json={"approve": True, "expected_version": seen},
                    user=personas.supervisor).status_code == 200
    stale = api.post(f"/extensions/{appeal.number}", json={"approve": False, "reason": "不同意", "expected_version": seen},
                     user=personas.admin)
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    assert stale.json()["current_version"] == seen + 1 and stale.json()["last_action"] == "decide-extension"
    appeal.refresh_from_db()
    assert appeal.status == "accepted" and appeal.events.filter(action="decide-extension").count() == 1
    assert api.post(f"/extensions/{appeal.pk}", json={"approve": True, "expected_version": seen + 1},
                    user=personas.supervisor).status_code == 404  # appeals are named by their number


def test_a_stale_callback_result_is_a_conflict_and_changes_nothing(api, personas, replied):
    appeal = replied()
    task = CallbackTask.objects.get(appeal=appeal)
    seen = api.get(f"/callbacks/{task.pk}", user=personas.operator).json()["appeal_version"]
    services.callback(appeal, by=personas.supervisor, satisfaction="satisfied", solved=True)  # elsewhere, first
    stale = api.post(f"/callbacks/{task.pk}/result", user=personas.operator,
                     json={"satisfaction": "dissatisfied", "solved": False, "expected_version": seen})
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    appeal.refresh_from_db()
    assert appeal.satisfaction == "satisfied" and appeal.events.filter(action="callback").count() == 1
    missing = api.post(f"/callbacks/{task.pk}/result", user=personas.operator,
                       json={"satisfaction": "satisfied", "solved": True})
    assert missing.status_code == 422


def test_a_stale_callback_decision_is_a_conflict_and_changes_nothing(api, personas, replied):
    appeal = replied()
    task = CallbackTask.objects.get(appeal=appeal)
    callbacks.record_result(task, by=personas.operator, satisfaction="dissatisfied", solved=False)
    seen = api.get(f"/callbacks/{task.pk}", user=personas.supervisor).json()["appeal_version"]
    appeal.refresh_from_db()
    services.annotate(appeal, by=personas.supervisor, urgent=True)  # changed meanwhile
    stale = api.post(f"/callbacks/{task.pk}/decision", user=personas.supervisor,
                     json={"decision": "reopen", "reason": "仍未解决", "expected_version": seen})
    body = stale.json()
    assert stale.status_code == 409 and body["code"] == "conflict"
    assert body["current_version"] == seen + 1 and body["last_action"] == "annotate" and body["last_actor"]
    appeal.refresh_from_db()
    task.refresh_from_db()
    assert appeal.status == "callback_done" and task.decision == ""


def test_errors_have_the_api_shape_in_chinese(api, personas, accepted):
    """A refusal and an unknown object answer like the rest of /api/v1: a code and a Chinese detail."""
    refused = api.get("/orders", user=personas.citizen)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert "无权" in refused.json()["detail"]
    missing = api.get("/orders/999999", user=personas.supervisor)
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert "不存在" in missing.json()["detail"]
    unknown = api.post("/orders", json={"appeal": "JN000", "reason": "key"}, user=personas.supervisor)
    assert unknown.status_code == 404 and "JN000" in unknown.json()["detail"]
    for response in (refused, missing, unknown):
        assert not any(word in response.json()["detail"] for word in ("forbidden", "not found"))


def test_dispute_meeting_decision_through_the_api(api, personas):
    appeal = advance(make_appeal(), personas, "dispatched")
    return_reviewed(appeal, by=personas.handler, reason="非本单位职责")
    contested = api.post("/disputes", json={"appeal": appeal.number, "note": "应由水务集团办理"},
                         user=personas.dispatcher)
    assert contested.status_code == 201
    dispute = contested.json()["id"]
    assert api.post("/meetings", json={"date": "2026-11-30", "place": "会议室", "disputes": [dispute]},
                    user=personas.dispatcher).status_code == 403
    meeting = api.post("/meetings", json={"date": "2026-11-30", "place": "会议室", "disputes": [dispute]},
                       user=personas.supervisor)
    assert meeting.status_code == 201 and meeting.json()["disputes"] == [dispute]
    mid = meeting.json()["id"]
    decision = api.post(f"/meetings/{mid}/decisions", user=personas.supervisor, json={
        "dispute": dispute, "lead_unit": "ent-water", "co_units": ["city-water"], "legal_basis": "供水条例"})
    assert decision.status_code == 201, decision.content
    body = decision.json()
    assert body["lead_unit"] == "ent-water" and body["county"] == "370811"
    appeal.refresh_from_db()
    assert appeal.lead_unit.code == "ent-water" and Dispute.objects.get().status == "decided"
    catalogue = api.get("/decisions?category=020101&county=370811&on=2026-12-01", user=personas.dispatcher).json()
    assert [d["id"] for d in catalogue] == [body["id"]]
    minutes = api.post(f"/meetings/{mid}/minutes", json={"minutes": "议定由水务集团主办"}, user=personas.supervisor)
    assert minutes.json()["status"] == "held"


def test_rules_and_decision_catalogue_management(api, personas):
    from jishiban.supervision.models import DispatchDecision, TriggerRule
    from jishiban.taxonomy.models import Category

    TriggerRule.objects.filter(reason="repeat").update(threshold=5)
    rules = {r["reason"]: r for r in api.get("/rules", user=personas.leader).json()}
    assert rules["repeat"]["threshold"] == 5 and rules["overdue"]["enabled"] is True
    assert api.get("/rules", user=personas.handler).status_code == 403
    decision = DispatchDecision.objects.create(category=Category.objects.get(code="020101"),
                                               lead_unit=personas.water, legal_basis="x",
                                               valid_from=timezone.localdate())
    assert api.post(f"/decisions/{decision.pk}/deactivate", user=personas.leader).status_code == 403
    assert api.post(f"/decisions/{decision.pk}/deactivate", user=personas.county_rencheng).status_code == 403
    assert api.post(f"/decisions/{decision.pk}/deactivate", user=personas.supervisor).status_code == 200
    assert api.get("/decisions?category=020101", user=personas.dispatcher).json() == []


def test_notifications_and_figures(api, personas, accepted):
    appeal = accepted()
    api.post("/orders", json={"appeal": appeal.number, "reason": "key"}, user=personas.supervisor)
    # the dispatch notice and the order's
    assert api.get("/notifications/unread-count", user=personas.handler).json() == {"unread": 2}
    notes = api.get("/notifications", user=personas.handler).json()
    assert [n["kind"] for n in notes] == ["order_opened", "dispatched"]
    assert api.post("/notifications/read", json=None, user=personas.handler).json() == {"marked": 2}
    period = timezone.localdate().strftime("%Y-%m")
    result = api.get(f"/figures?period={period}", user=personas.leader).json()
    assert result["supervised"] == 1 and result["solved"] == 0 and result["by_unit"][0]["supervised"] == 1
    assert api.get(f"/figures?period={period}", user=personas.handler).status_code == 403


def test_letters_through_the_api(api, personas):
    appeal = services.dispatch(make_appeal(), by=personas.dispatcher, lead_unit=personas.water,
                               at=timezone.now() - timedelta(days=30))
    assert appeal.pk
    today = timezone.localdate()
    period = f"{today - timedelta(days=60)}..{today}"
    assert api.post("/letters", json={"period": period}, user=personas.handler).status_code == 403
    from jishiban.analytics import assessment
    from jishiban.analytics import services as analytics
    from jishiban.supervision import letters
    from jishiban.supervision.models import ReminderLetter

    analytics.save_scheme({**assessment.DEFAULT_SCHEME, "letter_overdue": 1})  # one overdue appeal names it
    made = api.post("/letters", json={"period": period}, user=personas.supervisor)
    assert made.status_code == 201 and [m["unit"] for m in made.json()] == ["city-water"]
    pk = made.json()[0]["id"]
    assert api.get(f"/letters/{pk}/file", user=personas.handler).status_code == 404  # a draft stays with the centre
    letters.send(ReminderLetter.objects.get(pk=pk), by=personas.supervisor)
    assert api.get(f"/letters/{pk}/file", user=personas.handler).status_code == 200
    assert api.get(f"/letters/{pk}/file", user=personas.other_handler).status_code == 404


def test_router_is_served_under_api_v1_with_a_bearer_token(personas, accepted):
    """Through the project's API at /api/v1/supervision/ (its auth and error handlers)."""
    from django.test import Client

    from jishiban.api.tokens import create_token

    appeal = accepted()
    _row, token = create_token(personas.supervisor, name="督查")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    made = client.post("/api/v1/supervision/orders", {"appeal": appeal.number, "reason": "key"},
                       content_type="application/json")
    assert made.status_code == 201 and made.json()["appeal"] == appeal.number
    assert client.get("/api/v1/supervision/orders").json()[0]["id"] == made.json()["id"]
    assert Client().get("/api/v1/supervision/orders").status_code == 401
    _row, handler_token = create_token(personas.other_handler)
    other = Client(HTTP_AUTHORIZATION=f"Bearer {handler_token}")
    assert other.get(f"/api/v1/supervision/orders/{made.json()['id']}").status_code == 404
