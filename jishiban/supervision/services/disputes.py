"""Responsibility disputes (职责不清) and the meetings that settle them (月度攻坚会商).

A decision re-dispatches the appeal through the workflow (explanation "会商决定 #id") and
stays as a ``DispatchDecision`` that routing reads through ``selectors.decisions_for``.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.accounts import policy
from jishiban.appeals import services as appeal_services
from jishiban.appeals.errors import ActionForbidden, ActionNotAllowed, AppealValidationError
from jishiban.appeals.models import Appeal, AppealEvent
from jishiban.appeals.workflow import returning_unit
from jishiban.organisations.models import Organisation

from .. import access, links
from ..models import (
    OPEN_DISPUTE,
    DispatchDecision,
    Dispute,
    DisputeKind,
    DisputeStatus,
    Kind,
    Meeting,
    MeetingStatus,
)
from ..notifications import centre_staff, notify
from .common import optional, require

REDISPATCH_STATES = ("received", "returned", "dispatched")


def _returns(appeal):
    return list(AppealEvent.objects.filter(appeal=appeal, action="return").order_by("at", "id"))


def _open_dispute(appeal, *, kind: str, by, note: str, now) -> tuple[Dispute, bool]:
    existing = Dispute.objects.filter(appeal=appeal, status__in=OPEN_DISPUTE).first()
    if existing:
        return existing, False
    returns = _returns(appeal)
    codes = {returning_unit(e.payload) for e in returns} - {None}
    try:
        with transaction.atomic():
            dispute = Dispute.objects.create(
                appeal=appeal, kind=kind, note=note, raised_by=by, created_at=now,
                return_reasons=[{"unit": returning_unit(e.payload), "reason": e.reason,
                                 "not_responsible": bool(e.payload.get("not_responsible")),
                                 "at": e.at.isoformat()} for e in returns],
            )
            dispute.units.set(Organisation.objects.filter(code__in=codes))
            notify(Kind.DISPUTE, _("诉求件 %(number)s 存在职责争议（%(kind)s），待会商")
                   % {"number": appeal.number, "kind": dispute.get_kind_display()},
                   users=centre_staff(appeal, "both"), appeal=appeal, url=links.page("disputes"), now=now)
    except IntegrityError:
        existing = Dispute.objects.filter(appeal=appeal, status__in=OPEN_DISPUTE).first()
        if existing is None:
            raise
        return existing, False
    return dispute, True


def contest_return(appeal, *, by, note: str, now=None) -> tuple[Dispute, bool]:
    """The dispatcher disagrees with a "not our responsibility" return."""
    now = now or timezone.now()
    if not access.may_contest(by) or not Appeal.objects.visible_to(by).filter(pk=appeal.pk).exists():
        raise ActionForbidden(_("您无权对诉求件 %(number)s 提出异议") % {"number": appeal.number})
    note = require("note", note, _("请填写异议理由"))
    last = AppealEvent.objects.filter(appeal=appeal).order_by("-at", "-id").first()
    if appeal.status != "returned" or last is None or last.action != "return":
        raise ActionNotAllowed(_("只能对刚退回的诉求件提出异议"))
    if not last.payload.get("not_responsible"):
        raise ActionNotAllowed(_("该退单不是以“非本单位职责”为由，无需会商"))
    return _open_dispute(appeal, kind=DisputeKind.CONTESTED, by=by, note=note, now=now)


def on_return(appeal, event) -> Dispute | None:
    """Two returns or more put the appeal on the disputes list."""
    if appeal.return_count < 2:
        return None
    dispute, _created = _open_dispute(appeal, kind=DisputeKind.REPEATED_RETURN, by=None,
                                      note=_("已退单 %(n)d 次") % {"n": appeal.return_count}, now=event.at)
    return dispute


def _disputes_in_scope(by, ids) -> list[Dispute]:
    ids = [int(i) for i in ids]
    disputes = list(access.disputes_for(by).filter(pk__in=ids).select_related("appeal"))
    if len(disputes) != len(set(ids)):
        raise AppealValidationError({"disputes": [_("所选争议不存在或无权查看")]})
    return disputes


def schedule_meeting(*, by, date, place: str, title: str = "", unit_ids=(), dispute_ids=(), now=None) -> Meeting:
    """Convene a meeting and put disputes on its agenda (the units involved are invited)."""
    if not access.may_manage(by):
        raise ActionForbidden(_("您无权召集会商"))
    errors = {}
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        errors["date"] = [_("请填写会商日期")]
    if not (place or "").strip():
        errors["place"] = [_("请填写会商地点")]
    if not dispute_ids:
        errors["disputes"] = [_("请至少选择一项争议")]
    if errors:
        raise AppealValidationError(errors)
    disputes = _disputes_in_scope(by, dispute_ids)
    for dispute in disputes:
        if dispute.status not in OPEN_DISPUTE:
            raise AppealValidationError({"disputes": [_("争议 #%(id)s 已结束") % {"id": dispute.pk}]})
    with transaction.atomic():
        meeting = Meeting.objects.create(title=optional("title", title, limit=100) or _("月度攻坚会商"), date=date,
                                         place=place.strip()[:200], created_by=by)
        units = set(Organisation.objects.filter(pk__in=list(unit_ids)).values_list("pk", flat=True))
        for dispute in disputes:
            units |= set(dispute.units.values_list("pk", flat=True))
            if dispute.appeal.lead_unit_id:
                units.add(dispute.appeal.lead_unit_id)
        meeting.units.set(units)
        Dispute.objects.filter(pk__in=[d.pk for d in disputes]).update(meeting=meeting, status=DisputeStatus.SCHEDULED)
    return meeting


def _require_meeting(by, meeting):
    if not access.may_manage(by) or not access.meetings_for(by).filter(pk=meeting.pk).exists():
        raise ActionForbidden(_("您无权处理该会商"))


def decide(meeting, dispute, *, by, lead_unit, co_units=(), legal_basis: str, category=None, county=None,
           keywords: str = "", valid_from=None, now=None) -> DispatchDecision:
    """Record the meeting's decision on ``dispute``: who leads, who helps, on what legal basis.

    The decision becomes a dispatch rule and the appeal is re-dispatched to the lead unit
    (when its state allows; otherwise the decision is kept and the outcome says so).
    """
    now = now or timezone.now()
    _require_meeting(by, meeting)
    dispute = Dispute.objects.get(pk=dispute.pk)
    if dispute.meeting_id != meeting.pk or dispute.status != DisputeStatus.SCHEDULED:
        raise ActionNotAllowed(_("争议 #%(id)s 不在本次会商议程中或已有决定") % {"id": dispute.pk})
    appeal = Appeal.objects.get(pk=dispute.appeal_id)
    category = category or appeal.category
    errors = {}
    if lead_unit is None or lead_unit.is_centre or not lead_unit.is_active:
        errors["lead_unit"] = [_("请选择主办单位")]
    if category is None:
        errors["category"] = [_("请选择适用分类")]
    if not (legal_basis or "").strip():
        errors["legal_basis"] = [_("请填写法规依据")]
    if errors:
        raise AppealValidationError(errors)
    co_units = [u for u in co_units if lead_unit is None or u.pk != lead_unit.pk]
    with transaction.atomic():
        decision = DispatchDecision.objects.create(
            category=category, county=county, keywords=optional("keywords", keywords, limit=200),
            lead_unit=lead_unit, legal_basis=legal_basis.strip(), meeting=meeting, dispute=dispute,
            valid_from=valid_from or meeting.date, created_by=by,
        )
        decision.co_units.set(co_units)
        if appeal.status in REDISPATCH_STATES:
            appeal_services.dispatch(appeal, by=by, lead_unit=lead_unit, co_units=co_units,
                                     note=legal_basis.strip()[:2000], explanation=f"会商决定 #{decision.pk}", at=now)
            outcome = _("已按会商决定 #%(id)s 重新派单至 %(unit)s") % {"id": decision.pk, "unit": lead_unit}
        else:
            outcome = _("已形成会商决定 #%(id)s；诉求件当前状态不能改派") % {"id": decision.pk}
        Dispute.objects.filter(pk=dispute.pk).update(status=DisputeStatus.DECIDED, outcome=outcome, closed_at=now)
    return decision


def record_minutes(meeting, *, by, minutes: str, now=None) -> Meeting:
    now = now or timezone.now()
    _require_meeting(by, meeting)
    minutes = require("minutes", minutes, _("请填写会议纪要"), limit=20000)
    Meeting.objects.filter(pk=meeting.pk).update(minutes=minutes, status=MeetingStatus.HELD, held_at=now)
    meeting.refresh_from_db()
    return meeting


def withdraw(dispute, *, by, reason: str, now=None) -> Dispute:
    now = now or timezone.now()
    if not access.may_manage(by) or not access.disputes_for(by).filter(pk=dispute.pk).exists():
        raise ActionForbidden(_("您无权撤销该争议"))
    reason = require("reason", reason, _("请填写撤销理由"))
    if Dispute.objects.filter(pk=dispute.pk, status__in=OPEN_DISPUTE).update(
            status=DisputeStatus.WITHDRAWN, outcome=reason, closed_at=now) != 1:
        raise ActionNotAllowed(_("该争议已结束"))
    dispute.refresh_from_db()
    return dispute


def deactivate_decision(decision, *, by) -> DispatchDecision:
    """A decision superseded by a later one or by new rules stops applying to routing."""
    if not policy.may_deactivate_decisions(by):
        raise ActionForbidden(_("您无权停用派单决定"))
    DispatchDecision.objects.filter(pk=decision.pk).update(is_active=False)
    decision.refresh_from_db()
    return decision
