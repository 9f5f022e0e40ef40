"""The worker's pages and the workbench's hand-over, through the test client."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jishiban.appeals.models import Appeal
from jishiban.grid.models import GridEvent, Task
from jishiban.testing import make_appeal

from .conftest import C1

pytestmark = pytest.mark.django_db
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 100


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _post_report(client, event_id, **extra):
    data = {"id": str(event_id), "kind": "urban", "subject": "part-01", "title": "路灯不亮", "description": "古槐路 12 号路灯不亮",
            "lat": "35.415", "lon": "116.565", "photos": [SimpleUploadedFile("a.jpg", JPEG, content_type="image/jpeg")]}
    data.update(extra)
    return client.post(reverse("grid:report"), data, HTTP_ACCEPT="application/json")


def test_only_grid_workers_open_the_worker_pages_and_the_map_is_for_readers(grid_world):
    p = grid_world["p"]
    worker = _client(grid_world["worker"])
    assert worker.get(reverse("grid:home")).status_code == 200
    assert "网格001" in worker.get(reverse("grid:home")).content.decode()
    for user in (p.handler, p.dispatcher, p.county_rencheng):
        assert _client(user).get(reverse("grid:home")).status_code == 403
    assert worker.get(reverse("grid:map")).status_code == 403
    assert _client(p.county_rencheng).get(reverse("grid:map")).status_code == 200
    geo = _client(p.dispatcher).get(reverse("grid:map_data"), {"town": "370811011"}).json()
    assert {f["properties"]["name"] for f in geo["features"]} == {C1 + "001", C1 + "002", "370811011002001"}
    assert _client(p.county_other).get(reverse("grid:map_data")).json()["features"] == []


def test_the_county_finds_events_escalated_to_its_towns_on_the_map_page_and_feeds_back(grid_world):
    p = grid_world["p"]
    worker = _client(grid_world["worker"])
    event_id = uuid.uuid4()
    _post_report(worker, event_id)
    worker.post(reverse("grid:act", args=[event_id, "town"]), {"note": "需街道协调"})
    county = _client(p.county_rencheng)
    assert "路灯不亮" in county.get(reverse("grid:map")).content.decode()
    assert "路灯不亮" not in _client(p.county_other).get(reverse("grid:map")).content.decode()
    page = county.get(reverse("grid:event", args=[event_id])).content.decode()
    assert "反馈处理结果" in page
    county.post(reverse("grid:act", args=[event_id, "feed_back"]), {"result": "街道已更换灯泡"})
    assert GridEvent.objects.get(pk=event_id).state == "fed_back"


def test_a_report_sent_twice_is_one_event_and_bad_input_is_a_chinese_error(grid_world):
    worker = _client(grid_world["worker"])
    event_id = uuid.uuid4()
    first, second = _post_report(worker, event_id), _post_report(worker, event_id)
    assert first.json()["created"] is True and second.json()["created"] is False
    assert GridEvent.objects.count() == 1
    bad = _post_report(worker, uuid.uuid4(), title="", lat="abc")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"title"}
    located = _post_report(worker, uuid.uuid4(), lat="abc")
    assert located.status_code == 400 and located.json()["errors"]["location"][0].startswith("位置")
    page = worker.post(reverse("grid:report"), {"id": str(uuid.uuid4()), "kind": "", "title": "", "description": ""})
    assert page.status_code == 400 and "请检查标红的字段" in page.content.decode()


def test_escalate_from_the_event_page_and_see_the_appeal(grid_world):
    worker = _client(grid_world["worker"])
    event_id = uuid.uuid4()
    _post_report(worker, event_id)
    url = reverse("grid:act", args=[event_id, "appeal"])
    response = worker.post(url, {"note": "需要供电部门处理"}, follow=True)
    assert "已提交" in response.content.decode()
    appeal = Appeal.objects.get(channel__code="grid")
    assert appeal.grid_event.pk == event_id
    detail = worker.get(reverse("web:appeal_detail", args=[appeal.pk]))
    assert detail.status_code == 200


def test_the_dispatcher_hands_an_appeal_to_the_grid_worker_from_the_appeal_page(grid_world):
    p = grid_world["p"]
    appeal = make_appeal(grid=C1 + "001", citizen_name="李四")
    dispatcher = _client(p.dispatcher)
    page = dispatcher.get(reverse("web:appeal_detail", args=[appeal.pk])).content.decode()
    assert "所在网格" in page and "交网格员" in page
    response = dispatcher.post(reverse("grid:assign", args=[appeal.number]), {"kind": "verify_appeal", "reason": "请核实"},
                               follow=True)
    assert "已交网格员" in response.content.decode()
    task = Task.objects.get(appeal=appeal)
    worker = _client(grid_world["worker"])
    tasks = worker.get(reverse("grid:tasks")).content.decode()
    assert appeal.number in tasks
    home = worker.get(reverse("grid:home")).content.decode()
    assert "李*" in home and "李四" not in home  # masked for the worker's role
    worker.post(reverse("grid:complete_task", args=[task.pk]), {"result": "已核实"})
    assert Task.objects.get(pk=task.pk).done_at is not None


def test_the_confidential_appeal_page_has_no_hand_over_and_the_worker_gets_404(grid_world):
    p = grid_world["p"]
    secret = make_appeal(grid=C1 + "001", confidential=True)
    page = _client(p.dispatcher).get(reverse("web:appeal_detail", args=[secret.pk])).content.decode()
    assert "交网格员" not in page
    assert _client(grid_world["worker"]).get(reverse("web:appeal_detail", args=[secret.pk])).status_code == 404


def test_the_county_evaluates_a_closed_event_and_refuses_a_bad_report(grid_world):
    p = grid_world["p"]
    worker, county = _client(grid_world["worker"]), _client(p.county_rencheng)
    solved, junk = uuid.uuid4(), uuid.uuid4()
    _post_report(worker, solved)
    worker.post(reverse("grid:act", args=[solved, "solve"]), {"result": "已更换灯泡"})
    assert "综合评价" in county.get(reverse("grid:event", args=[solved])).content.decode()
    county.post(reverse("grid:act", args=[solved, "evaluate"]), {"rating": "5", "note": "处置及时"})
    assert (GridEvent.objects.get(pk=solved).state, GridEvent.objects.get(pk=solved).rating) == ("evaluated", 5)
    _post_report(worker, junk)
    answer = county.post(reverse("grid:act", args=[junk, "invalidate"]), {"note": ""}, follow=True)
    assert "请说明不予立案的原因" in answer.content.decode()
    county.post(reverse("grid:act", args=[junk, "invalidate"]), {"note": "与前件重复"})
    assert GridEvent.objects.get(pk=junk).state == "invalid"
