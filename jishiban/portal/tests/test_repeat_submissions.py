"""Repeat submissions merge rather than multiply: the same phone handing in the same matter while
the first appeal is still open gets its own number and code, but the appeal is merged at once
into the first (smart help's duplicate index judges "the same matter")."""

import pytest

from jishiban.appeals import services as workflow
from jishiban.appeals.models import Appeal, Status
from jishiban.portal.services import RECEIPT
from jishiban.supervision.models import Notification

from .helpers import form_data, hand_in

pytestmark = pytest.mark.django_db

AGAIN = "小区门口的路灯坏了一个多月了，晚上很黑，老人出门容易摔倒，请尽快修"


def test_the_same_matter_from_the_same_phone_is_merged_into_the_open_appeal(client, personas):
    first, _code = hand_in(client)
    other = client.__class__()
    response = other.post("/portal/", form_data(content=AGAIN))
    assert response.status_code == 302
    page = other.get(response["Location"]).content.decode()
    assert "已与之合并办理" in page and "data-code" in page
    second = Appeal.objects.exclude(pk=first.pk).get()
    assert second.status == Status.MERGED and second.parent_id == first.pk
    assert list(Appeal.objects.open()) == [first]  # one appeal in anyone's queue
    sms = Notification.objects.get(kind=RECEIPT, appeal=second)
    assert "合并办理" in sms.text and first.number not in sms.text


def test_the_merged_submitters_code_shows_the_answer_of_the_first(client, personas):
    p = personas
    first, _ = hand_in(client)
    second, code = hand_in(client.__class__(), content=AGAIN)
    assert second.status == Status.MERGED
    first = workflow.dispatch(first, by=p.dispatcher, lead_unit=p.water)
    first = workflow.accept(first, by=p.handler)
    workflow.reply(first, by=p.handler, result_type="solved", text="已更换东门路灯")
    visitor = client.__class__()
    response = visitor.post("/portal/follow/", {"code": code})
    page = visitor.get(response["Location"]).content.decode()
    assert "与相同诉求合并办理" in page and "已更换东门路灯" in page


@pytest.mark.parametrize("case", ["other phone", "anonymous", "answered", "switched off"])
def test_what_is_not_merged(client, personas, settings, case):
    p = personas
    first, _ = hand_in(client)
    overrides = {"content": AGAIN}
    if case == "other phone":
        overrides["phone"] = "13800001111"
    elif case == "anonymous":
        overrides.update(anonymous="on", name="", phone="")
    elif case == "answered":
        first = workflow.dispatch(first, by=p.dispatcher, lead_unit=p.water)
        first = workflow.accept(first, by=p.handler)
        workflow.reply(first, by=p.handler, result_type="solved", text="已修复")
    else:
        settings.JISHIBAN = {**settings.JISHIBAN, "PORTAL": {"MERGE_DUPLICATES": False}}
    second, _ = hand_in(client.__class__(), **overrides)
    assert second.status == Status.RECEIVED and second.parent_id is None
