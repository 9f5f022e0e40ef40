"""Every write of grid work: boundary imports, worker assignments, grid events and their steps,
tasks for workers, the grid an appeal was received in.

Each state change of an event goes through ``_step``: the pure table (``workflow``) decides,
an optimistic-lock ``UPDATE … WHERE version = n`` writes, and an ``EventStep`` row records it, in
one transaction. Errors are ``GridError`` with Chinese messages; nothing is written on error.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jishiban.accounts import policy
from jishiban.regions.models import Region, RegionLevel

from . import geometry as geo
from .models import (
    AppealLocation,
    Assignment,
    Boundary,
    Duty,
    Escalation,
    EventKind,
    EventStep,
    Grid,
    GridEvent,
    Photo,
    Task,
    TaskKind,
)
from .workflow import Action, State, TransitionError, next_state

A = Action
PHOTO_TYPES = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n", "image/webp": b"RIFF"}
PHOTO_MAX_BYTES = 10 * 1024 * 1024


class GridError(Exception):
    """A refused grid write; ``errors`` maps a field (or ``__all__``) to Chinese messages."""

    def __init__(self, errors: dict[str, list[str]] | str):
        self.errors = {"__all__": [errors]} if isinstance(errors, str) else errors
        super().__init__("；".join(m for ms in self.errors.values() for m in ms))


def verify_hours() -> int:
    """Working hours a worker has to verify a handler's result (``JISHIBAN_GRID_VERIFY_HOURS``)."""
    return int(getattr(settings, "JISHIBAN_GRID_VERIFY_HOURS", 16))


# --- boundaries ----------------------------------------------------------------------------------

def _known() -> geo.Known:
    communities = dict(Region.objects.filter(level=RegionLevel.COMMUNITY).values_list("code", "parent__code"))
    towns = Region.objects.filter(level=RegionLevel.TOWN)
    grids = {g.region.code: (g.community.code, g.region.geometry)
             for g in Grid.objects.select_related("region", "community") if g.region.geometry}
    return geo.Known(communities=communities, towns=frozenset(towns.values_list("code", flat=True)),
                     town_boundaries={t.code: t.geometry for t in towns.exclude(geometry=None)}, grids=grids)


def import_geojson(data: dict | str | bytes, *, source: str = "", now: datetime | None = None) -> dict[str, int]:
    """Write the grids of a GeoJSON FeatureCollection (properties ``code``, ``name``, optionally
    ``community``/``community_name``, the four layer codes ``zongzhi``/``jingwu``/``chengguan``/
    ``chuangcheng``, ``residents``/``households``/``units``). A feature may also set a town's
    boundary (``"level": "town"``). All or nothing: ``GridError`` lists every problem."""
    now = now or timezone.now()
    if isinstance(data, bytes | str):
        try:
            data = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise GridError(_("文件不是有效的 JSON：%s") % exc) from None
    features = list((data or {}).get("features") or []) if isinstance(data, dict) else []
    towns = [f for f in features if ((f or {}).get("properties") or {}).get("level") == "town"]
    grids = {**data, "features": [f for f in features if f not in towns]} if isinstance(data, dict) else data
    known = _known()
    town_rows = {t.code: t for t in Region.objects.filter(level=RegionLevel.TOWN)}
    problems = []
    for f in towns:
        code = str(f["properties"].get("code") or "")
        if code not in town_rows:
            problems.append(_("乡镇街道 %s：未知的乡镇街道代码") % code)
        else:
            known.town_boundaries = {**known.town_boundaries, code: f.get("geometry")}
    parsed, found = geo.check(grids, known)
    problems += found
    if problems:
        raise GridError({"__all__": problems})
    counts = {"created": 0, "updated": 0, "boundaries": 0, "communities": 0}
    with transaction.atomic():
        for f in towns:
            town = town_rows[str(f["properties"]["code"])]
            town.geometry = f.get("geometry")
            town.save(update_fields=["geometry"])
        for p in parsed:
            _write_grid(p, known, town_rows, source, now, counts)
    return counts


def _write_grid(p: geo.Parsed, known: geo.Known, towns: dict, source: str, now, counts: dict) -> None:
    town = towns[p.town]
    community, made = Region.objects.get_or_create(
        code=p.community, defaults={"name": p.community_name or p.community, "level": RegionLevel.COMMUNITY,
                                    "parent": town})
    counts["communities"] += int(made)
    region, created = Region.objects.update_or_create(
        code=p.code, defaults={"name": p.name, "level": RegionLevel.GRID, "parent": community, "geometry": p.geometry})
    props = p.properties
    fields = {"community": community, "town": town, "county": town.parent,
              **{f"{layer}_code": str(props.get(layer) or "") for layer in ("zongzhi", "jingwu", "chengguan",
                                                                             "chuangcheng")},
              **{k: max(0, int(props.get(k) or 0)) for k in ("residents", "households", "units")}}
    grid, grid_created = Grid.objects.get_or_create(region=region, defaults={**fields, "boundary_version": 1})
    counts["created" if grid_created else "updated"] += 1
    if not grid_created:
        for k, v in fields.items():
            setattr(grid, k, v)
    current = grid.boundaries.filter(valid_to=None).first()
    if current is None or current.geometry != p.geometry:
        version = (current.version + 1) if current else 1
        if current is not None:
            current.valid_to = now
            current.save(update_fields=["valid_to"])
        Boundary.objects.create(grid=grid, version=version, geometry=p.geometry, valid_from=now, source=source)
        grid.boundary_version = version
        counts["boundaries"] += 1
    grid.save()


# --- workers -------------------------------------------------------------------------------------

def assign_worker(grid: Grid, worker, *, duty: str = Duty.RESPONSIBLE, employment: str = "full",
                  now: datetime | None = None, note: str = "") -> Assignment:
    """Put ``worker`` (a user with the grid role) on ``grid``. A new responsible worker ends the
    grid's previous one and the worker's responsibility for another grid (history kept), and the
    worker's region becomes the grid (their appeal scope, ``policy.appeal_scope``)."""
    if not policy.is_grid_worker(worker):
        raise GridError(_("%s 不是网格员，不能分配到网格") % (worker.get_full_name() or worker.username))
    now = now or timezone.now()
    with transaction.atomic():
        if duty == Duty.RESPONSIBLE:
            Assignment.objects.filter(ended_at=None, duty=Duty.RESPONSIBLE).filter(
                grid=grid).update(ended_at=now)
            Assignment.objects.filter(ended_at=None, duty=Duty.RESPONSIBLE, worker=worker).update(ended_at=now)
            type(worker).objects.filter(pk=worker.pk).update(region=grid.region)
            worker.region = grid.region
        return Assignment.objects.create(grid=grid, worker=worker, duty=duty, employment=employment,
                                         started_at=now, note=note)


def end_assignment(assignment: Assignment, *, now: datetime | None = None) -> Assignment:
    Assignment.objects.filter(pk=assignment.pk, ended_at=None).update(ended_at=now or timezone.now())
    assignment.refresh_from_db()
    return assignment


# --- where an appeal is --------------------------------------------------------------------------

def record_location(appeal, grid: Grid, *, method: str, now: datetime | None = None) -> AppealLocation | None:
    """Keep the grid ``appeal`` was in at receipt (the first one found stays) and set its grid."""
    from jishiban.appeals.services import annotate

    now = now or timezone.now()
    with transaction.atomic():
        loc, created = AppealLocation.objects.get_or_create(
            appeal=appeal, defaults={"grid": grid, "boundary_version": grid.boundary_version, "method": method, "at": now})
        if created and appeal.grid_id is None:
            annotate(appeal, by=None, reason=_("网格：%(g)s（%(how)s）") % {
                "g": grid.region.name, "how": _("按坐标") if method == "coordinates" else _("按社区")},
                grid=grid.region)
    return loc if created else None


# --- photos --------------------------------------------------------------------------------------

def _photo(data: bytes, content_type: str, *, purpose: str, event=None, task=None, now) -> Photo:
    signature = PHOTO_TYPES.get(content_type)
    if signature is None or not data.startswith(signature):
        raise GridError({"photos": [_("照片须为 JPEG、PNG 或 WebP 图片")]})
    if len(data) > PHOTO_MAX_BYTES:
        raise GridError({"photos": [_("照片过大（最大 10 MB）")]})
    ext = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}[content_type]
    photo = Photo(event=event, task=task, purpose=purpose, content_type=content_type, at=now)
    photo.file.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(data), save=False)
    photo.save()
    return photo


# --- events --------------------------------------------------------------------------------------

def _step(event: GridEvent, action: str, *, by, now, note: str = "", payload: dict | None = None,
          **values) -> GridEvent:
    try:
        to = next_state(event.state or None, action)
    except TransitionError:
        raise GridError(_("事件“%(t)s”当前为%(s)s，不能%(a)s") % {
            "t": event.title, "s": event.get_state_display(), "a": ACTION_LABELS.get(action, action)}) from None
    before = event.state
    values = {"state": to, **values}
    if GridEvent.objects.filter(pk=event.pk, version=event.version).update(version=F("version") + 1, **values) != 1:
        raise GridError(_("事件“%s”已被他人处理，请刷新后再试") % event.title)
    event.version += 1
    for k, v in values.items():
        setattr(event, k, v)
    EventStep.objects.create(event=event, action=action, from_state=before, to_state=to, actor=by, note=note,
                             payload=payload or {}, at=now)
    return event


ACTION_LABELS = {A.FILE: gettext_lazy("立案"), A.SOLVE_ON_SPOT: gettext_lazy("就地解决"),
                 A.ESCALATE_TOWN: gettext_lazy("上报乡镇街道"), A.ESCALATE_APPEAL: gettext_lazy("转入12345"),
                 A.ESCALATE_COUNTY: gettext_lazy("上报县市区"),
                 A.START: gettext_lazy("开始处理"), A.FEED_BACK: gettext_lazy("反馈结果"),
                 A.VERIFY: gettext_lazy("核查通过"), A.REWORK: gettext_lazy("返工"), A.EVALUATE: gettext_lazy("评价"),
                 A.INVALIDATE: gettext_lazy("不予立案")}


def grid_of_worker(user) -> Grid | None:
    """The grid a worker's report goes to (their responsible grid, else one they substitute on).
    The converse question, the grid's worker, is ``selectors.on_duty``."""
    row = (Assignment.objects.filter(worker=user, ended_at=None).select_related("grid__region")
           .order_by("duty", "-started_at").first())  # "responsible" sorts before "substitute"
    return row.grid if row else None


def report_event(*, by, event_id, kind: str, title: str, description: str, grid: Grid | None = None,
                 subject: str = "", details: dict | None = None, lat=None, lon=None,
                 photos: list[tuple[bytes, str]] = (), now: datetime | None = None) -> tuple[GridEvent, bool]:
    """A worker's report (信息收集), filed at once (案卷建立). ``event_id`` comes from the phone:
    the same id sent again returns the stored event (``created`` False) and writes nothing."""
    now = now or timezone.now()
    try:
        event_id = uuid.UUID(str(event_id))
    except ValueError:
        raise GridError({"id": [_("事件编号无效")]}) from None
    existing = GridEvent.objects.filter(pk=event_id).first()
    if existing is not None:
        if existing.reporter_id != by.pk:
            raise GridError({"id": [_("事件编号已被使用")]})
        return existing, False
    if not policy.is_grid_worker(by):
        raise GridError(_("只有网格员可以上报网格事件"))
    grid = grid or grid_of_worker(by)
    errors: dict[str, list[str]] = {}
    if grid is None:
        errors["grid"] = [_("您尚未分配网格，不能上报")]
    if kind not in EventKind.values:
        errors["kind"] = [_("请选择事件类型")]
    title, description = (title or "").strip(), (description or "").strip()
    if not title:
        errors["title"] = [_("请填写标题")]
    elif len(title) > 100:
        errors["title"] = [_("标题过长（最多 100 字）")]
    if not description:
        errors["description"] = [_("请填写情况描述")]
    from jishiban.core.params import ParameterError, coordinate

    try:
        lat = coordinate(lat, "lat", low=-90, high=90)
        lon = coordinate(lon, "lon", low=-180, high=180)
        if (lat is None) != (lon is None):
            raise ParameterError("lat", _("须同时给出经度和纬度"))
    except ParameterError as exc:
        errors["location"] = [_("位置%s") % exc.reason]
    if errors:
        raise GridError(errors)
    try:
        return _create_event(event_id, grid, by, kind, subject, title, description, details, lat, lon, photos, now), True
    except IntegrityError:  # the same draft sent twice at once: the other request stored it
        return GridEvent.objects.get(pk=event_id, reporter=by), False


def _create_event(event_id, grid, by, kind, subject, title, description, details, lat, lon, photos, now) -> GridEvent:
    with transaction.atomic():
        event = GridEvent.objects.create(
            id=event_id, grid=grid, reporter=by, kind=kind, subject=subject, title=title, description=description,
            details=details or {}, lat=lat, lon=lon, state=next_state(None, A.COLLECT), reported_at=now, version=1)
        EventStep.objects.create(event=event, action=A.COLLECT, to_state=event.state, actor=by, at=now)
        _step(event, A.FILE, by=by, now=now)
        for data, content_type in photos:
            _photo(data, content_type, purpose=Photo.Purpose.REPORT, event=event, now=now)
    return event


def _worker_of(event: GridEvent, by) -> None:
    """The grid's workers (responsible or substitute now) and the reporter act on its events."""
    if by.pk == event.reporter_id:
        return
    if not Assignment.objects.filter(grid=event.grid_id, worker=by, ended_at=None).exists():
        raise GridError(_("您不是该网格的网格员"))


def solve_on_spot(event: GridEvent, *, by, result: str, photos=(), now: datetime | None = None) -> GridEvent:
    """就地解决: the worker solved it themselves; the event closes with their result."""
    now = now or timezone.now()
    _worker_of(event, by)
    if not (result or "").strip():
        raise GridError({"result": [_("请填写处理结果")]})
    with transaction.atomic():
        event = _step(event, A.SOLVE_ON_SPOT, by=by, now=now, note=result.strip(), solved_on_spot=True,
                      result=result.strip(), closed_at=now)
        for data, content_type in photos:
            _photo(data, content_type, purpose=Photo.Purpose.VERIFY, event=event, now=now)
    return event


def escalate_to_town(event: GridEvent, *, by, note: str = "", now: datetime | None = None) -> GridEvent:
    now = now or timezone.now()
    _worker_of(event, by)
    with transaction.atomic():
        return _step(event, A.ESCALATE_TOWN, by=by, now=now, note=note, escalation=Escalation.TOWN)


def escalate_to_county(event: GridEvent, *, by, note: str, now: datetime | None = None) -> GridEvent:
    """乡镇 → 县市区: the town passes an event escalated to it, which it cannot solve, up to its county
    (who may: ``policy.may_escalate_grid_to_county``); the county's staff then feed back on it."""
    now = now or timezone.now()
    grid = Grid.objects.select_related("town", "county").get(pk=event.grid_id)
    if not policy.may_escalate_grid_to_county(by, grid.town_id):
        raise GridError(_("只有事件所在乡镇街道的工作人员可以将其上报县市区"))
    if event.escalation != Escalation.TOWN:
        raise GridError(_("事件“%(t)s”不在乡镇街道手中（%(e)s），不能上报县市区") % {
            "t": event.title, "e": event.get_escalation_display()})
    if not (note or "").strip():
        raise GridError({"note": [_("请说明本级无法解决、需县市区处理的原因")]})
    with transaction.atomic():
        return _step(event, A.ESCALATE_COUNTY, by=by, now=now, note=note.strip(), escalation=Escalation.COUNTY,
                     payload={"town": grid.town.code, "county": grid.county.code})


def escalate_to_appeal(event: GridEvent, *, by, note: str = "", category: str | None = None,
                       now: datetime | None = None) -> GridEvent:
    """转入12345: the event becomes an appeal of channel ``grid`` through the one intake pipeline;
    the event and the appeal point at each other, written in the appeal's transaction."""
    from jishiban.appeals.errors import AppealValidationError
    from jishiban.intake.pipeline import Citizen, Location, Submission, submit

    now = now or timezone.now()
    _worker_of(event, by)
    if event.state != State.FILED:
        raise GridError(_("事件“%(t)s”当前为%(s)s，不能转入12345") % {"t": event.title, "s": event.get_state_display()})
    grid = Grid.objects.select_related("region", "town", "county").get(pk=event.grid_id)
    text = event.description + (f"\n{_('网格员意见')}：{note.strip()}" if (note or "").strip() else "")
    submission = Submission(
        channel="grid", content=text, title=event.title, external_id=f"grid-{event.pk}", received_at=now,
        # The worker hands it in for residents: named, but without their phone, so the repeat rule
        # never takes a busy worker for a repeat complainant.
        citizen=Citizen(name=_("网格员%s") % (by.get_full_name() or by.username)),
        location=Location(lat=event.lat, lon=event.lon, county=grid.county.code, town=grid.town.code,
                          grid=grid.region.code),
        category=category or None, appeal_type="help", extras={"grid_event": str(event.pk)})

    def link(appeal) -> None:
        _step(event, A.ESCALATE_APPEAL, by=by, now=now, note=note, escalation=Escalation.APPEAL, appeal=appeal,
              payload={"appeal": appeal.number})

    try:
        result = submit(submission, by=by, now=now, within=link)
    except AppealValidationError as exc:
        raise GridError({k: list(v) for k, v in exc.errors.items()}) from None
    if not result.created:
        event.refresh_from_db()
    return event


def start_handling(event: GridEvent, *, by, now: datetime | None = None) -> GridEvent:
    now = now or timezone.now()
    with transaction.atomic():
        return _step(event, A.START, by=by, now=now)


def _check_town_handler(event: GridEvent, by) -> None:
    if not policy.may_feed_back_grid(by):
        raise GridError(_("您无权反馈该网格事件"))
    town = event.grid.town
    if policy.is_county_staff(by) and by.region_id != event.grid.county_id:
        raise GridError(_("该事件不属于您所在的县市区"))
    if event.escalation == Escalation.COUNTY and policy.is_unit_staff(by):
        raise GridError(_("该事件已上报县市区，由县市区反馈"))
    if policy.is_unit_staff(by) and (by.organisation is None or by.organisation.region_id != town.pk):
        raise GridError(_("该事件不属于您所在的乡镇街道"))


def feed_back(event: GridEvent, *, by, result: str, now: datetime | None = None, from_appeal: bool = False) -> GridEvent:
    """处理反馈: the town's (or, through ``receivers``, the 12345 handler's) result. The worker gets a
    verification task due within ``verify_hours()`` working hours."""
    from jishiban.sla.clock import Duration
    from jishiban.sla.services import get_calendar

    now = now or timezone.now()
    if not from_appeal:
        _check_town_handler(event, by)
    if not (result or "").strip():
        raise GridError({"result": [_("请填写处理结果")]})
    due = get_calendar().add(now, Duration(verify_hours(), "h"))
    with transaction.atomic():
        event = _step(event, A.FEED_BACK, by=by, now=now, note=result.strip(), result=result.strip(),
                      verify_deadline=due)
        worker = _responsible(event.grid) or event.reporter
        Task.objects.create(kind=TaskKind.VERIFY_EVENT, grid=event.grid, worker=worker, event=event,
                            appeal=event.appeal, reason=_("请到现场核查处理结果：%s") % result.strip()[:200],
                            created_by=by, created_at=now, due_at=due)
    return event


def _responsible(grid: Grid | None):
    """The worker of ``selectors.on_duty`` (responsible, else the substitute on duty)."""
    from .selectors import on_duty

    duty = on_duty(grid)
    return duty.worker if duty else None


def verify(event: GridEvent, *, by, passed: bool, note: str = "", photos=(), now: datetime | None = None) -> GridEvent:
    """核查: on site, with a photo. Passed → 核实结案; failed → 返工 (counted), handled again — and
    an event escalated into 12345 reopens its appeal (重办, ``appeals.services.reopen_on_verification``)
    in the same transaction, so the unit handles it again on the appeal's own clock."""
    now = now or timezone.now()
    _worker_of(event, by)
    if passed and not photos:
        raise GridError({"photos": [_("核查通过须上传现场照片")]})
    if not passed and not (note or "").strip():
        raise GridError({"note": [_("请说明返工原因")]})
    with transaction.atomic():
        if not passed and event.appeal_id and event.state == State.FED_BACK:
            _reopen_appeal(event, by=by, note=note.strip(), now=now)
        if passed:
            event = _step(event, A.VERIFY, by=by, now=now, note=note, verified_at=now, closed_at=now,
                          payload={"on_time": bool(event.verify_deadline and now <= event.verify_deadline)})
        else:
            event = _step(event, A.REWORK, by=by, now=now, note=note, rework_count=event.rework_count + 1,
                          verify_deadline=None)
        shots = [_photo(data, content_type, purpose=Photo.Purpose.VERIFY, event=event, now=now)
                 for data, content_type in photos]
        tasks = list(Task.objects.filter(event=event, kind=TaskKind.VERIFY_EVENT, done_at=None).select_related(
            "grid__region"))
        Task.objects.filter(pk__in=[t.pk for t in tasks]).update(
            done_at=now, result=note or (_("核查通过") if passed else _("返工")))
        if passed and event.appeal_id and tasks:
            text = _("核查通过") + (f"：{note.strip()}" if (note or "").strip() else "")
            _report_on_appeal(tasks[0], by=by, text=text, photos=shots, now=now)
    return event


def _reopen_appeal(event: GridEvent, *, by, note: str, now) -> None:
    from jishiban.appeals.errors import ConflictError
    from jishiban.appeals.models import Appeal
    from jishiban.appeals.services import reopen_on_verification
    from jishiban.appeals.workflow import TransitionNotAllowed

    appeal = Appeal.objects.get(pk=event.appeal_id)
    try:
        reopen_on_verification(appeal, by=by, at=now, reason=_("网格员现场核查未通过：%s") % note,
                               payload={"grid_event": str(event.pk)})
    except TransitionNotAllowed:
        raise GridError(_("诉求件 %(n)s 当前为%(s)s，不能重办，请联系派单员") % {
            "n": appeal.number, "s": appeal.get_status_display()}) from None
    except ConflictError:
        raise GridError(_("诉求件 %s 刚被他人处理，请刷新后再试") % appeal.number) from None


def evaluate(event: GridEvent, *, by, rating: int, note: str = "", now: datetime | None = None) -> GridEvent:
    """综合评价 (1–5) by the town or county desk."""
    if not policy.may_feed_back_grid(by):
        raise GridError(_("您无权评价网格事件"))
    if rating not in (1, 2, 3, 4, 5):
        raise GridError({"rating": [_("评价须为 1～5 分")]})
    with transaction.atomic():
        return _step(event, A.EVALUATE, by=by, now=now or timezone.now(), note=note, rating=rating)


def invalidate(event: GridEvent, *, by, reason: str, now: datetime | None = None) -> GridEvent:
    if not policy.may_feed_back_grid(by):
        raise GridError(_("您无权处理该网格事件"))
    if not (reason or "").strip():
        raise GridError({"reason": [_("请说明不予立案的原因")]})
    with transaction.atomic():
        return _step(event, A.INVALIDATE, by=by, now=now or timezone.now(), note=reason.strip())


# --- tasks ---------------------------------------------------------------------------------------

def assign_appeal(appeal, *, by, kind: str = TaskKind.VERIFY_APPEAL, reason: str = "",
                  now: datetime | None = None) -> Task:
    """Ask the worker of the appeal's grid to verify on site or help (from the dispatch and unit pages)."""
    from jishiban.appeals.models import Appeal

    now = now or timezone.now()
    if not policy.may_assign_to_grid(by) or not Appeal.objects.visible_to(by).filter(pk=appeal.pk).exists():
        raise GridError(_("您无权将诉求件 %s 交给网格员") % appeal.number)
    if kind not in (TaskKind.VERIFY_APPEAL, TaskKind.HELP_APPEAL):
        raise GridError({"kind": [_("请选择核实或协助")]})
    if appeal.confidential:
        raise GridError(_("保密诉求件不能交给网格员"))
    grid = Grid.objects.filter(region_id=appeal.grid_id).first() if appeal.grid_id else None
    worker = _responsible(grid) if grid else None
    if worker is None:
        raise GridError(_("诉求件 %s 不在任何有网格员的网格内") % appeal.number)
    if Task.objects.filter(appeal=appeal, kind=kind, done_at=None).exists():
        raise GridError(_("该诉求件已交网格员%s，尚未完成") % TaskKind(kind).label)
    return Task.objects.create(kind=kind, grid=grid, worker=worker, appeal=appeal, created_by=by, created_at=now,
                               reason=(reason or "").strip() or TaskKind(kind).label)


def complete_task(task: Task, *, by, result: str, photos=(), now: datetime | None = None) -> Task:
    """The worker reports what was found and done (event verification tasks close through ``verify``)."""
    now = now or timezone.now()
    if task.worker_id != by.pk:
        raise GridError(_("这不是您的任务"))
    if task.kind == TaskKind.VERIFY_EVENT:
        raise GridError(_("请在事件页面核查"))
    if not (result or "").strip():
        raise GridError({"result": [_("请填写发现与处置情况")]})
    with transaction.atomic():
        if Task.objects.filter(pk=task.pk, done_at=None).update(done_at=now, result=result.strip()) != 1:
            raise GridError(_("该任务已完成"))
        shots = [_photo(data, content_type, purpose=Photo.Purpose.VISIT, task=task, now=now)
                 for data, content_type in photos]
        task.refresh_from_db()
        if task.appeal_id:
            _report_on_appeal(task, by=by, text=task.result, photos=shots, now=now)
    return task


def _report_on_appeal(task: Task, *, by, text: str, photos, now) -> None:
    """The worker's result on the appeal's own record (``appeals.services.add_grid_report``)."""
    from jishiban.appeals.models import Appeal
    from jishiban.appeals.services import add_grid_report

    add_grid_report(Appeal.objects.get(pk=task.appeal_id), by=by, at=now,
                    text=_("%(kind)s：%(text)s") % {"kind": TaskKind(task.kind).label, "text": text},
                    payload={"task": task.pk, "kind": task.kind, "grid": task.grid.region.code,
                             "photos": [p.pk for p in photos]})


def suggest_visit(grid: Grid, *, pattern: str, reason: str, appeal=None, now: datetime | None = None) -> Task | None:
    """未诉先办: one open "visit suggested" task per grid and pattern (a pattern seen again adds
    nothing), and none again for an ``appeal`` received before the pattern's last task — a rescan
    of the same appeals never suggests twice; a newer appeal after a finished visit does."""
    now = now or timezone.now()
    worker = _responsible(grid)
    if worker is None:
        return None
    same = Task.objects.filter(grid=grid, pattern=pattern)
    if same.filter(done_at=None).exists() or (appeal is not None and same.filter(
            created_at__gte=appeal.received_at).exists()):
        return None
    try:
        with transaction.atomic():
            return Task.objects.create(kind=TaskKind.VISIT, grid=grid, worker=worker, appeal=appeal, pattern=pattern,
                                       reason=reason, created_at=now)
    except IntegrityError:  # the hook and a rescan at the same moment: the other one made it
        return None
