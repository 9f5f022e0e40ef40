"""The dispatch desk: queues, suggestions with their reason, bulk dispatch, merge, invalidate."""

import pytest

from jishiban.appeals import services
from jishiban.appeals.models import Appeal
from jishiban.smart.models import Suggestion
from jishiban.smart.services import refresh
from jishiban.testing import advance, make_appeal, return_reviewed

pytestmark = pytest.mark.django_db


def test_queue_suggests_the_unit_of_the_category_domain_and_says_why(login, personas):
    appeal = make_appeal(content="幸福小区停水", county="370811")
    html = login(personas.dispatcher).get("/dispatch/").content.decode()
    assert appeal.number in html
    assert "分类 停水 的职能领域 + 县市区 任城区 →" in html


def test_returned_appeal_goes_back_to_the_queue_with_its_reason(login, personas):
    appeal = advance(make_appeal(), personas, "dispatched")
    return_reviewed(appeal, by=personas.handler, reason="该小区供水由企业负责，非本单位职责")
    client = login(personas.dispatcher)
    assert appeal.number not in client.get("/dispatch/").content.decode()
    html = client.get("/dispatch/?tab=returned").content.decode()
    assert appeal.number in html and "该小区供水由企业负责" in html and "第 1 次退单" in html


def test_one_click_dispatch_to_the_suggestion(login, personas):
    appeal = make_appeal()
    client = login(personas.dispatcher)
    item = client.get("/dispatch/").context["items"][0]
    suggestion = item["suggestion"]
    response = client.post(f"/appeals/{appeal.pk}/act/dispatch/", {
        "expected_version": appeal.version, "lead_unit": suggestion["lead"].pk,
        "explanation": suggestion["explanation"], "next": "/dispatch/"})
    assert response.status_code == 302 and response["Location"] == "/dispatch/"
    appeal.refresh_from_db()
    assert appeal.status == "dispatched" and appeal.lead_unit == suggestion["lead"]
    event = appeal.events.get(action="dispatch")
    assert event.payload["explanation"].startswith("分类 停水")


def test_bulk_dispatch_to_one_unit(login, personas):
    a, b = make_appeal(content="停水一"), make_appeal(content="停水二")
    response = login(personas.dispatcher).post("/dispatch/bulk/", {
        "pick": [f"{a.pk}:{a.version}", f"{b.pk}:{b.version}"], "lead_unit": personas.water.pk, "use": "unit"})
    assert response.status_code == 302
    assert set(Appeal.objects.values_list("status", "lead_unit__code")) == {("dispatched", "city-water")}


def test_bulk_dispatch_by_suggestion_reports_the_ones_without_one(login, personas):
    routed = make_appeal(content="停水")
    unrouted = make_appeal(content="其他事项", category=None)
    client = login(personas.dispatcher)
    response = client.post("/dispatch/bulk/", {
        "pick": [f"{routed.pk}:{routed.version}", f"{unrouted.pk}:{unrouted.version}"], "use": "suggested"},
        follow=True)
    routed.refresh_from_db()
    unrouted.refresh_from_db()
    assert routed.status == "dispatched" and unrouted.status == "received"
    text = " ".join(str(m) for m in response.context["messages"])
    assert unrouted.number in text and "没有派单建议" in text


def test_bulk_dispatch_with_a_stale_version_leaves_that_appeal(login, personas):
    appeal = make_appeal()
    services.dispatch(appeal, by=personas.supervisor, lead_unit=personas.urban)
    response = login(personas.dispatcher).post("/dispatch/bulk/", {
        "pick": [f"{appeal.pk}:1"], "lead_unit": personas.water.pk, "use": "unit"}, follow=True)
    appeal.refresh_from_db()
    assert appeal.lead_unit == personas.urban
    assert "未派单" in " ".join(str(m) for m in response.context["messages"])


def test_bulk_dispatch_without_a_unit_is_refused(login, personas):
    appeal = make_appeal()
    response = login(personas.dispatcher).post("/dispatch/bulk/", {
        "pick": [f"{appeal.pk}:{appeal.version}"], "use": "unit"}, follow=True)
    assert "请选择承办单位" in " ".join(str(m) for m in response.context["messages"])
    appeal.refresh_from_db()
    assert appeal.status == "received"


def test_duplicate_hint_merges_in_one_click(login, personas):
    earlier = make_appeal(content="幸福小区停水，至今没有恢复")
    later = make_appeal(content="幸福小区停水了，一直没恢复", citizen_phone="13700000009")
    refresh(later.pk)  # the after-intake job: smart help's index finds the earlier one
    assert Suggestion.objects.get(appeal=later).duplicates[0]["appeal_id"] == earlier.pk
    client = login(personas.dispatcher)
    html = client.get("/dispatch/").content.decode()
    assert "一键并单" in html
    client.post(f"/appeals/{later.pk}/act/merge/", {"expected_version": later.version, "into": earlier.number})
    later.refresh_from_db()
    assert later.status == "merged" and later.parent == earlier


def test_invalidate_needs_a_reason(login, personas):
    appeal = make_appeal()
    client = login(personas.dispatcher)
    response = client.post(f"/appeals/{appeal.pk}/act/invalidate/", {"expected_version": appeal.version})
    assert response.status_code == 422
    assert "请填写无效原因" in response.content.decode()
    client.post(f"/appeals/{appeal.pk}/act/invalidate/", {"expected_version": appeal.version,
                                                          "reason": "测试电话，无实际诉求"})
    appeal.refresh_from_db()
    assert appeal.status == "invalid"


def test_redispatch_after_return_goes_to_the_new_unit(login, personas):
    appeal = advance(make_appeal(), personas, "dispatched")
    appeal = return_reviewed(appeal, by=personas.handler, reason="非本单位职责")
    login(personas.dispatcher).post(f"/appeals/{appeal.pk}/act/dispatch/", {
        "expected_version": appeal.version, "lead_unit": personas.urban.pk, "co_units": [personas.water.pk]})
    appeal.refresh_from_db()
    assert appeal.status == "dispatched" and appeal.lead_unit == personas.urban
    assert list(appeal.co_units.all()) == [personas.water]


def test_county_staff_queue_holds_only_their_county(login, personas):
    own = make_appeal(county="370811")
    other = make_appeal(county="370812", content="兖州区停水")
    html = login(personas.county_rencheng).get("/dispatch/").content.decode()
    assert own.number in html and other.number not in html


def test_queue_query_count_does_not_grow_with_rows(login, personas, django_assert_max_num_queries):
    for i in range(12):
        make_appeal(content=f"停水第{i}处", citizen_phone=f"1390000{i:04d}")
    client = login(personas.dispatcher)
    with django_assert_max_num_queries(14):
        assert client.get("/dispatch/").status_code == 200
