"""领导批示 on a report: the leader's words become one supervision order per unit named, with a
link to the report, shown to each unit and on the report's page."""

import pytest
from django.test import Client

from jishiban.appeals.errors import ActionForbidden, AppealValidationError
from jishiban.supervision import selectors
from jishiban.supervision.models import Notification, SupervisionOrder
from jishiban.supervision.services import orders, report_instructions

pytestmark = pytest.mark.django_db

URL = "/analytics/reports/?kind=monthly&month=2026-11"


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _instruct(personas, units, text="请水务局对供水投诉上升作出专项整改", **kw):
    return report_instructions.instruct_on_report(by=personas.leader, report_title="2026年11月诉求办理月通报",
                                                  report_url=URL, units=units, text=text, **kw)


def test_one_order_per_unit_with_the_leaders_words_and_the_report(personas):
    personas.leader.first_name = "王市长"
    personas.leader.save()
    made = _instruct(personas, [personas.water, personas.other_handler.organisation], deadline_days=5)
    assert len(made) == 2 and {o.target_unit for o in made} == {personas.water, personas.other_handler.organisation}
    for order in made:
        assert order.appeal_id is None and order.reason == "leader" and order.status == "open"
        assert order.instruction == "请水务局对供水投诉上升作出专项整改" and order.instructed_by == "王市长"
        assert order.report_url == URL and "2026年11月诉求办理月通报" in order.requirement
        assert order.deadline_days == 5 and order.events.get().action == "open"
    # each unit hears of its own order and finds it in its inbox's list
    note = Notification.objects.get(kind="leader_instruction", user=personas.handler)
    assert "报告《2026年11月诉求办理月通报》" in note.text and "王市长批示" in note.text
    assert list(selectors.orders_for_unit(personas.handler)) == [o for o in made if o.target_unit == personas.water]
    # the order's life is the usual one: the unit responds, the supervisor closes without an appeal
    water = next(o for o in made if o.target_unit == personas.water)
    water = orders.respond(water, by=personas.handler, text="已制定整改方案")
    water = orders.close_order(water, by=personas.supervisor)
    assert water.status == "closed" and water.closed_solved is None


def test_refused_and_checked_before_anything_is_written(personas):
    with pytest.raises(ActionForbidden):
        report_instructions.instruct_on_report(by=personas.handler, report_title="月通报", report_url=URL,
                                               units=[personas.water], text="x")
    with pytest.raises(AppealValidationError) as exc:
        _instruct(personas, [], text="")
    assert set(exc.value.errors) == {"units", "instruction"}
    with pytest.raises(AppealValidationError) as exc:
        report_instructions.instruct_on_report(by=personas.leader, report_title="月通报", report_url="https://x.example/",
                                               units=[personas.water], text="请整改")
    assert set(exc.value.errors) == {"report_url"}
    assert not SupervisionOrder.objects.exists()


def test_the_report_page_takes_the_instruction_and_shows_it(personas):
    leader = _client(personas.leader)
    page = leader.get("/analytics/reports/", {"month": "2026-11", "kind": "monthly", "format": "html"})
    html = page.content.decode()
    assert page.status_code == 200 and 'id="report-instruct-form"' in html and "在本报告上作批示" in html
    response = leader.post("/supervision/reports/instruct/", {
        "report_url": URL, "report_title": page.context["report"].title, "units": [personas.water.pk],
        "instruction": "请认真分析供水类诉求上升原因"}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == URL + "#report-instruction"
    order = SupervisionOrder.objects.get(appeal__isnull=True)
    assert f"督办单 #{order.pk}" in html and "请认真分析供水类诉求上升原因" in html
    # the unit's handler: the inbox lists it, the order page links the report
    handler = _client(personas.handler)
    assert "报告《" in handler.get("/inbox/").content.decode()
    detail = handler.get(f"/supervision/orders/{order.pk}/").content.decode()
    assert "请认真分析供水类诉求上升原因" in detail and f'href="{URL.replace("&", "&amp;")}"' in detail
    # the handler may not instruct, and a unit not named does not see it
    assert _client(personas.handler).post("/supervision/reports/instruct/", {"report_url": URL}).status_code == 403
    assert not selectors.orders_for_unit(personas.power_handler).exists()


def test_a_bad_unit_or_empty_text_says_so_and_writes_nothing(personas):
    leader = _client(personas.leader)
    response = leader.post("/supervision/reports/instruct/", {
        "report_url": URL, "report_title": "月通报", "units": ["abc"], "instruction": "x"}, follow=True)
    assert "所选单位不存在" in response.content.decode()
    response = leader.post("/supervision/reports/instruct/", {
        "report_url": URL, "report_title": "月通报", "units": [personas.water.pk], "instruction": ""}, follow=True)
    assert "请填写批示内容" in response.content.decode()
    assert not SupervisionOrder.objects.exists()
