"""The appeal detail page: access, masking, logged reveal, actions for this user, conflicts."""

import pytest

from jishiban.appeals import services
from jishiban.appeals.models import PersonalDataAccess
from jishiban.testing import advance, make_appeal

pytestmark = pytest.mark.django_db


def test_handler_guessing_another_units_appeal_gets_404(login, personas):
    appeal = advance(make_appeal(), personas, "dispatched")
    assert login(personas.other_handler).get(f"/appeals/{appeal.pk}/").status_code == 404
    assert login(personas.county_other).get(f"/appeals/{appeal.pk}/").status_code == 404
    assert login(personas.citizen).get(f"/appeals/{appeal.pk}/")["Location"] == "/portal/"  # citizens stay there
    assert login(personas.handler).get(f"/appeals/{appeal.pk}/").status_code == 200


def test_actions_posted_on_an_invisible_appeal_get_404_and_change_nothing(login, personas):
    appeal = advance(make_appeal(), personas, "dispatched")
    response = login(personas.other_handler).post(f"/appeals/{appeal.pk}/act/accept/",
                                                  {"expected_version": appeal.version})
    assert response.status_code == 404
    appeal.refresh_from_db()
    assert appeal.status == "dispatched"


def test_a_visible_appeal_but_a_forbidden_action_is_403(login, personas):
    appeal = make_appeal()
    response = login(personas.operator).post(f"/appeals/{appeal.pk}/act/dispatch/", {
        "expected_version": appeal.version, "lead_unit": personas.water.pk})
    assert response.status_code == 403
    appeal.refresh_from_db()
    assert appeal.status == "received"


def test_detail_shows_the_timeline_and_only_this_users_actions(login, personas):
    appeal = advance(make_appeal(), personas, "dispatched")
    handler_page = login(personas.handler).get(f"/appeals/{appeal.pk}/")
    assert [a["action"] for a in handler_page.context["actions"]] == ["accept", "request-return"]
    html = handler_page.content.decode()
    assert "受理" in html and "派单" in html and 'name="expected_version"' in html
    dispatcher_page = login(personas.dispatcher).get(f"/appeals/{appeal.pk}/")
    assert [a["action"] for a in dispatcher_page.context["actions"]] == ["dispatch", "merge"]


def test_phone_is_masked_and_the_reveal_is_logged(login, personas):
    appeal = make_appeal(citizen_phone="13912345678")
    client = login(personas.dispatcher)
    html = client.get(f"/appeals/{appeal.pk}/").content.decode()
    assert "139****5678" in html and "13912345678" not in html and "查看完整号码" in html
    response = client.post(f"/appeals/{appeal.pk}/reveal/")
    assert "13912345678" in response.content.decode()
    assert PersonalDataAccess.objects.filter(user=personas.dispatcher, appeal=appeal, field="citizen_phone").exists()


def test_confidential_appeals_hide_the_citizen_from_co_handlers(login, personas):
    appeal = make_appeal(appeal_type="report", content="举报某企业偷排污水")
    services.dispatch(appeal, by=personas.dispatcher, lead_unit=personas.water, co_units=[personas.urban])
    client = login(personas.other_handler)
    html = client.get(f"/appeals/{appeal.pk}/").content.decode()
    assert "（保密）" in html and "张三" not in html and "查看完整号码" not in html
    assert client.post(f"/appeals/{appeal.pk}/reveal/").status_code == 403
    assert not PersonalDataAccess.objects.exists()


def test_stale_form_says_who_did_what_and_reloads(login, personas):
    appeal = advance(make_appeal(), personas, "dispatched")
    seen_version = appeal.version
    services.accept(appeal, by=personas.dept_head)
    response = login(personas.handler).post(f"/appeals/{appeal.pk}/act/request-return/", {
        "expected_version": seen_version, "reason": "非本单位职责"}, follow=True)
    text = " ".join(str(m) for m in response.context["messages"])
    assert "water_head" in text and "签收" in text and "已为您刷新" in text
    assert response.context["appeal"].status == "accepted"
    assert response.redirect_chain[-1][0] == f"/appeals/{appeal.pk}/"


def test_merged_appeals_link_parent_and_children(login, personas):
    parent = make_appeal(content="主件")
    child = make_appeal(content="重复件", citizen_phone="13700000001")
    services.merge(child, by=personas.dispatcher, into=parent)
    client = login(personas.dispatcher)
    assert child.number in client.get(f"/appeals/{parent.pk}/").content.decode()
    assert parent.number in client.get(f"/appeals/{child.pk}/").content.decode()


def test_dispatch_suggestion_and_missing_smart_help_are_explained(login, personas):
    appeal = make_appeal()
    html = login(personas.dispatcher).get(f"/appeals/{appeal.pk}/").content.decode()
    assert "分类 停水 的职能领域" in html
    assert "暂无智能分类建议" in html or "建议分类" in html


def test_detail_query_count_is_bounded(login, personas, django_assert_max_num_queries):
    appeal = advance(make_appeal(), personas, "replied")
    for i in range(5):
        make_appeal(content=f"同号码第{i}件")
    client = login(personas.supervisor)
    # Two of them for the appeal's supervision record (its orders and callback tasks).
    with django_assert_max_num_queries(18):
        assert client.get(f"/appeals/{appeal.pk}/").status_code == 200
