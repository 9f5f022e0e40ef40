"""The grid event loop through the services: report, on the spot, escalate to 12345 and back,
verify or rework; each state change is one step row."""

import uuid

import pytest

from jishiban.appeals import services as appeals
from jishiban.appeals.models import Appeal
from jishiban.grid import services
from jishiban.grid.models import EventStep, GridEvent, Task, TaskKind
from jishiban.grid.workflow import State

from .conftest import C1

pytestmark = pytest.mark.django_db
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 100


def _report(world, **kw):
    fields = {"kind": "urban", "subject": "part-01", "title": "井盖缺失", "description": "古槐路口井盖缺失，有安全隐患",
              "lat": "35.415", "lon": "116.565", "photos": [(JPEG, "image/jpeg")]}
    event_id = kw.pop("event_id", uuid.uuid4())
    fields.update(kw)
    return services.report_event(by=world["worker"], event_id=event_id, **fields)


def test_a_report_is_filed_once_whatever_how_often_it_is_sent(grid_world):
    event_id = uuid.uuid4()
    event, created = _report(grid_world, event_id=event_id)
    again, created_again = _report(grid_world, event_id=event_id)
    assert (created, created_again, again.pk) == (True, False, event.pk)
    assert GridEvent.objects.count() == 1 and event.photos.count() == 1
    assert list(EventStep.objects.values_list("action", "to_state")) == [("collect", "collected"), ("file", "filed")]
    assert event.grid.code == C1 + "001"


def test_bad_reports_are_refused_in_chinese_and_write_nothing(grid_world):
    with pytest.raises(services.GridError) as exc:
        _report(grid_world, title="", kind="nonsense", lat="95", photos=[(b"<html>", "image/jpeg")])
    assert set(exc.value.errors) == {"kind", "title", "location"}
    with pytest.raises(services.GridError) as exc:
        _report(grid_world, photos=[(b"<html>", "image/jpeg")])
    assert exc.value.errors["photos"] == ["照片须为 JPEG、PNG 或 WebP 图片"]
    assert GridEvent.objects.count() == 0


def test_solved_on_the_spot_closes_and_is_counted(grid_world):
    event, _ = _report(grid_world)
    event = services.solve_on_spot(event, by=grid_world["worker"], result="已放置警示桩并通知养护单位更换")
    assert event.state == State.CLOSED and event.solved_on_spot and event.closed_at


def test_escalated_into_12345_handled_by_a_unit_then_verified_on_site(grid_world):
    p, worker = grid_world["p"], grid_world["worker"]
    event, _ = _report(grid_world)
    event = services.escalate_to_appeal(event, by=worker, note="需市政部门更换")
    appeal = Appeal.objects.get(pk=event.appeal_id)
    assert (appeal.channel.code, appeal.grid.code, appeal.grid_event.pk) == ("grid", C1 + "001", event.pk)
    assert Appeal.objects.visible_to(worker).filter(pk=appeal.pk).exists()
    appeal = appeals.dispatch(appeal, by=p.dispatcher, lead_unit=p.water)
    appeal = appeals.accept(appeal, by=p.handler)
    event.refresh_from_db()
    assert event.state == State.HANDLING
    appeals.reply(appeal, by=p.handler, result_type="solved", text="已更换井盖")
    event.refresh_from_db()
    assert (event.state, event.result) == (State.FED_BACK, "已更换井盖") and event.verify_deadline
    task = Task.objects.get(event=event, kind=TaskKind.VERIFY_EVENT, done_at=None)
    assert task.worker == worker
    with pytest.raises(services.GridError):
        services.verify(event, by=worker, passed=True)  # a photo is required
    event = services.verify(event, by=worker, passed=False, note="井盖尺寸不符，仍有缝隙")
    assert (event.state, event.rework_count) == (State.HANDLING, 1)
    appeal = Appeal.objects.get(pk=appeal.pk)
    assert (appeal.status, appeal.reopen_count) == ("reopened", 1)  # 重办 through the appeals workflow
    appeal = appeals.accept(appeal, by=p.handler)
    appeals.reply(appeal, by=p.handler, result_type="solved", text="已重新安装")
    event.refresh_from_db()
    assert (event.state, event.result) == (State.FED_BACK, "已重新安装")
    event = services.verify(event, by=worker, passed=True, photos=[(JPEG, "image/jpeg")], note="现场已修复")
    assert event.state == State.CLOSED and event.verified_at
    actions = list(event.steps.values_list("action", flat=True))
    assert actions == ["collect", "file", "escalate_appeal", "start", "feed_back", "rework", "feed_back", "verify"]
    assert not Task.objects.filter(event=event, done_at=None).exists()


def test_the_same_escalation_twice_makes_one_appeal(grid_world):
    event, _ = _report(grid_world)
    services.escalate_to_appeal(event, by=grid_world["worker"])
    with pytest.raises(services.GridError):
        services.escalate_to_appeal(GridEvent.objects.get(pk=event.pk), by=grid_world["worker"])
    assert Appeal.objects.filter(channel__code="grid").count() == 1


def test_a_town_escalation_is_fed_back_by_the_town_only(grid_world):
    p = grid_world["p"]
    event, _ = _report(grid_world)
    event = services.escalate_to_town(event, by=grid_world["worker"])
    with pytest.raises(services.GridError):
        services.feed_back(event, by=p.county_other, result="不是我们县")
    event = services.feed_back(event, by=p.county_rencheng, result="街道已处理")
    assert event.state == State.FED_BACK


def test_someone_elses_worker_cannot_act_on_the_event(grid_world):
    from jishiban.testing import make_user

    other = make_user("gw2", "grid_worker")
    event, _ = _report(grid_world)
    with pytest.raises(services.GridError):
        services.solve_on_spot(event, by=other, result="x")


def test_worker_sees_grid_appeals_but_never_confidential_ones_and_a_changed_worker_keeps_history(grid_world):
    from jishiban.grid.models import Assignment
    from jishiban.testing import make_appeal

    worker, grids = grid_world["worker"], grid_world["grids"]
    seen = make_appeal(grid=C1 + "001")
    secret = make_appeal(grid=C1 + "001", confidential=True)
    elsewhere = make_appeal(grid=C1 + "002")
    visible = set(Appeal.objects.visible_to(worker).values_list("pk", flat=True))
    assert seen.pk in visible and secret.pk not in visible and elsewhere.pk not in visible
    services.assign_worker(grids[C1 + "002"], worker)
    worker.refresh_from_db()
    visible = set(Appeal.objects.visible_to(worker).values_list("pk", flat=True))
    assert elsewhere.pk in visible and seen.pk not in visible
    assert Assignment.objects.filter(worker=worker).count() == 2


def test_assigned_appeal_becomes_a_task_and_confidential_ones_are_refused(grid_world):
    from jishiban.testing import make_appeal

    p = grid_world["p"]
    appeal = make_appeal(grid=C1 + "001")
    task = services.assign_appeal(appeal, by=p.dispatcher, reason="请现场核实积水情况")
    assert task.worker == grid_world["worker"]
    with pytest.raises(services.GridError):
        services.assign_appeal(make_appeal(grid=C1 + "001", confidential=True), by=p.dispatcher)
    with pytest.raises(services.GridError):
        services.assign_appeal(appeal, by=p.citizen)
    services.complete_task(task, by=grid_world["worker"], result="现场已核实，积水约 20 厘米")
