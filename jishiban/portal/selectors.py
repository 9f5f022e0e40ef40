"""What a citizen is shown about an appeal: a plain-language timeline, the official reply and
the deadline; nothing internal (no staff names, internal notes, routing reasons, other
citizens' data). Everything shown is built here, so a template cannot show more than this."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.appeals.models import Appeal, Status
from jishiban.appeals.workflow import HANDLING_STATES, OPEN_STATES
from jishiban.intake.models import Attachment
from jishiban.organisations.models import Organisation

from .services import ADD_ACTION, may_rate


@dataclass
class Step:
    at: datetime
    title: str
    detail: str = ""


@dataclass
class CitizenView:
    number: str
    received_at: datetime
    status: str  # plain words
    stage: str  # received / handling / answered / closed (for the colour)
    content: str
    address: str
    category: str
    deadline: datetime | None
    reply: str
    replied_at: datetime | None
    steps: list[Step]
    photos: int
    can_add: bool
    can_withdraw: bool
    rating_refusal: str
    satisfaction: str


STAGE = {
    Status.RECEIVED: "received", Status.RETURNED: "received", Status.DISPATCHED: "handling",
    Status.ACCEPTED: "handling", Status.EXTENSION_REQUESTED: "handling", Status.REOPENED: "handling",
    Status.REPLIED: "answered", Status.CALLBACK_DONE: "answered", Status.ANSWERED: "closed",
    Status.CLOSED: "closed", Status.MERGED: "handling", Status.INVALID: "closed", Status.WITHDRAWN: "closed",
}


def _status_words(appeal: Appeal) -> str:
    return {
        Status.RECEIVED: _("已收到，正在安排办理单位"), Status.RETURNED: _("正在重新安排办理单位"),
        Status.DISPATCHED: _("已转交办理单位"), Status.ACCEPTED: _("办理中"),
        Status.EXTENSION_REQUESTED: _("办理中"), Status.REOPENED: _("重新办理中"),
        Status.REPLIED: _("已答复，请您评价"), Status.CALLBACK_DONE: _("已答复，已评价"),
        Status.ANSWERED: _("已答复办结"), Status.CLOSED: _("已办结"), Status.MERGED: _("与相同诉求合并办理"),
        Status.INVALID: _("未予受理"), Status.WITHDRAWN: _("您已撤回"),
    }.get(appeal.status, appeal.get_status_display())


def _units(events) -> dict[str, str]:
    codes = {e.payload.get("lead_unit") for e in events if e.action == "dispatch" and isinstance(e.payload, dict)}
    return dict(Organisation.objects.filter(code__in=[c for c in codes if c]).values_list("code", "name"))


def _step(event, units: dict[str, str], extensions: dict) -> Step | None:
    a, p = event.action, event.payload if isinstance(event.payload, dict) else {}
    if a == "receive":
        return Step(event.at, _("已收到您的诉求"))
    if a == "dispatch":
        unit = units.get(p.get("lead_unit"), _("办理单位"))
        title = _("已改由 %(unit)s 办理") if p.get("redispatch") else _("已转交 %(unit)s 办理")
        return Step(event.at, title % {"unit": unit})
    if a == "accept":
        return Step(event.at, _("办理单位已签收，正在办理"))
    if a == "return":
        return Step(event.at, _("正在重新安排办理单位"))
    if a == "request-extension":
        extensions["reason"] = event.reason  # shown when (and only if) the centre approves
        return None
    if a == "decide-extension":
        if not p.get("approved"):
            return None
        new = p.get("new_deadline")
        when = timezone.localtime(datetime.fromisoformat(new)).strftime("%Y-%m-%d %H:%M") if new else ""
        return Step(event.at, _("办理时限延长至 %(when)s") % {"when": when},
                    _("延期原因：%(why)s") % {"why": extensions.get("reason", "")} if extensions.get("reason") else "")
    if a == "reply":
        return Step(event.at, _("办理单位已答复"), p.get("text") or "")
    if a == "answer":
        return Step(event.at, _("已直接答复"), p.get("text") or "")
    if a == "parent-result":
        return Step(event.at, _("随合并办理的诉求一并答复"))
    if a == "callback":
        return Step(event.at, _("已收到您的评价"))
    if a == "reopen":
        return Step(event.at, _("已安排重新办理"))
    if a == "close":
        return Step(event.at, _("已办结"))
    if a == "merge":
        return Step(event.at, _("与相同诉求合并办理"))
    if a == "invalidate":
        return Step(event.at, _("未予受理"))
    if a == "withdraw":
        return Step(event.at, _("您已撤回诉求"), event.reason)
    if a == ADD_ACTION:
        photos = len(p.get("attachments") or [])
        detail = event.reason + (_("（附照片 %(n)d 张）") % {"n": photos} if photos else "")
        return Step(event.at, _("您补充了信息"), detail)
    return None  # annotations, internal actions: not the citizen's business


def citizen_files(appeal: Appeal):
    """The files the citizen handed in: at submission (no event) and with an addition (补充). The
    units' files (replies, extension requests, notes) are the units' own."""
    return Attachment.objects.filter(Q(event__isnull=True) | Q(event__action=ADD_ACTION), appeal=appeal)


def citizen_view(appeal: Appeal, *, now=None) -> CitizenView:
    now = now or timezone.now()
    events = list(appeal.events.order_by("at", "id"))
    units, extensions, steps = _units(events), {}, []
    for event in events:
        step = _step(event, units, extensions)
        if step is not None:
            steps.append(step)
    answered = appeal.status in (Status.REPLIED, Status.CALLBACK_DONE, Status.CLOSED, Status.ANSWERED) or (
        appeal.status == Status.MERGED and bool(appeal.result_text))  # merged: the answer it follows
    return CitizenView(
        number=appeal.number, received_at=appeal.received_at, status=_status_words(appeal),
        stage=STAGE.get(appeal.status, "handling"), content=appeal.content, address=appeal.address,
        category=appeal.category.name if appeal.category_id else "",
        deadline=appeal.reply_deadline if appeal.status in HANDLING_STATES else None,
        reply=appeal.result_text if answered else "", replied_at=appeal.replied_at if answered else None,
        steps=list(reversed(steps)), photos=citizen_files(appeal).count(),
        can_add=appeal.status in OPEN_STATES, can_withdraw=appeal.status in OPEN_STATES, rating_refusal=may_rate(appeal, now=now),
        satisfaction=appeal.get_satisfaction_display() if appeal.satisfaction else "",
    )


def own_appeals(user):
    """A signed-in citizen's appeals (the access rule that exists: ``visible_to``)."""
    return Appeal.objects.visible_to(user).order_by("-received_at")[:50]
