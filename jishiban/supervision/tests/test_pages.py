"""The supervision pages: who sees which page (403/404 for the others) and every path
driven through the forms."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from jishiban.appeals import services
from jishiban.appeals.models import Appeal
from jishiban.supervision.models import (
    CallbackTask,
    DispatchDecision,
    Dispute,
    FollowUp,
    Meeting,
    Notification,
    PublicReply,
    ReminderLetter,
    SupervisionOrder,
)
from jishiban.supervision.services import orders
from jishiban.testing import advance, make_appeal, return_reviewed, working_days_later

pytestmark = pytest.mark.django_db

PAGES = ["", "orders/", "orders/new/", "figures/", "callbacks/", "follow-ups/", "extensions/", "disputes/",
         "disputes/contest/", "meetings/", "decisions/", "public-replies/", "letters/", "notifications/"]

# Which pages each persona may open (everything else is 403). Citizens are kept on the portal's
# pages (portal/tests/test_citizen_account.py).
ALLOWED = {
    "supervisor": set(PAGES),
    "county_rencheng": set(PAGES),
    "admin": set(PAGES),
    "leader": set(PAGES) - {"orders/new/", "disputes/contest/"},
    "handler": {"", "orders/", "follow-ups/", "letters/", "notifications/"},
    "dept_head": {"", "orders/", "follow-ups/", "letters/", "notifications/"},
    "operator": {"", "callbacks/", "public-replies/", "notifications/"},
    "dispatcher": {"", "disputes/", "disputes/contest/", "decisions/", "notifications/"},
    "analyst": {"notifications/"},
    "grid_worker": {"notifications/"},
}


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", sorted(ALLOWED))
def test_each_persona_opens_exactly_its_pages(personas, who):
    client = client_for(getattr(personas, who))
    for page in PAGES:
        status = client.get(f"/supervision/{page}").status_code
        assert status == (200 if page in ALLOWED[who] else 403), (who, page, status)


def test_index_shows_the_trigger_rules_to_the_centre(personas):
    page = client_for(personas.supervisor).get("/supervision/").content.decode()
    assert "自动督办规则" in page and "重复投诉" in page and "按承办单位层级" in page
    assert "自动督办规则" not in client_for(personas.handler).get("/supervision/").content.decode()


def test_anonymous_users_are_sent_to_login():
    response = Client().get("/supervision/orders/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_order_paths_through_the_pages(personas, accepted):
    appeal = accepted()
    sup = client_for(personas.supervisor)
    response = sup.post("/supervision/orders/new/", {"appeal_number": appeal.number, "reason": "leader",
                                                     "instruction": "请限期解决", "instructed_by": "市长"})
    order = SupervisionOrder.objects.get(appeal=appeal)
    assert response.status_code == 302 and response["Location"] == f"/supervision/orders/{order.pk}/"
    missing = sup.post("/supervision/orders/new/", {"appeal_number": "JN000", "reason": "key"})
    assert missing.status_code == 200 and "没有找到" in missing.content.decode()
    no_text = sup.post("/supervision/orders/new/", {"appeal_number": appeal.number, "reason": "key",
                                                    "level": "nowhere"})
    assert no_text.status_code == 200  # bad choice shown on the form
    detail = sup.get(f"/supervision/orders/{order.pk}/").content.decode()
    assert "请限期解决" in detail and "办结督办单" in detail
    handler = client_for(personas.handler)
    assert "提交反馈" in handler.get(f"/supervision/orders/{order.pk}/").content.decode()
    handler.post(f"/supervision/orders/{order.pk}/respond/", {"text": "已恢复供水"})
    order.refresh_from_db()
    assert order.status == "responded"
    assert client_for(personas.other_handler).get(f"/supervision/orders/{order.pk}/").status_code == 404
    assert client_for(personas.leader).post(f"/supervision/orders/{order.pk}/close/",
                                            {"reason": "x"}).status_code == 403
    assert handler.post(f"/supervision/orders/{order.pk}/close/", {"reason": "x"}).status_code == 403
    sup.post(f"/supervision/orders/{order.pk}/visit/", {
        "date": timezone.localdate().isoformat(), "place": "现场", "participants": "督查科", "findings": "已通水",
        "outcome": "群众认可"})
    assert order.visits.count() == 1
    sup.post(f"/supervision/orders/{order.pk}/close/", {"reason": ""})
    order.refresh_from_db()
    assert order.status == "responded"  # not solved and no reason: refused
    sup.post(f"/supervision/orders/{order.pk}/close/", {"reason": "经现场核实已解决"})
    order.refresh_from_db()
    assert order.status == "closed"


def test_escalate_and_reopen_from_the_order_page(personas, replied):
    appeal = services.callback(replied(), by=personas.supervisor, satisfaction="dissatisfied", solved=False)
    order = SupervisionOrder.objects.get(appeal=appeal, reason="dissatisfied")
    sup = client_for(personas.supervisor)
    sup.post(f"/supervision/orders/{order.pk}/escalate/", {"reason": "单位推诿"})
    order.refresh_from_db()
    assert order.status == "escalated" and order.responsible_unit.code == "centre-city"
    sup.post(f"/supervision/orders/{order.pk}/reopen-appeal/", {"reason": "群众不满意，重办"})
    assert Appeal.objects.get(pk=appeal.pk).status == "reopened"


def test_callback_paths_through_the_pages(personas, replied):
    appeal = replied()
    task = CallbackTask.objects.get(appeal=appeal)
    operator = client_for(personas.operator)
    page = operator.get(f"/supervision/callbacks/{task.pk}/").content.decode()
    assert "电话回访" in page and "记录本次尝试" in page
    operator.post(f"/supervision/callbacks/{task.pk}/attempt/", {"outcome": "busy"})
    operator.post(f"/supervision/callbacks/{task.pk}/result/", {"solved": "no", "satisfaction": "dissatisfied",
                                                                "comment": "没人来", "expected_version": appeal.version})
    task.refresh_from_db()
    version = Appeal.objects.get(pk=appeal.pk).version
    assert task.status == "done" and task.needs_decision and task.attempts.count() == 2
    listing = client_for(personas.supervisor).get("/supervision/callbacks/?state=decision").content.decode()
    assert appeal.number in listing
    assert operator.post(f"/supervision/callbacks/{task.pk}/decide/", {
        "decision": "close", "reason": "x", "expected_version": version}).status_code == 403
    client_for(personas.supervisor).post(f"/supervision/callbacks/{task.pk}/decide/", {
        "decision": "reopen", "reason": "未解决，交原单位重办", "expected_version": version})
    task.refresh_from_db()
    assert task.decision == "reopen" and Appeal.objects.get(pk=appeal.pk).reopen_count == 1


def test_unreachable_through_the_page(personas, replied):
    appeal = replied()
    task = CallbackTask.objects.get(appeal=appeal)
    operator = client_for(personas.operator)
    for outcome in ("no_answer", "no_answer", "power_off"):
        response = operator.post(f"/supervision/callbacks/{task.pk}/attempt/", {"outcome": outcome}, follow=True)
    assert "无法回访" in response.content.decode()
    assert Appeal.objects.get(pk=appeal.pk).status == "closed"


def test_link_resend_and_public_reply_pages(personas, replied):
    appeal = replied(channel="people-board")
    task = CallbackTask.objects.get(appeal=appeal)
    operator = client_for(personas.operator)
    response = operator.post(f"/supervision/callbacks/{task.pk}/link/", follow=True)
    assert "尚未配置短信通道" in response.content.decode()
    assert Notification.objects.filter(kind="callback_link", appeal=appeal).count() == 2
    reply = PublicReply.objects.get(appeal=appeal)
    assert appeal.number in operator.get("/supervision/public-replies/").content.decode()
    operator.post(f"/supervision/public-replies/{reply.pk}/", {"text": "张三您好，问题已处理。", "publish": "1"})
    reply.refresh_from_db()
    assert reply.status == "published" and "张*" in reply.text
    rates = client_for(personas.supervisor).get("/supervision/public-replies/?status=published").content.decode()
    assert "人民网领导留言板" in rates and "100.00%" in rates


def test_a_public_reply_is_held_back_from_its_page(personas, replied):
    appeal = replied(channel="wenzheng")
    reply = PublicReply.objects.get(appeal=appeal)
    operator = client_for(personas.operator)
    response = operator.post(f"/supervision/public-replies/{reply.pk}/", {"text": "", "withhold": "1"}, follow=True)
    reply.refresh_from_db()
    assert reply.status == "withheld" and "已不予公开" in response.content.decode()
    held = operator.get("/supervision/public-replies/?status=withheld").content.decode()
    assert appeal.number in held and "编辑发布" in held  # it can still be published later
    operator.post(f"/supervision/public-replies/{reply.pk}/", {"withhold": "1"}, follow=True)  # again: refused, no 500
    assert PublicReply.objects.get(pk=reply.pk).status == "withheld"


def test_follow_up_paths_through_the_pages(personas):
    appeal = advance(make_appeal(), personas, "accepted")
    services.reply(appeal, by=personas.handler, result_type="stepwise", text="分步", promise="周五前修复",
                   follow_up_date=timezone.localdate() + timedelta(days=1))
    fu = FollowUp.objects.get(appeal=appeal)
    handler = client_for(personas.handler)
    assert "周五前修复" in handler.get("/supervision/follow-ups/").content.decode()
    handler.post(f"/supervision/follow-ups/{fu.pk}/fulfil/", {"note": "已修复"})
    client_for(personas.supervisor).post(f"/supervision/follow-ups/{fu.pk}/confirm/")
    fu.refresh_from_db()
    assert fu.status == "confirmed"
    assert client_for(personas.other_handler).post(f"/supervision/follow-ups/{fu.pk}/fulfil/",
                                                   {"note": "x"}).status_code == 404


def test_extension_page(personas, accepted):
    appeal = accepted()
    appeal.refresh_from_db()
    services.request_extension(appeal, by=personas.handler, new_deadline=working_days_later(appeal.reply_deadline, 2),
                               reason="需采购配件")
    version = Appeal.objects.get(pk=appeal.pk).version
    sup = client_for(personas.supervisor)
    page = sup.get("/supervision/extensions/").content.decode()
    assert "需采购配件" in page and personas.handler.get_full_name() in page
    assert f'name="expected_version" value="{version}"' in page
    assert "只读" in client_for(personas.leader).get("/supervision/extensions/").content.decode()
    sup.post(f"/supervision/extensions/{appeal.pk}/decide/", {"approve": "no", "reason": "",
                                                              "expected_version": version})
    assert Appeal.objects.get(pk=appeal.pk).status == "extension_requested"
    sup.post(f"/supervision/extensions/{appeal.pk}/decide/", {"approve": "yes", "expected_version": version})
    assert Appeal.objects.get(pk=appeal.pk).status == "accepted"


def test_a_stale_extension_decision_on_the_page_changes_nothing(personas, accepted):
    appeal = accepted()
    appeal.refresh_from_db()
    appeal = services.request_extension(appeal, by=personas.handler,
                                        new_deadline=working_days_later(appeal.reply_deadline, 2), reason="需采购配件")
    seen = appeal.version
    services.annotate(appeal, by=personas.supervisor, urgent=True)  # someone else changed it meanwhile
    response = client_for(personas.supervisor).post(f"/supervision/extensions/{appeal.pk}/decide/", {
        "approve": "yes", "expected_version": seen}, follow=True)
    assert "请刷新后重试" in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == "extension_requested" and not appeal.events.filter(action="decide-extension").exists()


def test_the_extension_list_costs_the_same_queries_for_one_row_or_many(personas, accepted,
                                                                       django_assert_num_queries):
    from jishiban.supervision import selectors

    def ask():
        appeal = accepted()
        appeal.refresh_from_db()
        services.request_extension(appeal, by=personas.handler,
                                   new_deadline=working_days_later(appeal.reply_deadline, 2), reason="需采购配件")

    ask()
    with django_assert_num_queries(2):
        rows = selectors.extension_requests(personas.supervisor)
    assert len(rows) == 1 and rows[0]["request"].actor == personas.handler and rows[0]["new_deadline"]
    for _i in range(4):
        ask()
    with django_assert_num_queries(2):
        rows = selectors.extension_requests(personas.supervisor)
    assert len(rows) == 5 and all(r["can_decide"] and r["request"].reason == "需采购配件" for r in rows)


def test_the_callback_list_takes_the_verdict_and_closes_a_satisfied_appeal(personas, replied):
    appeal = replied()
    appeal.refresh_from_db()
    task = CallbackTask.objects.get(appeal=appeal)
    sup = client_for(personas.supervisor)
    page = sup.get("/supervision/callbacks/").content.decode()
    assert f'id="callback-{appeal.pk}"' in page and appeal.result_text[:20] in page
    response = sup.post(f"/supervision/callbacks/{task.pk}/result/", {
        "satisfaction": "satisfied", "solved": "yes", "comment": "群众表示满意", "close_after": "on",
        "expected_version": appeal.version, "next": "/supervision/callbacks/"})
    assert response["Location"] == "/supervision/callbacks/"
    appeal.refresh_from_db()
    assert appeal.status == "closed" and appeal.satisfaction == "satisfied"
    assert list(appeal.events.values_list("action", flat=True))[-2:] == ["callback", "close"]


def test_an_operator_calls_back_and_leaves_the_closing_to_the_centre(personas, replied):
    appeal = replied()
    appeal.refresh_from_db()
    task = CallbackTask.objects.get(appeal=appeal)
    client_for(personas.operator).post(f"/supervision/callbacks/{task.pk}/result/", {
        "satisfaction": "satisfied", "solved": "yes", "close_after": "on", "expected_version": appeal.version})
    appeal.refresh_from_db()
    assert appeal.status == "callback_done"


def test_a_stale_callback_verdict_on_the_page_changes_nothing(personas, replied):
    appeal = replied()
    appeal.refresh_from_db()
    task = CallbackTask.objects.get(appeal=appeal)
    response = client_for(personas.supervisor).post(f"/supervision/callbacks/{task.pk}/result/", {
        "satisfaction": "satisfied", "solved": "yes", "expected_version": appeal.version - 1}, follow=True)
    assert "请刷新后重试" in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == "replied"


def test_the_callback_list_query_count_does_not_grow_with_rows(personas, replied, django_assert_max_num_queries):
    for _i in range(6):
        replied()
    sup = client_for(personas.supervisor)
    with django_assert_max_num_queries(12):
        assert sup.get("/supervision/callbacks/").status_code == 200


@pytest.mark.parametrize("old, new", [("/callbacks/", "/supervision/callbacks/"),
                                      ("/extensions/", "/supervision/extensions/")])
def test_the_workbench_addresses_lead_to_the_supervision_pages(personas, old, new):
    response = client_for(personas.supervisor).get(old)
    assert response.status_code == 301 and response["Location"] == new


def test_dispute_meeting_decision_through_the_pages(personas):
    appeal = advance(make_appeal(), personas, "dispatched")
    return_reviewed(appeal, by=personas.handler, reason="非本单位职责")
    client_for(personas.dispatcher).post("/supervision/disputes/contest/", {"appeal_number": appeal.number,
                                                                            "note": "属水务职责"})
    dispute = Dispute.objects.get(appeal=appeal)
    sup = client_for(personas.supervisor)
    assert appeal.number in sup.get("/supervision/meetings/").content.decode()
    response = sup.post("/supervision/meetings/", {"title": "11月攻坚会商", "date": "2026-11-30", "place": "三楼",
                                                   "disputes": [str(dispute.pk)]})
    meeting = Meeting.objects.get()
    assert response["Location"] == f"/supervision/meetings/{meeting.pk}/"
    assert "记录决定并重新派单" in sup.get(f"/supervision/meetings/{meeting.pk}/").content.decode()
    water = personas.water.__class__.objects.get(code="ent-water")
    sup.post(f"/supervision/meetings/{meeting.pk}/disputes/{dispute.pk}/decide/", {
        f"d{dispute.pk}-lead_unit": water.pk, f"d{dispute.pk}-legal_basis": "供水条例",
        f"d{dispute.pk}-keywords": "停水"})
    decision = DispatchDecision.objects.get()
    assert Appeal.objects.get(pk=appeal.pk).lead_unit == water and decision.keywords == "停水"
    sup.post(f"/supervision/meetings/{meeting.pk}/minutes/", {"minutes": "议定由水务集团主办"})
    assert Meeting.objects.get().status == "held"
    catalogue = client_for(personas.dispatcher).get("/supervision/decisions/").content.decode()
    assert "济宁水务集团" in catalogue and "供水条例" in catalogue
    assert client_for(personas.dispatcher).post("/supervision/meetings/", {}).status_code == 403


def test_notifications_page_and_letters_page(personas, django_capture_on_commit_callbacks):
    services.dispatch(make_appeal(), by=personas.dispatcher, lead_unit=personas.water,
                      at=timezone.now() - timedelta(days=30))
    from jishiban.supervision import jobs

    jobs.cards()
    handler = client_for(personas.handler)
    page = handler.get("/supervision/notifications/").content.decode()
    assert "红牌" in page
    note = Notification.objects.filter(user=personas.handler).first()
    response = handler.post(f"/supervision/notifications/{note.pk}/read/", {"follow": "1"})
    assert response.status_code == 302 and response["Location"] == note.url
    assert client_for(personas.other_handler).post(f"/supervision/notifications/{note.pk}/read/").status_code == 404
    today = timezone.localdate()
    sup = client_for(personas.supervisor)
    from jishiban.analytics import assessment
    from jishiban.analytics import services as analytics

    analytics.save_scheme({**assessment.DEFAULT_SCHEME, "letter_overdue": 1})  # one overdue appeal names it
    with django_capture_on_commit_callbacks(execute=True):  # the queued run (jobs run in-process here)
        sup.post("/supervision/letters/", {"period": f"{today - timedelta(days=60)}..{today}"})
    letter = ReminderLetter.objects.get()
    assert letter.unit == personas.water
    assert handler.post("/supervision/letters/", {"period": "2026-11"}).status_code == 403
    bad = sup.post("/supervision/letters/", {"period": "sometime"})
    assert "格式不正确" in bad.content.decode()


def test_figures_page_shows_the_rate(personas, accepted):
    orders.open_order(accepted(), reason="key", by=personas.supervisor)
    page = client_for(personas.leader).get("/supervision/figures/").content.decode()
    assert "济宁市城乡水务局" in page and "0.00%" in page
    assert "格式不正确" in client_for(personas.leader).get("/supervision/figures/?period=x").content.decode()
