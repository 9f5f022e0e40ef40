"""After 派单 on an appeal's page the desk moves on: a confirmation with the appeal's number and the
next appeal of the queue it came from, in the queue's own order; the queue when it is empty."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jishiban.appeals.models import Appeal
from jishiban.testing import advance, make_appeal, return_reviewed
from jishiban.web.selectors.desk import dispatch_queue, next_in_queue

pytestmark = pytest.mark.django_db


def _received(minutes_ago: int, *, urgent: bool = False, **fields):
    appeal = make_appeal(urgent=urgent, **fields)
    Appeal.objects.filter(pk=appeal.pk).update(received_at=timezone.now() - timedelta(minutes=minutes_ago))
    return Appeal.objects.get(pk=appeal.pk)


def _dispatch(client, appeal, unit, **extra):
    return client.post(f"/appeals/{appeal.pk}/act/dispatch/", {
        "expected_version": appeal.version, "lead_unit": unit.pk, **extra})


def test_next_in_queue_walks_the_queue_order(personas):
    old, new = _received(30), _received(10)
    urgent_new, urgent_old = _received(5, urgent=True), _received(20, urgent=True)
    order = [a.pk for a in dispatch_queue(personas.dispatcher, "received")]
    assert order == [urgent_old.pk, urgent_new.pk, old.pk, new.pk]  # urgent first, then oldest
    following = [next_in_queue(personas.dispatcher, "received", a) for a in (urgent_old, urgent_new, old, new)]
    # each one's successor in that order; past the end, the first of the queue again
    assert [a.pk for a in following] == [urgent_new.pk, old.pk, new.pk, urgent_old.pk]


def test_dispatch_confirms_and_opens_the_next_appeal_of_the_queue(login, personas):
    first, second = _received(30, content="幸福小区停水"), _received(10, content="光明小区停电")
    client = login(personas.dispatcher)
    response = _dispatch(client, first, personas.water, co_units=[personas.urban.pk])
    assert response.status_code == 302 and response["Location"] == f"/appeals/{second.pk}/"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert f'<a href="/appeals/{first.pk}/" class="msg-link">{first.number}</a> 已派至 济宁市城乡水务局' in html
    assert "协办：" in html
    # the page is the next appeal's, its dispatch form fresh (no unit carried over)
    assert page.context["appeal"] == second
    form = next(a["form"] for a in page.context["actions"] if a["action"] == "dispatch")
    assert not form.is_bound and form.initial.get("lead_unit") != personas.water.pk
    assert Appeal.objects.get(pk=first.pk).status == "dispatched"


def test_the_last_one_leads_back_to_the_empty_queue_with_the_message(login, personas):
    only = make_appeal()
    client = login(personas.dispatcher)
    response = _dispatch(client, only, personas.water)
    assert response.status_code == 302 and response["Location"] == "/dispatch/?tab=received"
    html = client.get(response["Location"]).content.decode()
    assert f"{only.number}</a> 已派至 济宁市城乡水务局" in html and "队列为空" in html


def test_a_returned_appeal_leads_to_the_next_returned_one(login, personas):
    a, b = (advance(make_appeal(content=f"停水{i}"), personas, "dispatched") for i in (1, 2))
    for appeal in (a, b):
        return_reviewed(appeal, by=personas.handler, reason="非本单位职责")
    waiting = _received(5)  # a new appeal in the other queue is not next
    a, b = Appeal.objects.get(pk=a.pk), Appeal.objects.get(pk=b.pk)
    response = _dispatch(login(personas.dispatcher), a, personas.urban)
    assert response["Location"] == f"/appeals/{b.pk}/" != f"/appeals/{waiting.pk}/"


def test_county_staff_move_on_within_their_county_queue(login, personas):
    own, _other, own_next = _received(30), _received(20, county="370812"), _received(10)
    from jishiban.organisations.models import Organisation

    unit = Organisation.objects.get(code="370811-housing")
    response = _dispatch(login(personas.county_rencheng), own, unit)
    assert response["Location"] == f"/appeals/{own_next.pk}/"


def test_a_redispatch_before_sign_off_stays_on_the_appeal(login, personas):
    appeal = advance(make_appeal(), personas, "dispatched")
    _received(5)
    response = _dispatch(login(personas.dispatcher), appeal, personas.urban)
    assert response["Location"] == f"/appeals/{appeal.pk}/"


def test_a_refused_dispatch_stays_on_the_appeal_with_the_error(login, personas):
    appeal, _next = _received(30), _received(10)
    response = _dispatch(login(personas.dispatcher), appeal, personas.water, expected_version="x")
    assert response.status_code == 422 and response.context["appeal"] == appeal
    assert Appeal.objects.get(pk=appeal.pk).status == "received"
