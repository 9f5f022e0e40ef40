"""mySociety's ``servicerequestupdates`` extension: the public history of requests, from events.

Each public event of a public appeal (see ``public.public_appeals``) is one ``request_update``;
``update_id`` is the event's id, so a client that polls overlapping windows sees each update
once. Internal steps (a unit returning an appeal, extension requests, refused extensions) are
not published. A reply or direct answer says what was published of it
(``public_replies.published_text``, on the appeal's latest reply only) and nothing of the unit's
own text: before publication, and for a held-back reply, the update only says that the unit
has replied. A merged appeal's copy of its parent's answer (``parent-result``) is published
with it, as the parent's published reply.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.appeals.models import AppealEvent
from jishiban.appeals.privacy import mask_public
from jishiban.appeals.workflow import Action
from jishiban.organisations.models import Organisation
from jishiban.supervision.services.public_replies import published_text

from .formats import w3c
from .public import open311_extras, public_appeals
from .status import open311_status

PUBLIC_ACTIONS = (
    Action.RECEIVE, Action.ANSWER, Action.DISPATCH, Action.ACCEPT, Action.DECIDE_EXTENSION, Action.REPLY,
    Action.CALLBACK, Action.CLOSE, Action.REOPEN, Action.MERGE, Action.INVALIDATE, Action.PARENT_RESULT,
)


REPLY_ACTIONS = (str(Action.REPLY), str(Action.ANSWER))


def _latest_replies(appeal_ids: set[int]) -> set[int]:
    """Ids of each appeal's last reply or answer event: the one its public reply is of."""
    if not appeal_ids:
        return set()
    rows = (AppealEvent.objects.filter(appeal_id__in=appeal_ids, action__in=REPLY_ACTIONS)
            .values("appeal_id").annotate(last=Max("id")).values_list("last", flat=True))
    return set(rows)


def public_events(start: datetime, end: datetime) -> QuerySet:
    events = AppealEvent.objects.filter(
        appeal__in=public_appeals().values("pk"), action__in=[str(a) for a in PUBLIC_ACTIONS], at__gte=start, at__lte=end,
    ).exclude(action=str(Action.DECIDE_EXTENSION), payload__approved=False)
    return events.select_related("appeal__public_reply", "appeal__parent__public_reply", "actor_unit").order_by("at", "id")


def _describe(event: AppealEvent, units: dict[str, str], latest_replies: set[int]) -> str:
    appeal, payload = event.appeal, event.payload or {}
    action = event.action
    if action == Action.RECEIVE:
        return _("诉求已受理")
    if action == Action.DISPATCH:
        unit = units.get(payload.get("lead_unit") or "", "")
        return _("已转交%(unit)s办理") % {"unit": unit} if unit else _("已转交承办单位办理")
    if action == Action.ACCEPT:
        unit = event.actor_unit.name if event.actor_unit_id else _("承办单位")
        return _("%(unit)s已签收，正在办理") % {"unit": unit}
    if action == Action.DECIDE_EXTENSION:
        deadline = payload.get("new_deadline")
        when = timezone.localtime(datetime.fromisoformat(deadline)).strftime("%Y-%m-%d %H:%M") if deadline else ""
        return _("办理时限延长至 %(when)s") % {"when": when}
    if action in (Action.REPLY, Action.ANSWER):
        published = published_text(appeal) if event.pk in latest_replies else None
        return published or _("承办单位已答复，答复内容经审核后公开")
    if action == Action.CALLBACK:
        return _("已回访")
    if action == Action.CLOSE:
        return _("已办结")
    if action == Action.REOPEN:
        return _("重新办理")
    if action == Action.MERGE:
        return _("已并入诉求件 %(number)s 一并办理") % {"number": payload.get("into", "")}
    if action == Action.PARENT_RESULT:
        # the parent's answer as the public may read it: the parent's published reply
        head = (event.reason or "").split("：", 1)[0]  # "所并入的诉求件 N 已答复（…）": no personal data
        answer = published_text(appeal.parent) if appeal.parent_id else None
        if answer:
            return f"{head}：{mask_public(answer, appeal)}"
        return _("%(head)s，答复内容经审核后公开") % {"head": head}
    return _("经核实为无效诉求")


def update_records(events: list[AppealEvent]) -> list[dict]:
    codes = {(e.payload or {}).get("lead_unit") for e in events if e.action == Action.DISPATCH}
    units = dict(Organisation.objects.filter(code__in=[c for c in codes if c]).values_list("code", "name"))
    latest_replies = _latest_replies({e.appeal_id for e in events if e.action in REPLY_ACTIONS})
    tz = timezone.get_current_timezone()
    return [
        {
            "update_id": str(event.pk),
            "service_request_id": event.appeal.number,
            "status": open311_status(event.to_status),
            "updated_datetime": w3c(event.at, tz),
            "description": _describe(event, units, latest_replies),
            "media_url": (open311_extras(event.appeal).get("media_url") or None)
            if event.action == Action.RECEIVE else None,
        }
        for event in events
    ]
