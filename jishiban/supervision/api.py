"""REST API of supervision: ``router`` (django-ninja), mounted at ``/api/v1/supervision/``.

Same rules as the pages: every list starts from the user's scope (``access``), actions go
through the services. Errors are raised (``ActionForbidden``, ``Http404``, the services' own)
and answered by the API's handlers (``jishiban.api.errors``), in its one shape ``{"code",
"detail", ...}`` with ``current_version``, ``last_action`` and ``last_actor`` on a conflict.
Authentication is the API's (``jishiban.api.auth.API_AUTH``: bearer token or session + CSRF),
except the citizen's signed callback link.
"""

from __future__ import annotations

from dataclasses import asdict

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from jishiban.api.auth import API_AUTH
from jishiban.api.errors import READ_ERRORS, WRITE_ERRORS, ErrorOut
from jishiban.api.params import Day, Days, Id, Limit, Offset, Version
from jishiban.api.schemas import InBody
from jishiban.appeals import services as appeal_services
from jishiban.appeals.errors import ActionForbidden, AppealValidationError
from jishiban.appeals.models import Appeal
from jishiban.appeals.privacy import mask_public
from jishiban.core.params import ParameterError
from jishiban.organisations.models import Organisation

from . import access, letters, selectors, triggers
from .forms import read_period
from .models import DispatchDecision, DisputeStatus
from .notifications import mark_read
from .schemas import (
    CallbackOut,
    DecisionIn,
    DecisionOut,
    DisputeOut,
    ExtensionOut,
    FiguresOut,
    FollowUpOut,
    LetterOut,
    MeetingOut,
    NotificationOut,
    OrderOut,
    PublicReplyOut,
    VisitOut,
)
from .services import callbacks, disputes, followups, orders, public_replies

router = Router(auth=API_AUTH, tags=["supervision"])

ERRORS = WRITE_ERRORS
READS = {**READ_ERRORS, 403: ErrorOut}


def _need(check, user):
    if not check(user):
        raise ActionForbidden(_("您无权进行此项督查督办操作"))


def _one(qs, pk):
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404(_("不存在或无权查看"))
    return obj


def _appeal(user, number: str) -> Appeal:
    appeal = Appeal.objects.visible_to(user).filter(number=number).first()
    if appeal is None:
        raise Http404(_("诉求件 %(number)s 不存在或无权查看") % {"number": number})
    return appeal


def _period(text: str):
    try:
        return read_period(text)
    except ParameterError as exc:
        raise AppealValidationError({"period": [exc.reason]})


def _unit(code: str | None, field: str) -> Organisation | None:
    if not code:
        return None
    unit = Organisation.objects.filter(code=code).first()
    if unit is None:
        raise AppealValidationError({field: [_("没有代码为 %(code)s 的单位") % {"code": code}]})
    return unit


# --- orders -------------------------------------------------------------------------------------------

class OrderIn(InBody):
    appeal: str  # number
    reason: str = "key"
    level: str | None = None
    deadline_days: Days | None = None
    requirement: str = ""
    instruction: str = ""
    instructed_by: str = ""


class TextIn(InBody):
    text: str = ""


class OrderReasonIn(InBody):
    reason: str = ""
    deadline_days: Days | None = None


class VisitIn(InBody):
    date: Day | None = None
    place: str = ""
    participants: str = ""
    findings: str = ""
    outcome: str = ""


def _orders_reader(user):
    return access.may_read(user) or access.is_unit_staff(user)


@router.get("/orders", response=list[OrderOut])
def list_orders(request, status: str = "active", reason: str = "", level: str = "", appeal: str = "",
                limit: Limit(500) = 100, offset: Offset = 0):
    _need(_orders_reader, request.user)
    qs = selectors.orders(request.user, status=status, reason=reason, level=level)
    if appeal.strip():
        qs = qs.filter(appeal__number=appeal.strip()[:24])
    return list(qs[offset:offset + limit])


class AppealRecordOut(Schema):
    orders: list[OrderOut]
    callback_tasks: list[CallbackOut]


@router.get("/appeals/{number}", response=AppealRecordOut)
def appeal_record(request, number: str):
    """An appeal's supervision record as its page shows it (``selectors.appeal_record``)."""
    _need(lambda u: _orders_reader(u) or _callback_reader(u), request.user)
    return selectors.appeal_record(request.user, _appeal(request.user, number))


@router.post("/orders", response={201: OrderOut, 200: OrderOut, **ERRORS})
def create_order(request, data: OrderIn):
    _need(access.may_manage, request.user)
    appeal = _appeal(request.user, data.appeal)
    order, created = orders.open_order(appeal, by=request.user, reason=data.reason, level=data.level,
                                       deadline_days=data.deadline_days, requirement=data.requirement,
                                       instruction=data.instruction, instructed_by=data.instructed_by)
    return Status(201 if created else 200, order)


@router.get("/orders/{int:pk}", response=OrderOut)
def get_order(request, pk: Id):
    _need(_orders_reader, request.user)
    return _one(access.orders_for(request.user), pk)


@router.get("/orders/{int:pk}/events", response=list[dict])
def order_events(request, pk: Id):
    _need(_orders_reader, request.user)
    order = _one(access.orders_for(request.user), pk)
    return [{"action": e.action, "from_status": e.from_status, "to_status": e.to_status,
             "actor": e.actor.username if e.actor_id else None, "note": e.note, "payload": e.payload,
             "at": e.at.isoformat()} for e in order.events.select_related("actor")]


@router.post("/orders/{int:pk}/respond", response={200: OrderOut, **ERRORS})
def respond_order(request, pk: Id, data: TextIn):
    return orders.respond(_one(access.orders_for(request.user), pk), by=request.user, text=data.text)


@router.post("/orders/{int:pk}/reject", response={200: OrderOut, **ERRORS})
def reject_order(request, pk: Id, data: OrderReasonIn):
    return orders.reject_response(_one(access.orders_for(request.user), pk), by=request.user, reason=data.reason,
                                  deadline_days=data.deadline_days)


@router.post("/orders/{int:pk}/escalate", response={200: OrderOut, **ERRORS})
def escalate_order(request, pk: Id, data: OrderReasonIn):
    return orders.escalate(_one(access.orders_for(request.user), pk), by=request.user, reason=data.reason)


@router.post("/orders/{int:pk}/close", response={200: OrderOut, **ERRORS})
def close_order(request, pk: Id, data: OrderReasonIn):
    return orders.close_order(_one(access.orders_for(request.user), pk), by=request.user, reason=data.reason)


@router.post("/orders/{int:pk}/visits", response={201: VisitOut, **ERRORS})
def add_visit(request, pk: Id, data: VisitIn):
    order = _one(access.orders_for(request.user), pk)
    return Status(201, orders.add_visit(order, by=request.user, **data.dict()))


# --- callbacks and public replies ---------------------------------------------------------------------

class VerdictIn(InBody):
    satisfaction: str
    solved: bool
    comment: str = ""


class VersionedVerdictIn(VerdictIn):
    expected_version: Version = Field(..., description="诉求件的 version（回访任务的 appeal_version）")


class AttemptIn(InBody):
    outcome: str
    note: str = ""


class CallbackDecisionIn(InBody):
    decision: str
    reason: str = ""
    level: str | None = None
    deadline_days: Days | None = None
    expected_version: Version = Field(..., description="诉求件的 version（回访任务的 appeal_version）")


def _callback_reader(user):
    return access.may_call_back(user) or access.may_read(user)


@router.get("/callbacks", response=list[CallbackOut])
def list_callbacks(request, response: HttpResponse, state: str = "pending", limit: Limit(500) = 100,
                   offset: Offset = 0):
    """The callback list of the workbench (``selectors.callback_tasks``); ``X-Total-Count`` is the
    number of rows in the whole list, the count its page shows for the same state."""
    _need(_callback_reader, request.user)
    qs = selectors.callback_tasks(request.user, state=state)
    response["X-Total-Count"] = str(qs.count())
    return list(qs[offset:offset + limit])


def _task(request, pk):
    _need(_callback_reader, request.user)
    return _one(selectors.callback_tasks(request.user, state="all"), pk)


@router.get("/callbacks/{int:pk}", response=CallbackOut)
def get_callback(request, pk: Id):
    return _task(request, pk)


def _current(appeal: Appeal, expected_version: int) -> Appeal:
    """``appeal`` if the client saw its current version; a stale decision is a 409 ``conflict``
    naming who acted last, as for the appeal actions, and changes nothing."""
    if appeal.version != expected_version:
        raise appeal_services.conflict(appeal)
    return appeal


@router.post("/callbacks/{int:pk}/result", response={200: CallbackOut, **ERRORS})
def callback_result(request, pk: Id, data: VersionedVerdictIn):
    task = _task(request, pk)
    _current(task.appeal, data.expected_version)
    verdict = data.dict(exclude={"expected_version"})
    return callbacks.record_result(task, by=request.user, expected_version=data.expected_version, **verdict)


@router.post("/callbacks/{int:pk}/attempts", response={200: CallbackOut, **ERRORS})
def callback_attempt(request, pk: Id, data: AttemptIn):
    return callbacks.record_attempt(_task(request, pk), by=request.user, **data.dict())


@router.post("/callbacks/{int:pk}/link", response={200: dict, **ERRORS})
def callback_link(request, pk: Id):
    return {"url": callbacks.send_link(_task(request, pk), by=request.user)}


@router.post("/callbacks/{int:pk}/decision", response={200: CallbackOut, **ERRORS})
def callback_decision(request, pk: Id, data: CallbackDecisionIn):
    return callbacks.decide(_task(request, pk), by=request.user, **data.dict())


@router.get("/callback-links/{token}", auth=None, response={200: dict, 404: dict})
def link_info(request, token: str):
    try:
        task = callbacks.task_for_token(token)
    except callbacks.LinkInvalid as exc:
        return Status(404, {"code": "not_found", "detail": str(exc)})
    appeal = task.appeal
    return {"appeal": appeal.number, "done": task.status != "pending",
            "title": mask_public(appeal.title, appeal),
            "reply": mask_public(appeal.result_text, appeal)}


@router.post("/callback-links/{token}", auth=None, response={200: dict, **ERRORS})
def link_submit(request, token: str, data: VerdictIn):
    try:
        task = callbacks.submit_link(token, origin={"ip": request.META.get("REMOTE_ADDR", ""), "via_api": True},
                                     **data.dict())
    except callbacks.LinkInvalid as exc:
        return Status(404, {"code": "not_found", "detail": str(exc)})
    return {"status": task.status}


class PublicReplyIn(InBody):
    text: str
    publish: bool = False
    withhold: bool = False  # 不予公开 (wins over ``publish``)


@router.get("/public-replies", response=list[PublicReplyOut])
def list_public_replies(request, status: str = "", limit: Limit(500) = 100,
                offset: Offset = 0):
    _need(_callback_reader, request.user)
    return list(selectors.public_replies(request.user, status=status)[offset:offset + limit])


@router.put("/public-replies/{int:pk}", response={200: PublicReplyOut, **ERRORS})
def edit_public_reply(request, pk: Id, data: PublicReplyIn):
    _need(access.may_call_back, request.user)
    reply = public_replies.edit(_one(selectors.public_replies(request.user), pk), by=request.user, text=data.text)
    if data.withhold:
        return public_replies.withhold(reply, by=request.user)
    return public_replies.publish(reply, by=request.user) if data.publish else reply


@router.get("/reply-rates", response={200: list[dict], **READS})
def reply_rates(request, period: str):
    _need(_callback_reader, request.user)
    return [{**r, "rate": str(r["rate"]) if r["rate"] is not None else None}
            for r in selectors.reply_rates(request.user, _period(period))]


# --- promises, extensions ------------------------------------------------------------------------------

class NoteIn(InBody):
    note: str = ""


@router.get("/follow-ups", response=list[FollowUpOut])
def list_follow_ups(request, state: str = "open"):
    _need(_orders_reader, request.user)
    return list(selectors.follow_ups(request.user, state=state)[:500])


@router.post("/follow-ups/{int:pk}/{action}", response={200: FollowUpOut, **ERRORS})
def follow_up_action(request, pk: Id, action: str, data: NoteIn):
    follow_up = _one(access.follow_ups_for(request.user), pk)
    if action == "fulfil":
        return followups.fulfil(follow_up, by=request.user, note=data.note)
    if action == "confirm":
        return followups.confirm(follow_up, by=request.user)
    if action == "reject":
        return followups.reject(follow_up, by=request.user, note=data.note)
    raise Http404(_("没有这个操作"))


class ExtensionIn(InBody):
    approve: bool
    reason: str = ""
    expected_version: Version = Field(..., description="诉求件的 version（延期申请列表的 appeal_version）")


@router.get("/extensions", response=list[ExtensionOut])
def list_extensions(request):
    _need(access.may_read, request.user)
    return [{"appeal_id": r["appeal"].pk, "appeal": r["appeal"].number, "appeal_version": r["appeal"].version,
             "unit": str(r["appeal"].lead_unit or ""),
             "reply_deadline": r["appeal"].reply_deadline, "new_deadline": r["new_deadline"],
             "reason": r["request"].reason if r["request"] else "", "can_decide": r["can_decide"]}
            for r in selectors.extension_requests(request.user)]


@router.post("/extensions/{number}", response={200: dict, **ERRORS})
def decide_extension(request, number: str, data: ExtensionIn):
    """Approve or refuse the extension asked for the appeal numbered ``number``."""
    _need(access.may_manage, request.user)
    appeal = _appeal(request.user, number)
    appeal = appeal_services.decide_extension(_current(appeal, data.expected_version), by=request.user,
                                              approve=data.approve, reason=data.reason,
                                              expected_version=data.expected_version)
    return {"status": appeal.status, "reply_deadline": appeal.reply_deadline.isoformat()}


# --- disputes, meetings, decisions -----------------------------------------------------------------------

class ContestIn(InBody):
    appeal: str
    note: str = ""


class MeetingIn(InBody):
    date: Day | None = None
    place: str = ""
    title: str = ""
    disputes: list[Id] = []
    units: list[str] = []


class MinutesIn(InBody):
    minutes: str = ""


@router.get("/disputes", response=list[DisputeOut])
def list_disputes(request, state: str = "open"):
    _need(lambda u: access.may_read(u) or access.may_contest(u), request.user)
    qs = access.disputes_for(request.user).select_related("appeal")
    if state == "open":
        qs = qs.filter(status__in=[DisputeStatus.OPEN, DisputeStatus.SCHEDULED])
    return list(qs[:500])


@router.post("/disputes", response={201: DisputeOut, 200: DisputeOut, **ERRORS})
def contest(request, data: ContestIn):
    _need(access.may_contest, request.user)
    appeal = _appeal(request.user, data.appeal)
    dispute, created = disputes.contest_return(appeal, by=request.user, note=data.note)
    return Status(201 if created else 200, dispute)


@router.post("/disputes/{int:pk}/withdraw", response={200: DisputeOut, **ERRORS})
def withdraw_dispute(request, pk: Id, data: NoteIn):
    return disputes.withdraw(_one(access.disputes_for(request.user), pk), by=request.user, reason=data.note)


@router.get("/meetings", response=list[MeetingOut])
def list_meetings(request):
    _need(access.may_read, request.user)
    return list(access.meetings_for(request.user)[:200])


@router.post("/meetings", response={201: MeetingOut, **ERRORS})
def create_meeting(request, data: MeetingIn):
    units = list(Organisation.objects.filter(code__in=data.units).values_list("pk", flat=True))
    meeting = disputes.schedule_meeting(by=request.user, date=data.date, place=data.place, title=data.title,
                                        unit_ids=units, dispute_ids=data.disputes)
    return Status(201, meeting)


@router.get("/meetings/{int:pk}", response=MeetingOut)
def get_meeting(request, pk: Id):
    _need(access.may_read, request.user)
    return _one(access.meetings_for(request.user), pk)


@router.post("/meetings/{int:pk}/decisions", response={201: DecisionOut, **ERRORS})
def decide_dispute(request, pk: Id, data: DecisionIn):
    meeting = _one(access.meetings_for(request.user), pk)
    dispute = _one(meeting.disputes.all(), data.dispute)
    category = None
    if data.category:
        from jishiban.taxonomy.models import Category

        category = Category.objects.filter(code=data.category).first()
        if category is None:
            raise AppealValidationError({"category": [_("没有代码为 %(code)s 的分类") % {"code": data.category}]})
    county = None if data.whole_city else Appeal.objects.get(pk=dispute.appeal_id).county
    co_units = [_unit(code, "co_units") for code in data.co_units]
    decision = disputes.decide(meeting, dispute, by=request.user, lead_unit=_unit(data.lead_unit, "lead_unit"),
                               co_units=co_units, legal_basis=data.legal_basis, category=category, county=county,
                               keywords=data.keywords, valid_from=data.valid_from)
    return Status(201, decision)


@router.post("/meetings/{int:pk}/minutes", response={200: MeetingOut, **ERRORS})
def meeting_minutes(request, pk: Id, data: MinutesIn):
    return disputes.record_minutes(_one(access.meetings_for(request.user), pk), by=request.user,
                                   minutes=data.minutes)


@router.get("/decisions", response=list[DecisionOut])
def list_decisions(request, category: str = "", county: str = "", on: Day | None = None):
    """The dispatch catalogue from meetings; with ``category`` it is ``selectors.decisions_for``."""
    _need(lambda u: access.may_read(u) or access.may_contest(u), request.user)
    if category:
        return selectors.decisions_for(category, county or None, on=on)
    return list(DispatchDecision.objects.filter(is_active=True).select_related(
        "category", "county", "lead_unit").prefetch_related("co_units")[:500])


@router.post("/decisions/{int:pk}/deactivate", response={200: DecisionOut, **ERRORS})
def deactivate_decision(request, pk: Id):
    _need(access.may_manage, request.user)
    return disputes.deactivate_decision(_one(DispatchDecision.objects.all(), pk), by=request.user)


@router.get("/rules", response=list[dict])
def list_rules(request):
    """The trigger configuration in force (edited in the admin)."""
    _need(access.may_read, request.user)
    return [asdict(rule) for rule in triggers.rules().values()]


# --- notifications, letters, figures ---------------------------------------------------------------------

@router.get("/notifications", response=list[NotificationOut])
def list_notifications(request, unread: bool = False, limit: Limit(500) = 50):
    qs = selectors.notifications_for(request.user)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return list(qs[:limit])


@router.get("/notifications/unread-count", response=dict)
def notifications_unread(request):
    return {"unread": selectors.unread_count(request.user)}


@router.post("/notifications/read", response=dict)
def notifications_read(request, ids: list[Id] | None = None):
    return {"marked": mark_read(request.user, ids)}


class LetterIn(InBody):
    period: str
    unit: str | None = None


@router.get("/letters", response=list[LetterOut])
def list_letters(request, period: str = ""):
    _need(_orders_reader, request.user)
    return list(letters.letters_query(request.user, period=period)[:500])


@router.post("/letters", response={201: list[LetterOut], **ERRORS})
def generate_letters(request, data: LetterIn):
    _need(access.may_manage, request.user)
    period = _period(data.period)
    unit = _unit(data.unit, "unit")
    made = [letters.generate(unit, period, by=request.user)] if unit else letters.generate_for_period(
        period, by=request.user)
    return Status(201, made)


@router.get("/letters/{int:pk}/file")
def letter_file(request, pk: Id):
    _need(_orders_reader, request.user)
    letter = _one(access.letters_for(request.user), pk)
    response = HttpResponse(letter.file.read(), content_type=(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
    response["Content-Disposition"] = f'attachment; filename="reminder-{letter.unit.code}-{letter.period}.docx"'
    return response


@router.get("/figures", response={200: FiguresOut, **READS})
def figures(request, period: str):
    _need(access.may_read, request.user)
    p = _period(period)
    result = selectors.supervision_figures(request.user, p)
    return {"period": p.label, "start": p.start, "end": p.end, "supervised": result.supervised,
            "solved": result.solved, "rate": result.rate, "orders": result.orders, "open_orders": result.open_orders,
            "escalated": result.escalated, "by_reason": result.by_reason,
            "by_unit": [{"unit_id": u.unit_id, "unit": u.unit, "supervised": u.supervised, "solved": u.solved,
                         "rate": u.rate} for u in result.by_unit],
            "callbacks": {k: (str(v) if v is not None and not isinstance(v, int) else v)
                          for k, v in selectors.callback_figures(request.user, p).items()}}

