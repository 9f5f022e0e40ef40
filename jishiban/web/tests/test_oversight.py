"""The centre's lists; callbacks (回访) and extension decisions taken on the detail page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jishiban.appeals import services
from jishiban.appeals.models import Appeal
from jishiban.testing import advance, make_appeal, working_days_later

pytestmark = pytest.mark.django_db


def _list(client, key):
    response = client.get("/oversight/", {"list": key})
    return {a.number for a in response.context["rows"]}


def test_oversight_lists_pick_the_right_appeals(login, personas):
    now = timezone.now()
    overdue = advance(make_appeal(content="超期件"), personas, "accepted")
    Appeal.objects.filter(pk=overdue.pk).update(reply_deadline=now - timedelta(hours=2))
    soon = advance(make_appeal(content="临期件"), personas, "accepted")
    Appeal.objects.filter(pk=soon.pk).update(reply_deadline=now + timedelta(hours=5))
    returned = make_appeal(content="两次退单")
    Appeal.objects.filter(pk=returned.pk).update(return_count=2, status="returned")
    unhappy = advance(make_appeal(content="不满意件"), personas, "replied")
    services.callback(unhappy, by=personas.supervisor, satisfaction="dissatisfied", solved=False)
    make_appeal(citizen_phone="13600000000", content="第一件")
    make_appeal(citizen_phone="13600000000", content="第二件")
    repeat = make_appeal(citizen_phone="13600000000", content="第三件")
    risky = make_appeal(content="有人扬言跳楼", tags=["risk:threat_to_life"])
    client = login(personas.supervisor)
    assert _list(client, "overdue") == {overdue.number}
    assert _list(client, "due_soon") == {soon.number}
    assert _list(client, "returned_twice") == {returned.number}
    assert _list(client, "dissatisfied") == {unhappy.number}
    assert repeat.number in _list(client, "repeat")
    assert _list(client, "risk") == {risky.number}
    tabs = {t["key"]: t["count"] for t in client.get("/oversight/").context["tabs"]}
    assert tabs["overdue"] == 1 and tabs["risk"] == 1


def test_county_staff_see_only_their_county_in_the_lists(login, personas):
    now = timezone.now()
    mine = advance(make_appeal(county="370811"), personas, "accepted")
    theirs = advance(make_appeal(county="370812", content="兖州区超期"), personas, "accepted")
    Appeal.objects.filter(pk__in=[mine.pk, theirs.pk]).update(reply_deadline=now - timedelta(hours=1))
    assert _list(login(personas.county_rencheng), "overdue") == {mine.number}
    assert _list(login(personas.county_other), "overdue") == {theirs.number}


def test_callback_on_the_detail_page_closes_a_satisfied_appeal(login, personas):
    appeal = advance(make_appeal(), personas, "replied")
    client = login(personas.supervisor)
    response = client.post(f"/appeals/{appeal.pk}/act/callback/", {
        "expected_version": appeal.version, "satisfaction": "satisfied", "solved": "yes",
        "comment": "群众表示满意", "close_after": "on", "next": "/supervision/callbacks/"})
    assert response["Location"] == "/supervision/callbacks/"
    appeal.refresh_from_db()
    assert appeal.status == "closed" and appeal.satisfaction == "satisfied" and appeal.solved is True
    assert list(appeal.events.values_list("action", flat=True))[-2:] == ["callback", "close"]


def test_dissatisfied_callback_stays_open_for_a_decision(login, personas):
    appeal = advance(make_appeal(), personas, "replied")
    login(personas.supervisor).post(f"/appeals/{appeal.pk}/act/callback/", {
        "expected_version": appeal.version, "satisfaction": "dissatisfied", "solved": "no", "close_after": "on"})
    appeal.refresh_from_db()
    assert appeal.status == "callback_done"


def test_callback_form_errors_are_shown_and_nothing_is_saved(login, personas):
    appeal = advance(make_appeal(), personas, "replied")
    response = login(personas.supervisor).post(f"/appeals/{appeal.pk}/act/callback/", {
        "expected_version": appeal.version})
    html = response.content.decode()
    assert response.status_code == 422 and "请选择满意度" in html and "请选择是否解决" in html
    appeal.refresh_from_db()
    assert appeal.status == "replied"


def test_extension_decision_on_the_detail_page_moves_the_deadline(login, personas):
    appeal = advance(make_appeal(), personas, "accepted")
    new_deadline = working_days_later(appeal.reply_deadline, 2)
    appeal = services.request_extension(appeal, by=personas.handler, new_deadline=new_deadline, reason="需要施工")
    client = login(personas.supervisor)
    response = client.post(f"/appeals/{appeal.pk}/act/decide-extension/", {
        "expected_version": appeal.version, "approve": "no"})
    assert response.status_code == 422 and "请填写不同意延期的理由" in response.content.decode()
    client.post(f"/appeals/{appeal.pk}/act/decide-extension/", {"expected_version": appeal.version,
                                                                 "approve": "yes"})
    appeal.refresh_from_db()
    assert appeal.status == "accepted" and appeal.reply_deadline == new_deadline


def test_oversight_query_count_does_not_grow_with_rows(login, personas, django_assert_max_num_queries):
    now = timezone.now()
    for i in range(8):
        a = advance(make_appeal(content=f"超期{i}", citizen_phone=f"1390000{i:04d}"), personas, "accepted")
        Appeal.objects.filter(pk=a.pk).update(reply_deadline=now - timedelta(hours=1))
    client = login(personas.supervisor)
    with django_assert_max_num_queries(12):
        assert client.get("/oversight/").status_code == 200
