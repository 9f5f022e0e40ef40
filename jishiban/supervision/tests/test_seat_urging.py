"""催办, 督办 and 领导批示 from the appeal page: who may, what the unit hears and sees."""

import pytest
from django.test import Client
from django.urls import reverse

from jishiban.appeals.errors import ActionForbidden, ActionNotAllowed, AppealValidationError
from jishiban.supervision.models import Kind, Notification, Reason, SupervisionOrder, Urging
from jishiban.supervision.services import urging
from jishiban.testing import advance, make_appeal

pytestmark = pytest.mark.django_db


@pytest.fixture
def appeal(personas):
    return advance(make_appeal(), personas, "accepted")


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_a_supervisor_urges_the_unit_from_the_appeal_page(personas, appeal):
    c = _client(personas.supervisor)
    page = c.get(reverse("web:appeal_detail", args=[appeal.pk])).content.decode()
    assert "一键催办" in page
    response = c.post(reverse("supervision:appeal_urge", args=[appeal.pk]), {"text": "群众再次来电，请今日答复"})
    assert response.status_code == 302
    urged = Urging.objects.get(appeal=appeal)
    assert urged.unit == personas.water and urged.by == personas.supervisor
    note = Notification.objects.get(kind=Kind.URGED, user=personas.handler)
    assert "请今日答复" in note.text and appeal.number in note.text
    unit_page = _client(personas.handler).get(reverse("web:appeal_detail", args=[appeal.pk])).content.decode()
    assert "群众再次来电，请今日答复" in unit_page and "一键催办" not in unit_page


def test_urging_is_refused_to_others_and_when_no_unit_holds_it(personas, appeal):
    with pytest.raises(ActionForbidden):
        urging.urge(appeal, by=personas.handler)
    with pytest.raises(ActionForbidden):
        urging.urge(appeal, by=personas.county_other)  # another county's appeal
    assert _client(personas.handler).post(reverse("supervision:appeal_urge", args=[appeal.pk])).status_code == 403
    with pytest.raises(ActionNotAllowed):
        urging.urge(make_appeal(), by=personas.supervisor)
    assert not Urging.objects.exists()


def test_supervising_from_the_appeal_page_opens_one_order(personas, appeal):
    c = _client(personas.supervisor)
    c.post(reverse("supervision:appeal_supervise", args=[appeal.pk]), {"requirement": "三日内办结", "deadline_days": "3"})
    c.post(reverse("supervision:appeal_supervise", args=[appeal.pk]), {"requirement": "再次"})
    order = SupervisionOrder.objects.get(appeal=appeal)
    assert order.reason == Reason.KEY and order.requirement == "三日内办结" and order.created_by == personas.supervisor
    unit_page = _client(personas.handler).get(reverse("web:appeal_detail", args=[appeal.pk])).content.decode()
    assert f"督办单 #{order.pk}" in unit_page


def test_a_leaders_instruction_becomes_an_order_with_the_leaders_words(personas, appeal):
    personas.leader.first_name = "王市长"
    personas.leader.save()
    c = _client(personas.leader)
    assert "批示转督办" in c.get(reverse("web:appeal_detail", args=[appeal.pk])).content.decode()
    response = c.post(reverse("supervision:appeal_instruct", args=[appeal.pk]),
                      {"instruction": "请水务局立即核查，确保群众用水", "deadline_days": "2"})
    assert response.status_code == 302
    order = SupervisionOrder.objects.get(appeal=appeal, reason=Reason.LEADER)
    assert order.instruction == "请水务局立即核查，确保群众用水" and order.instructed_by == "王市长"
    assert order.created_by == personas.leader and not order.auto
    note = Notification.objects.get(kind=Kind.LEADER_INSTRUCTION, user=personas.handler)
    assert "王市长批示" in note.text
    for viewer in (personas.handler, personas.supervisor):
        page = _client(viewer).get(reverse("web:appeal_detail", args=[appeal.pk])).content.decode()
        assert "请水务局立即核查，确保群众用水" in page


def test_an_instruction_needs_words_and_a_leader_changes_nothing_else(personas, appeal):
    with pytest.raises(AppealValidationError):
        urging.instruct(appeal, by=personas.leader, text="")
    with pytest.raises(ActionForbidden):
        urging.supervise(appeal, by=personas.leader)
    with pytest.raises(ActionForbidden):
        urging.instruct(appeal, by=personas.handler, text="x")
    assert not SupervisionOrder.objects.exists()


def test_a_supervisor_records_whose_instruction_it_is(personas, appeal):
    _client(personas.supervisor).post(reverse("supervision:appeal_instruct", args=[appeal.pk]),
                                      {"instruction": "尽快解决", "instructed_by": "李副市长"})
    assert SupervisionOrder.objects.get(reason=Reason.LEADER).instructed_by == "李副市长"
