"""REST API of grid work: ``router`` (django-ninja), mounted at the API root — for a grid app on
the worker's phone that syncs by itself.

* ``POST /grid/events`` — report an event (JSON, no photos); ``id`` is made by the phone, so the
  same report sent again answers 200 with the stored event instead of making a second one (201);
* ``GET /grid/events/{id}`` — an event the caller may see (404 otherwise), with its steps;
* ``POST /grid/events/{id}/escalate-county`` — a town passes an event it received up to its county
  (乡镇 → 县市区; 403 for anyone but that town's staff, 422 when the event is not the town's or no reason);
* ``GET /grid/tasks`` — the caller's open tasks (grid workers; 403 for others).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from jishiban.accounts import policy
from jishiban.api.auth import API_AUTH
from jishiban.api.schemas import ErrorOut, ValidationErrorOut
from jishiban.appeals.errors import AppealValidationError

from . import selectors, services

router = Router(auth=API_AUTH, tags=["grid"])


class EventIn(Schema):
    id: uuid.UUID = Field(..., description="手机端生成的事件编号（UUID）；重复提交返回已存事件")
    kind: str = Field(..., description="opinion 社情民意、info 信息采集、mediation 矛盾纠纷调解、errand 民生代办、urban 城市管理案件")
    subject: str = ""
    title: str
    description: str
    details: dict = Field(default_factory=dict, description="调解：parties、agreement、follow_up；代办：errand、result")
    lat: float | None = None
    lon: float | None = None


class EscalateIn(Schema):
    note: str = Field(..., description="本级无法解决、需县市区处理的原因")


class StepOut(Schema):
    action: str
    from_state: str
    to_state: str
    note: str
    at: dt.datetime


class EventOut(Schema):
    id: uuid.UUID
    grid: str
    kind: str
    title: str
    state: str
    state_label: str
    solved_on_spot: bool
    appeal: str | None
    result: str
    rework_count: int
    reported_at: dt.datetime
    steps: list[StepOut]


class TaskOut(Schema):
    id: int
    kind: str
    kind_label: str
    grid: str
    reason: str
    appeal: str | None
    event: uuid.UUID | None
    due_at: dt.datetime | None


def _out(event) -> dict:
    return {"id": event.pk, "grid": event.grid.region.code, "kind": event.kind, "title": event.title,
            "state": event.state, "state_label": event.get_state_display(), "solved_on_spot": event.solved_on_spot,
            "appeal": event.appeal.number if event.appeal_id else None, "result": event.result,
            "rework_count": event.rework_count, "reported_at": event.reported_at,
            "steps": [{"action": s.action, "from_state": s.from_state, "to_state": s.to_state, "note": s.note,
                       "at": s.at} for s in event.steps.all()]}


@router.post("/grid/events", response={200: EventOut, 201: EventOut, 401: ErrorOut, 403: ErrorOut,
                                       422: ValidationErrorOut}, summary="上报网格事件（幂等）")
def report(request, payload: EventIn):
    if not policy.is_grid_worker(request.auth):
        raise HttpError(403, _("只有网格员可以上报网格事件"))
    try:
        event, created = services.report_event(by=request.auth, event_id=payload.id, kind=payload.kind,
                                               subject=payload.subject, title=payload.title,
                                               description=payload.description, details=payload.details,
                                               lat=payload.lat, lon=payload.lon)
    except services.GridError as exc:
        raise AppealValidationError(exc.errors) from None
    return Status(201 if created else 200, _out(event))


@router.get("/grid/events/{event_id}", response={200: EventOut, 401: ErrorOut, 404: ErrorOut}, summary="网格事件")
def event(request, event_id: uuid.UUID):
    found = selectors.events_visible_to(request.auth).select_related("grid__region", "appeal").filter(pk=event_id).first()
    if found is None:
        raise Http404
    return _out(found)


@router.post("/grid/events/{event_id}/escalate-county", response={200: EventOut, 401: ErrorOut, 403: ErrorOut,
                                                                 404: ErrorOut, 422: ValidationErrorOut},
             summary="乡镇街道上报县市区")
def escalate_county(request, event_id: uuid.UUID, payload: EscalateIn):
    found = selectors.events_visible_to(request.auth).select_related("grid__region").filter(pk=event_id).first()
    if found is None:
        raise Http404
    if not policy.may_escalate_grid_to_county(request.auth, found.grid.town_id):
        raise HttpError(403, _("只有事件所在乡镇街道的工作人员可以将其上报县市区"))
    try:
        services.escalate_to_county(found, by=request.auth, note=payload.note)
    except services.GridError as exc:
        raise AppealValidationError(exc.errors) from None
    return _out(selectors.events_visible_to(request.auth).select_related("grid__region", "appeal").get(pk=event_id))


@router.get("/grid/tasks", response={200: list[TaskOut], 401: ErrorOut, 403: ErrorOut}, summary="我的网格任务")
def tasks(request):
    if not policy.is_grid_worker(request.auth):
        raise HttpError(403, _("只有网格员有网格任务"))
    return [{"id": t.pk, "kind": t.kind, "kind_label": t.get_kind_display(), "grid": t.grid.region.code,
             "reason": t.reason, "appeal": t.appeal.number if t.appeal_id else None, "event": t.event_id,
             "due_at": t.due_at} for t in selectors.tasks_of(request.auth)]
