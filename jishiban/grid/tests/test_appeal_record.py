"""The grid loop on the appeal's own record: a failed verification of a 12345 escalation reopens
the appeal (重办) through the appeals workflow; what a worker reports on an appeal task is an
event of the appeal (page and API)."""

import uuid

import pytest
from django.urls import reverse

from jishiban.appeals import services as appeals
from jishiban.appeals.models import Appeal, AppealEvent
from jishiban.grid import services
from jishiban.grid.models import GridEvent, Task
from jishiban.grid.workflow import State
from jishiban.testing import make_appeal

from .conftest import C1, client_for

pytestmark = pytest.mark.django_db
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 100


def _escalated_and_replied(world, *, answer=False):
    p, worker = world["p"], world["worker"]
    event, _ = services.report_event(by=worker, event_id=uuid.uuid4(), kind="urban", subject="part-01", title="井盖缺失",
                                     description="古槐路口井盖缺失", lat="35.415", lon="116.565")
    event = services.escalate_to_appeal(event, by=worker)
    appeal = Appeal.objects.get(pk=event.appeal_id)
    if answer:
        appeals.answer_directly(appeal, by=p.operator, text="已告知市政部门")
    else:
        appeal = appeals.dispatch(appeal, by=p.dispatcher, lead_unit=p.water)
        appeal = appeals.accept(appeal, by=p.handler)
        appeals.reply(appeal, by=p.handler, result_type="solved", text="已更换井盖")
    return GridEvent.objects.get(pk=event.pk), Appeal.objects.get(pk=appeal.pk)


def test_a_failed_verification_reopens_the_appeal_with_the_workers_reason(grid_world):
    worker = grid_world["worker"]
    event, appeal = _escalated_and_replied(grid_world)
    assert (event.state, appeal.status) == (State.FED_BACK, "replied")
    services.verify(event, by=worker, passed=False, note="井盖尺寸不符，仍有缝隙")
    appeal.refresh_from_db()
    assert (appeal.status, appeal.reopen_count, appeal.replied_at) == ("reopened", 1, None)
    assert appeal.reply_deadline is not None
    last = appeal.events.order_by("-at", "-pk").first()
    assert (last.action, last.from_status, last.to_status, last.actor) == ("reopen", "replied", "reopened", worker)
    assert "现场核查未通过：井盖尺寸不符" in last.reason
    assert last.payload["verification"] is True and last.payload["grid_event"] == str(event.pk)
    assert last.payload["unit"] == grid_world["p"].water.code


def test_an_appeal_that_cannot_be_reopened_refuses_the_rework_and_writes_nothing(grid_world):
    event, appeal = _escalated_and_replied(grid_world, answer=True)  # 直接办结: no 重办 from there
    assert (event.state, appeal.status) == (State.FED_BACK, "answered")
    events_before = appeal.events.count()
    with pytest.raises(services.GridError, match="不能重办"):
        services.verify(event, by=grid_world["worker"], passed=False, note="没有处理")
    event.refresh_from_db()
    assert (event.state, event.rework_count) == (State.FED_BACK, 0)
    assert appeal.events.count() == events_before


def test_a_passed_verification_is_on_the_appeals_record_with_its_photo(grid_world):
    p, worker = grid_world["p"], grid_world["worker"]
    event, appeal = _escalated_and_replied(grid_world)
    services.verify(event, by=worker, passed=True, note="现场已修复", photos=[(JPEG, "image/jpeg")])
    row = AppealEvent.objects.get(appeal=appeal, action="grid-report")
    assert row.actor == worker and row.reason == "核查结果：核查通过：现场已修复" and len(row.payload["photos"]) == 1
    page = client_for(p.dispatcher).get(reverse("web:appeal_detail", args=[appeal.pk])).content.decode()
    assert "网格员现场反馈" in page and "现场已修复" in page
    photo = reverse("grid:photo", args=[row.payload["photos"][0]])
    assert photo in page and client_for(p.dispatcher).get(photo).status_code == 200


def test_the_workers_task_result_is_in_the_appeals_event_log_page_and_api(grid_world):
    """GIVEN an appeal handed to the grid worker for on-site verification, WHEN they report what
    they found with a photo, THEN the appeal's record has a 网格员现场反馈 event with the result and
    the photo — on the appeal page and in ``/api/v1/appeals/{n}/events`` — and its state is unchanged."""
    p, worker = grid_world["p"], grid_world["worker"]
    appeal = make_appeal(grid=C1 + "001")
    task = services.assign_appeal(appeal, by=p.dispatcher, reason="请到现场核实")
    version = Appeal.objects.get(pk=appeal.pk).version
    response = client_for(worker).post(reverse("grid:complete_task", args=[task.pk]), {
        "result": "现场确有积水，已通知物业", "photos": [_upload()]})
    assert response.status_code == 302
    task = Task.objects.get(pk=task.pk)
    row = AppealEvent.objects.get(appeal=appeal, action="grid-report")
    assert row.reason == "诉求现场核实：现场确有积水，已通知物业" and row.actor == worker
    assert row.payload["task"] == task.pk and row.payload["photos"] == list(task.photos.values_list("pk", flat=True))
    after = Appeal.objects.get(pk=appeal.pk)
    assert (after.status, after.version) == ("received", version)
    page = client_for(p.dispatcher).get(reverse("web:appeal_detail", args=[appeal.pk])).content.decode()
    assert "网格员现场反馈" in page and "现场确有积水" in page
    assert client_for(p.dispatcher).get(reverse("grid:photo", args=[row.payload["photos"][0]])).status_code == 200
    api = client_for(p.dispatcher).get(f"/api/v1/appeals/{appeal.number}/events")
    assert api.status_code == 200
    found = [e for e in api.json() if e["action"] == "grid-report"]
    assert found and found[0]["reason"] == row.reason and found[0]["payload"]["photos"] == row.payload["photos"]
    # someone who may not see the appeal does not see its photos either
    assert client_for(p.other_handler).get(reverse("grid:photo", args=[row.payload["photos"][0]])).status_code == 404


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("a.jpg", JPEG, content_type="image/jpeg")
