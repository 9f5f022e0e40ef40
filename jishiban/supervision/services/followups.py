"""分步解决 promises: due on their date, back on the unit's list until met and confirmed."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.appeals.errors import ActionForbidden, ActionNotAllowed

from .. import access, links
from ..models import OPEN_FOLLOW_UP, FollowUp, FollowUpStatus, Kind, Reason
from ..notifications import unit_members
from .common import require


def ensure_follow_up(appeal, *, now=None) -> FollowUp | None:
    """After a 分步解决 reply: the promise and its date, once per reply round."""
    if appeal.result_type != "stepwise" or not appeal.follow_up_date or not appeal.lead_unit_id:
        return None
    follow_up, _created = FollowUp.objects.get_or_create(
        appeal=appeal, round=appeal.reopen_count,
        defaults={"unit_id": appeal.lead_unit_id, "promise": appeal.promise[:300], "due_date": appeal.follow_up_date,
                  "created_at": now or timezone.now()},
    )
    return follow_up


def cancel_open(appeal) -> int:
    """A reopened appeal gets a new reply and so a new promise; the old one lapses."""
    return FollowUp.objects.filter(appeal=appeal, status__in=OPEN_FOLLOW_UP).update(status=FollowUpStatus.CANCELLED)


def mark_due(today=None, now=None) -> int:
    """On its date a promise returns to the unit's list (and the unit is told)."""
    from ..notifications import notify

    today = today or timezone.localdate()
    count = 0
    for follow_up in FollowUp.objects.filter(status=FollowUpStatus.WAITING, due_date__lte=today).select_related(
            "appeal", "unit"):
        with transaction.atomic():
            if FollowUp.objects.filter(pk=follow_up.pk, status=FollowUpStatus.WAITING).update(
                    status=FollowUpStatus.DUE) != 1:
                continue
            notify(Kind.FOLLOW_UP_DUE,
                   _("诉求件 %(number)s 的分步解决承诺已到期：%(promise)s。请兑现后填报。")
                   % {"number": follow_up.appeal.number, "promise": follow_up.promise},
                   users=unit_members(follow_up.unit), appeal=follow_up.appeal, url=links.page("follow_ups"),
                   now=now)
            count += 1
    return count


def fulfil(follow_up, *, by, note: str, now=None) -> FollowUp:
    """The unit reports the promise kept; a supervisor confirms it."""
    now = now or timezone.now()
    if not (access.is_unit_staff(by) and by.organisation_id == follow_up.unit_id):
        raise ActionForbidden(_("只有承办单位可以填报承诺兑现情况"))
    note = require("note", note, _("请填写兑现情况"))
    if FollowUp.objects.filter(pk=follow_up.pk, status__in=OPEN_FOLLOW_UP).update(
            status=FollowUpStatus.FULFILLED, fulfilment=note, fulfilled_at=now, fulfilled_by=by) != 1:
        raise ActionNotAllowed(_("该承诺当前不能填报兑现"))
    follow_up.refresh_from_db()
    return follow_up


def _require_manager(by, follow_up):
    if not access.may_manage_appeal(by, follow_up.appeal):
        raise ActionForbidden(_("您无权确认该承诺"))


def confirm(follow_up, *, by, now=None) -> FollowUp:
    now = now or timezone.now()
    _require_manager(by, follow_up)
    if FollowUp.objects.filter(pk=follow_up.pk, status=FollowUpStatus.FULFILLED).update(
            status=FollowUpStatus.CONFIRMED, confirmed_at=now, confirmed_by=by) != 1:
        raise ActionNotAllowed(_("只有已填报兑现的承诺可以确认"))
    follow_up.refresh_from_db()
    return follow_up


def reject(follow_up, *, by, note: str, now=None) -> FollowUp:
    """Not met after all: back on the unit's list."""
    _require_manager(by, follow_up)
    note = require("note", note, _("请填写退回意见"))
    if FollowUp.objects.filter(pk=follow_up.pk, status=FollowUpStatus.FULFILLED).update(
            status=FollowUpStatus.DUE, review_note=note) != 1:
        raise ActionNotAllowed(_("只有已填报兑现的承诺可以退回"))
    follow_up.refresh_from_db()
    return follow_up


def promise_orders(today=None, now=None) -> int:
    """Open an order for every promise still unmet ``threshold`` days after its date."""
    from ..triggers import rules
    from .orders import open_order

    rule = rules()[Reason.PROMISE]
    if not rule.enabled:
        return 0
    today = today or timezone.localdate()
    last_due = today - timedelta(days=rule.threshold + 1)
    opened = 0
    for follow_up in FollowUp.objects.filter(status__in=OPEN_FOLLOW_UP, due_date__lte=last_due).select_related(
            "appeal", "unit"):
        if follow_up.appeal.supervision_orders.filter(reason=Reason.PROMISE,
                                                      created_at__gte=follow_up.created_at).exists():
            continue
        _order, created = open_order(follow_up.appeal, reason=Reason.PROMISE, target_unit=follow_up.unit,
                                     detail=f"{follow_up.promise[:200]} ({follow_up.due_date})", now=now)
        opened += int(created)
    return opened
