"""Supervision orders (督办单): open, respond, reject a response, escalate, visit, close.

Each change moves the order with a conditional UPDATE on its current status (so two people
acting at once cannot both succeed), appends an ``OrderEvent`` in the same transaction and
raises notifications (delivered after commit).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.accounts import policy
from jishiban.appeals.errors import ActionForbidden, ActionNotAllowed, AppealValidationError, ConflictError
from jishiban.appeals.workflow import State
from jishiban.core import dates
from jishiban.sla.clock import Duration
from jishiban.sla.services import get_calendar

from .. import access, links
from ..models import Kind, Level, OnSiteVisit, OrderEvent, OrderStatus, Reason, SupervisionOrder
from ..notifications import centre_staff, notify, unit_members
from ..rules import OrderTransitionError, appeal_is_solved, order_level, order_next
from .common import optional, require

MAX_DEADLINE_DAYS = 60


def order_url(order) -> str:
    return links.order(order)


def _deadline(now, days: int):
    return get_calendar().add(now, Duration(int(days), "d"))


def _days(value, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_DEADLINE_DAYS:
        raise AppealValidationError({"deadline_days": [_("办理时限须为 1～%(n)d 个工作日") % {"n": MAX_DEADLINE_DAYS}]})
    return days


def open_order(appeal, *, reason: str, by=None, requirement: str = "", level: str | None = None,
               deadline_days=None, instruction: str = "", instructed_by: str = "", target_unit=None,
               detail: str = "", now=None, announce: bool = True) -> tuple[SupervisionOrder, bool]:
    """Open an order on ``appeal`` for ``reason``; ``by=None`` means an automatic trigger.

    Returns ``(order, created)``: when an order for this appeal and reason is still open, that
    order is returned and nothing is written. The target is the appeal's lead unit unless
    given. The target unit's staff hear of a new order once (a leader's instruction as
    ``leader_instruction`` with its text, any other as ``order_opened``); ``announce=False``
    is for callers that fold the order into the one message of their own event (a red card,
    a dispatch). Raises ``ActionForbidden`` (not a manager of this appeal) or
    ``AppealValidationError`` naming the field.
    """
    from ..triggers import rules

    now = now or timezone.now()
    if reason not in Reason.values:
        raise AppealValidationError({"reason": [_("未知督办原因 %(r)s") % {"r": reason}]})
    if by is not None and not (access.may_manage_appeal(by, appeal) or access.may_instruct_appeal(by, appeal, reason)):
        raise ActionForbidden(_("您无权督办诉求件 %(number)s") % {"number": appeal.number})
    existing = SupervisionOrder.objects.filter(appeal=appeal, reason=reason).exclude(status=OrderStatus.CLOSED).first()
    if existing:
        return existing, False
    target = target_unit or appeal.lead_unit
    errors: dict[str, list[str]] = {}
    if target is None:
        errors["appeal"] = [_("诉求件 %(number)s 尚未派单，无法督办") % {"number": appeal.number}]
    elif target.is_centre:
        errors["target_unit"] = [_("督办对象须为承办单位")]
    rule = rules()[reason]
    if level not in (None, "") and level not in Level.values:
        errors["level"] = [_("请选择市级或县级督办")]
    if reason == Reason.LEADER and by is not None and not (instruction or "").strip():
        errors["instruction"] = [_("请填写领导批示内容")]
    if errors:
        raise AppealValidationError(errors)
    days = _days(deadline_days, rule.deadline_days)
    if policy.is_county_staff(by):
        level = Level.COUNTY  # a county centre supervises at county level
    level = level or order_level(rule.level, target.level)
    values = {
        "appeal": appeal, "reason": reason, "auto": by is None, "detail": (detail or "")[:300],
        "target_unit": target, "responsible_unit": target,
        "requirement": optional("requirement", requirement) or rule.requirement,
        "instruction": optional("instruction", instruction), "instructed_by": optional("instructed_by", instructed_by, limit=60),
        "level": level, "deadline_days": days, "deadline": _deadline(now, days), "created_by": by, "created_at": now,
    }
    try:
        with transaction.atomic():
            order = SupervisionOrder.objects.create(**values)
            _log(order, "open", "", OrderStatus.OPEN, by, now, note=values["requirement"],
                 payload={"reason": reason, "auto": by is None, "target": target.code, "level": level})
            if announce:
                announce_order(order, now=now)
    except IntegrityError:
        # Another trigger opened the same order a moment ago.
        existing = SupervisionOrder.objects.filter(appeal=appeal, reason=reason).exclude(status=OrderStatus.CLOSED).first()
        if existing is None:
            raise
        return existing, False
    return order, True


def order_sentence(order) -> str:
    """What a unit is told about ``order`` (also inside the message of the event that opened it)."""
    when = dates.when(order.deadline)
    if order.reason == Reason.LEADER and order.instruction:
        who = order.instructed_by or _("领导")
        return _("%(who)s批示：%(text)s（督办单 #%(id)s，请于 %(deadline)s 前反馈）") % {
            "who": who, "text": order.instruction[:200], "id": order.pk, "deadline": when}
    return _("已督办（%(reason)s，督办单 #%(id)s），请于 %(deadline)s 前反馈") % {
        "reason": order.get_reason_display(), "id": order.pk, "deadline": when}


def announce_order(order, *, now) -> None:
    kind = Kind.LEADER_INSTRUCTION if order.reason == Reason.LEADER else Kind.ORDER_OPENED
    notify(kind, _("督办通知：诉求件 %(number)s %(what)s。") % {"number": order.appeal.number,
                                                          "what": order_sentence(order)},
           users=unit_members(order.target_unit), appeal=order.appeal, order=order, url=order_url(order), now=now)


# Orders that belong to the unit that held the appeal and end with it: its missed deadline, its
# promise. Every other open order moves to the new lead unit on a re-dispatch.
STAY_WITH_UNIT = frozenset({Reason.OVERDUE, Reason.PROMISE})


def follow_lead_unit(appeal, *, now, by=None) -> list[SupervisionOrder]:
    """After a re-dispatch: close every open order addressed to another unit than the appeal's
    lead unit with a note, and open its copy for the lead unit (same reason, requirement,
    instruction, level and working days; a fresh deadline) — except for the reasons in
    ``STAY_WITH_UNIT``. ``by`` is who re-dispatched (recorded on the order events). Returns the
    copies; their notice is the dispatch's (not sent here). Runs inside the dispatch's
    transaction."""
    unit = appeal.lead_unit
    if unit is None:
        return []
    copies = []
    stale = (SupervisionOrder.objects.filter(appeal=appeal).exclude(status=OrderStatus.CLOSED)
             .exclude(target_unit=unit).select_related("target_unit"))
    for order in stale:
        note = _("诉求件已改派至 %(unit)s，本单位督办单关闭") % {"unit": unit}
        carried = order.reason not in STAY_WITH_UNIT
        if carried:
            note += _("，督办事项转 %(unit)s 继续办理") % {"unit": unit}
        _move(order, "close", by=by, now=now, note=note,
              changes={"closed_at": now, "close_reason": note, "closed_solved": False},
              payload={"redispatched_to": unit.code})
        if not carried:
            continue
        copy = SupervisionOrder.objects.create(
            appeal=appeal, reason=order.reason, auto=order.auto, detail=order.detail, target_unit=unit,
            responsible_unit=unit, requirement=order.requirement, instruction=order.instruction,
            instructed_by=order.instructed_by, level=order.level, deadline_days=order.deadline_days,
            deadline=_deadline(now, order.deadline_days), created_by=order.created_by, created_at=now)
        _log(copy, "open", "", OrderStatus.OPEN, by, now, note=copy.requirement,
             payload={"reason": copy.reason, "auto": copy.auto, "target": unit.code, "level": copy.level,
                      "carried_from": order.pk})
        copies.append(copy)
    return copies


def _log(order, action, source, target, by, at, note="", payload=None) -> OrderEvent:
    return OrderEvent.objects.create(order=order, action=action, from_status=source, to_status=target, actor=by,
                                     note=note, payload=payload or {}, at=at)


def _move(order, action: str, *, by, now, changes: dict | None = None, note: str = "",
          payload: dict | None = None) -> SupervisionOrder:
    try:
        target = order_next(order.status, action)
    except OrderTransitionError:
        raise ActionNotAllowed(_("督办单当前状态为“%(s)s”，不能执行该操作") % {"s": order.get_status_display()})
    changes = dict(changes or {})
    source = order.status
    with transaction.atomic():
        updated = SupervisionOrder.objects.filter(pk=order.pk, status=source).update(status=target, **changes)
        if updated != 1:
            current = SupervisionOrder.objects.filter(pk=order.pk).values_list("status", flat=True).first()
            raise ConflictError(_("督办单 #%(id)s 已被他人处理（当前状态：%(s)s），请刷新后重试")
                                % {"id": order.pk, "s": current}, current_version=0, last_action=action)
        for field, value in changes.items():
            setattr(order, field, value)
        order.status = target
        _log(order, action, source, target, by, now, note=note, payload=payload)
    return order


def subject(order) -> str:
    """What the order is about, for messages: 诉求件 N, or the report a leader instructed on."""
    if order.appeal_id is None:
        return _("报告《%(title)s》") % {"title": order.report_title}
    return _("诉求件 %(number)s") % {"number": order.appeal.number}


def _require_manager(by, order):
    if not access.may_manage_order(by, order):
        raise ActionForbidden(_("您无权处理督办单 #%(id)s") % {"id": order.pk})


def respond(order, *, by, text: str, now=None) -> SupervisionOrder:
    """The unit's feedback (办理情况反馈)."""
    now = now or timezone.now()
    if not access.may_respond(by, order):
        raise ActionForbidden(_("只有被督办单位可以反馈督办单 #%(id)s") % {"id": order.pk})
    text = require("text", text, _("请填写办理情况"))
    order = _move(order, "respond", by=by, now=now, changes={"response": text, "responded_at": now}, note=text)
    level = "county" if order.level == Level.COUNTY else "city"
    notify(Kind.ORDER_RESPONDED, _("督办单 #%(id)s（%(subject)s）已反馈") % {"id": order.pk,
                                                                          "subject": subject(order)},
           users=centre_staff(order.appeal, level), appeal=order.appeal, order=order, url=order_url(order), now=now)
    return order


def reject_response(order, *, by, reason: str, deadline_days=None, now=None) -> SupervisionOrder:
    """The response does not settle it: back to the unit with a new deadline."""
    now = now or timezone.now()
    _require_manager(by, order)
    reason = require("reason", reason, _("请填写退回理由"))
    days = _days(deadline_days, order.deadline_days)
    order = _move(order, "reject", by=by, now=now, note=reason,
                  changes={"deadline": _deadline(now, days), "deadline_days": days})
    notify(Kind.ORDER_OPENED, _("督办单 #%(id)s 反馈被退回：%(reason)s") % {"id": order.pk, "reason": reason},
           users=unit_members(order.responsible_unit), appeal=order.appeal, order=order, url=order_url(order), now=now)
    return order


def escalate(order, *, by=None, reason: str = "", now=None) -> SupervisionOrder:
    """Move the order to the responsible unit's superior (``Organisation.parent``) with a fresh
    deadline. ``by=None`` is the periodic job after a missed deadline."""
    now = now or timezone.now()
    if by is not None:
        _require_manager(by, order)
        reason = require("reason", reason, _("请填写升级理由"))
    current = order.responsible_unit
    superior = current.parent if current.parent_id else current
    order = _move(order, "escalate", by=by, now=now, note=reason or _("逾期未反馈，自动升级"),
                  changes={"responsible_unit": superior, "escalation_count": order.escalation_count + 1,
                           "deadline": _deadline(now, order.deadline_days)},
                  payload={"from_unit": current.code, "to_unit": superior.code})
    notify(Kind.ORDER_ESCALATED,
           _("督办单 #%(id)s（%(subject)s）%(unit)s 逾期未反馈，已升级至 %(superior)s")
           % {"id": order.pk, "subject": subject(order), "unit": current, "superior": superior},
           users=unit_members(superior) + unit_members(current) + centre_staff(order.appeal, "city"),
           appeal=order.appeal, order=order, url=order_url(order), now=now)
    return order


def close_order(order, *, by, reason: str = "", now=None) -> SupervisionOrder:
    """办结. Needs the appeal solved (closed, solved or (basically) satisfied) or a reason."""
    now = now or timezone.now()
    _require_manager(by, order)
    reason = optional("reason", reason)
    solved = None  # an order on a report: no appeal to be solved, closed on the manager's word
    if order.appeal_id is not None:
        appeal = order.appeal
        appeal.refresh_from_db(fields=["status", "solved", "satisfaction"])
        solved = appeal_is_solved(appeal.status, appeal.solved, appeal.satisfaction)
    if solved is False and not reason:
        raise AppealValidationError({"reason": [_("诉求尚未解决，办结督办单须说明原因")]})
    return _move(order, "close", by=by, now=now, note=reason,
                 changes={"closed_at": now, "close_reason": reason, "closed_solved": solved},
                 payload={"appeal_solved": solved})


def add_visit(order, *, by, date: dt.date | None, place: str, participants: str, findings: str, outcome: str,
              now=None) -> OnSiteVisit:
    """现场督办 record."""
    now = now or timezone.now()
    _require_manager(by, order)
    errors = {}
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        errors["date"] = [_("请填写督办日期")]
    elif date > timezone.localdate(now):
        errors["date"] = [_("督办日期不能晚于今天")]
    for field, value, message in (("place", place, _("请填写地点")), ("participants", participants, _("请填写参加人员")),
                                  ("findings", findings, _("请填写发现的问题")), ("outcome", outcome, _("请填写督办结果"))):
        if not (value or "").strip():
            errors[field] = [message]
    if errors:
        raise AppealValidationError(errors)
    with transaction.atomic():
        visit = OnSiteVisit.objects.create(order=order, date=date, place=place.strip()[:200],
                                           participants=participants.strip(), findings=findings.strip(),
                                           outcome=outcome.strip(), recorded_by=by)
        _log(order, "visit", order.status, order.status, by, now, note=f"{date} {visit.place}",
             payload={"visit": visit.pk})
    return visit


def escalate_missed(now=None) -> int:
    """Escalate every open or escalated order past its deadline (the periodic job)."""
    now = now or timezone.now()
    count = 0
    missed = SupervisionOrder.objects.filter(status__in=[OrderStatus.OPEN, OrderStatus.ESCALATED], deadline__lt=now)
    for order in missed.select_related("responsible_unit", "responsible_unit__parent", "appeal"):
        try:
            escalate(order, now=now)
        except ConflictError:
            continue  # someone responded or closed it meanwhile
        count += 1
    return count


def stand_down_automatic(appeal, event) -> int:
    """Automatic orders still open on ``appeal`` close when the appeal is closed solved or the
    citizen withdraws it, instead of escalating to the unit's superior when their deadline passes
    (a reaction to the appeal's ``close`` and ``withdraw``). Orders a person opened stay for that person to close. Returns how many closed."""
    withdrawn = appeal.status == State.WITHDRAWN
    if not withdrawn and not appeal_is_solved(appeal.status, appeal.solved, appeal.satisfaction):
        return 0
    note = _("诉求人已撤回诉求，自动督办随之关闭") if withdrawn else _("诉求已办结且群众认可，自动督办随之办结")
    closed = 0
    for order in SupervisionOrder.objects.filter(appeal=appeal, auto=True).exclude(status=OrderStatus.CLOSED):
        _move(order, "close", by=None, now=event.at, note=note,
              changes={"closed_at": event.at, "close_reason": note, "closed_solved": not withdrawn},
              payload={"appeal_solved": not withdrawn, "automatic": True, **({"withdrawn": True} if withdrawn else {})})
        closed += 1
    return closed
