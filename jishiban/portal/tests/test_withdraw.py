"""撤回: the citizen withdraws an appeal that is not answered yet. It leaves the unit's inbox, the
unit is told, it counts as withdrawn (not invalid) and never appears among public replies."""

import pytest

from jishiban.appeals import services as workflow
from jishiban.appeals.errors import ActionForbidden
from jishiban.appeals.models import Appeal, Status
from jishiban.supervision.models import Kind, Notification
from jishiban.testing import make_appeal

from .helpers import hand_in
from .test_public_replies import _answered

pytestmark = pytest.mark.django_db


def _withdraw(client, appeal, **data):
    return client.post(f"/portal/appeals/{appeal.number}/withdraw/", data)


def test_withdrawn_appeal_leaves_the_inbox_and_the_unit_is_told(client, personas):
    p = personas
    appeal, _code = hand_in(client)
    appeal = workflow.dispatch(appeal, by=p.dispatcher, lead_unit=p.water)
    appeal = workflow.accept(appeal, by=p.handler)
    staff = client.__class__()
    staff.force_login(p.handler)
    assert appeal.number in staff.get("/inbox/").content.decode()

    response = _withdraw(client, appeal, reason="物业已经修好了", confirm="on")
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == Status.WITHDRAWN and appeal.closed_at is not None
    assert not Appeal.objects.open().filter(pk=appeal.pk).exists()
    assert appeal.number not in staff.get("/inbox/").content.decode()
    note = Notification.objects.get(kind=Kind.WITHDRAWN, user=p.handler)
    assert appeal.number in note.text and "物业已经修好了" in note.text
    event = appeal.events.get(action="withdraw")
    assert event.payload["origin"]["via"] == "portal" and event.payload["unit"] == p.water.code

    page = client.get(f"/portal/appeals/{appeal.number}/").content.decode()
    assert "您已撤回" in page and "您已撤回诉求" in page
    assert "撤回诉求" not in page.split("办理进度")[0] and "补充信息" not in page
    assert "withdraw/" not in page  # no second withdrawal


def test_withdrawing_needs_the_confirmation_and_keeps_the_reason_typed(client, personas):
    appeal, _code = hand_in(client)
    response = _withdraw(client, appeal, reason="不需要了")
    assert response.status_code == 422
    page = response.content.decode()
    assert "请勾选确认撤回" in page and "不需要了" in page
    appeal.refresh_from_db()
    assert appeal.status == Status.RECEIVED


def test_an_answered_appeal_cannot_be_withdrawn(client, personas):
    p = personas
    appeal, _code = hand_in(client)
    appeal = workflow.dispatch(appeal, by=p.dispatcher, lead_unit=p.water)
    appeal = workflow.accept(appeal, by=p.handler)
    workflow.reply(appeal, by=p.handler, result_type="solved", text="已修复")
    response = _withdraw(client, appeal, confirm="on")
    assert response.status_code == 422 and "不能撤回" in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == Status.REPLIED


def test_a_visitor_without_the_code_cannot_withdraw(client, personas):
    appeal, _code = hand_in(client)
    assert _withdraw(client.__class__(), appeal, confirm="on").status_code == 404
    appeal.refresh_from_db()
    assert appeal.status == Status.RECEIVED


def test_a_signed_in_citizen_withdraws_as_themselves_and_not_anothers(client, personas):
    p = personas
    mine = make_appeal(citizen_user=p.citizen)
    theirs = make_appeal(citizen_user=p.other_citizen)
    client.force_login(p.citizen)
    assert _withdraw(client, mine, confirm="on").status_code == 302
    assert mine.events.get(action="withdraw").actor == p.citizen
    assert _withdraw(client, theirs, confirm="on").status_code == 404
    with pytest.raises(ActionForbidden):
        workflow.withdraw(theirs, by=p.citizen)


def test_a_reply_published_before_a_reopening_is_never_shown_once_withdrawn(client, personas):
    p = personas
    appeal = _answered(personas)
    assert appeal.number in client.get("/portal/replies/").content.decode()
    appeal = workflow.callback(appeal, by=p.supervisor, satisfaction="dissatisfied", solved=False)
    appeal = workflow.reopen(Appeal.objects.get(pk=appeal.pk), by=p.supervisor, reason="仍不热")
    workflow.withdraw(appeal, by=p.operator, reason="诉求人来电撤回")
    assert appeal.number not in client.get("/portal/replies/").content.decode()
    record = client.get(f"/open311/v2/requests/{appeal.number}.json").json()[0]
    assert record["status_notes"] == "诉求人已撤回" and "供暖已恢复" not in str(record)


def test_the_desk_records_a_withdrawal_asked_for_by_phone(client, personas):
    p = personas
    appeal = workflow.dispatch(make_appeal(), by=p.dispatcher, lead_unit=p.water)
    client.force_login(p.operator)
    page = client.get(f"/appeals/{appeal.pk}/").content.decode()
    assert "撤回（诉求人要求）" in page
    response = client.post(f"/appeals/{appeal.pk}/act/withdraw/",
                           {"expected_version": appeal.version, "reason": "来电称已自行解决"})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == Status.WITHDRAWN
    event = appeal.events.get(action="withdraw")
    assert event.actor == p.operator and event.payload["origin"] == {"via": "desk"}
    detail = client.get(f"/appeals/{appeal.pk}/").content.decode()
    assert "已撤回" in detail and ">withdraw<" not in detail
    other = workflow.dispatch(make_appeal(), by=p.dispatcher, lead_unit=p.water)
    for persona in (p.dispatcher, p.handler):  # it is the citizen's act, not the queue's or the unit's
        client.force_login(persona)
        page = client.get(f"/appeals/{other.pk}/")
        assert page.status_code == 200 and "act/withdraw/" not in page.content.decode()
