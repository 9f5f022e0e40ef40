"""The one write path for the appeal workflow: a function per action.

Each function checks the transition table and the actor's rights, writes the appeal with an
optimistic-lock UPDATE (``version``), appends the ``AppealEvent`` in the same transaction and
fires ``signals``. Views and API handlers call these and never save an appeal themselves.

All functions take keyword arguments, return the updated appeal and raise
``ActionForbidden`` / ``ActionNotAllowed`` / ``AppealValidationError`` / ``ConflictError``.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.accounts.policy import dispatch_refusal
from jishiban.core import dates

from . import deadlines
from .errors import ActionForbidden, ActionNotAllowed, AppealValidationError, ConflictError
from .models import Appeal, AppealEvent, Card, ResultType, Satisfaction, Status
from .permissions import check_can
from .signals import transition_committed, transition_recorded
from .workflow import Action, next_state

MAX_REASON = 2000


def _require(field: str, value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise AppealValidationError({field: [message]})
    if len(value) > MAX_REASON and field != "text":
        raise AppealValidationError({field: [_("内容过长（最多 %(n)d 字）") % {"n": MAX_REASON}]})
    return value


def conflict(appeal: Appeal) -> ConflictError:
    current = Appeal.objects.filter(pk=appeal.pk).values_list("version", flat=True).first() or 0
    last = AppealEvent.objects.filter(appeal_id=appeal.pk).select_related("actor").order_by("-at", "-id").first()
    who = (last.actor.get_full_name() or last.actor.username) if last and last.actor else _("系统")
    what = last.action if last else ""
    when = timezone.localtime(last.at).strftime("%H:%M") if last else ""
    return ConflictError(
        _("诉求件 %(number)s 已被 %(who)s 于 %(when)s 处理（%(what)s），请刷新后重试")
        % {"number": appeal.number, "who": who, "when": when, "what": what},
        current_version=current, last_action=what, last_actor=who,
    )


def transition(
    appeal: Appeal, *, by, action: str, changes: dict | None = None, reason: str = "",
    payload: dict | None = None, expected_version: int | None = None, at: datetime | None = None,
    after_write=None, after_event=None,
) -> Appeal:
    """Apply ``action`` to ``appeal`` for user ``by``; the shared core of every action below.

    ``expected_version`` is the version the caller saw (defaults to the instance's); a
    different version in the database raises ``ConflictError`` and writes nothing.
    ``after_write(appeal)`` runs inside the transaction for extra rows (e.g. co-handlers);
    ``after_event(event)`` too, once the event is written (files that came with the action).
    """
    at = at or timezone.now()
    check_can(by, appeal, action, now=at)
    target = next_state(appeal.status, action)
    version = appeal.version if expected_version is None else expected_version
    return _write(appeal, action=action, by=by, version=version, at=at, to_status=str(target),
                  values=dict(changes or {}), reason=reason, payload=payload, after_write=after_write,
                  after_event=after_event)


def _write(appeal: Appeal, *, action: str, by, version: int, at: datetime, values: dict, to_status: str = "",
           reason: str = "", payload: dict | None = None, after_write=None, bump: bool = True,
           after_event=None) -> Appeal:
    """The one write of every change to an appeal: a conditional UPDATE on (id, version, status)
    — ``ConflictError`` and nothing written when someone else changed it first — then the event
    and ``transition_recorded`` inside the transaction, ``transition_committed`` after it.

    ``bump=False`` (background writes of fields no person acts on, see ``annotate``) checks the
    version but keeps it, so the version a person saw stays valid."""
    source = appeal.status
    target = to_status or source
    with transaction.atomic():
        updated = Appeal.objects.filter(pk=appeal.pk, version=version, status=source).update(
            status=target, updated_at=at, **({"version": F("version") + 1} if bump else {}), **values
        )
        if updated != 1:
            raise conflict(appeal)
        for field, value in values.items():
            setattr(appeal, field, value)
        appeal.status, appeal.version = target, version + int(bump)
        if after_write:
            after_write(appeal)
        event = AppealEvent.objects.create(
            appeal=appeal, action=str(action), from_status=source, to_status=target, actor=by,
            actor_unit_id=getattr(by, "organisation_id", None), reason=reason, payload=payload or {}, at=at,
        )
        if after_event:
            after_event(event)
        transition_recorded.send(sender=Appeal, appeal=appeal, event=event)
        transaction.on_commit(lambda: transition_committed.send(sender=Appeal, appeal=appeal, event=event))
    return appeal


# --- The centre's desk -------------------------------------------------------------------

def answer_directly(appeal: Appeal, *, by, text: str, knowledge: dict | None = None, **kw) -> Appeal:
    """直接办结: the operator answered on the call (policy questions, information).
    ``knowledge`` names the knowledge entry quoted (``{"entry": id, "version": n, "title": …}``);
    it is kept in the event, where the knowledge base records the use."""
    text = _require("text", text, _("请填写答复内容"))
    now = kw.get("at") or timezone.now()
    payload = {"text": text, **({"knowledge": knowledge} if knowledge else {})}
    return transition(
        appeal, by=by, action=Action.ANSWER, reason=text, payload=payload,
        changes={"result_type": ResultType.EXPLAINED, "result_text": text, "closed_at": now, "replied_at": now}, **kw,
    )


def dispatch(appeal: Appeal, *, by, lead_unit, co_units=(), note: str = "", explanation: str = "", **kw) -> Appeal:
    """派单 (or 改派 after a return): set the lead and co-handlers and start the clocks."""
    if lead_unit is None:
        raise AppealValidationError({"lead_unit": [_("请选择主办单位")]})
    if not lead_unit.is_active or lead_unit.is_centre:
        raise AppealValidationError({"lead_unit": [_("%(unit)s 不是可派单的承办单位") % {"unit": lead_unit}]})
    co_units = [u for u in co_units if u.pk != lead_unit.pk]
    at = kw.get("at") or timezone.now()
    # Who may act first (a refusal, not a field error), then where to: county staff dispatch
    # within their county and to the city units allowed (the role policy's ``dispatch_units``).
    check_can(by, appeal, Action.DISPATCH, now=at)
    refused = {field: [message] for field, units in (("lead_unit", [lead_unit]), ("co_units", co_units))
               if (message := dispatch_refusal(by, units))}
    if refused:
        raise AppealValidationError(refused)
    clocks = deadlines.dispatch_deadlines(appeal, at)
    changes = {"lead_unit": lead_unit, "dispatched_at": at, "accepted_at": None, "card": Card.NONE, **clocks}
    redispatch = appeal.status != Status.RECEIVED
    return transition(
        appeal, by=by, action=Action.DISPATCH, changes=changes, reason=note,
        payload={"lead_unit": lead_unit.code, "co_units": [u.code for u in co_units],
                 "redispatch": redispatch, "explanation": explanation, **_deadlines_payload(clocks)},
        after_write=lambda a: a.co_units.set(co_units), **kw,
    )


def merge(appeal: Appeal, *, by, into: Appeal, reason: str = "", **kw) -> Appeal:
    """并单: ``appeal`` follows ``into``'s handling from now on."""
    if into is None or into.pk == appeal.pk:
        raise AppealValidationError({"into": [_("请选择要并入的另一件诉求")]})
    if into.status in (Status.MERGED, Status.INVALID):
        raise AppealValidationError({"into": [_("不能并入已并单或无效的诉求件 %(n)s") % {"n": into.number}]})
    with transaction.atomic():
        child = transition(
            appeal, by=by, action=Action.MERGE, changes={"parent": into}, reason=reason,
            payload={"into": into.number}, **kw,
        )
        parent = Appeal.objects.select_related("channel").get(pk=into.pk)
        answer = _standing_result(parent)
        if answer is not None:  # a late merge hears the answer at once, not never
            child = record_parent_result(child, parent=parent, event=answer, at=kw.get("at") or timezone.now())
    return child


# A parent in one of these states has an answer its merged appeals must carry.
ANSWERED_STATES = (Status.ANSWERED, Status.REPLIED, Status.CALLBACK_DONE, Status.CLOSED)


def _standing_result(parent: Appeal) -> AppealEvent | None:
    """The event that gave ``parent`` the result it stands on (its last reply, direct answer or
    close), or None when it has none yet."""
    if parent.status not in ANSWERED_STATES:
        return None
    return (parent.events.filter(action__in=[Action.REPLY, Action.ANSWER, Action.CLOSE])
            .order_by("-at", "-id").first())


def invalidate(appeal: Appeal, *, by, reason: str, **kw) -> Appeal:
    reason = _require("reason", reason, _("请填写无效原因"))
    return transition(appeal, by=by, action=Action.INVALIDATE, reason=reason, **kw)


# --- The handling unit ---------------------------------------------------------------------

def accept(appeal: Appeal, *, by, **kw) -> Appeal:
    """签收."""
    at = kw.get("at") or timezone.now()
    # A unit signing again after its return was rejected keeps the first sign-off of the cycle.
    return transition(appeal, by=by, action=Action.ACCEPT, changes={"accepted_at": appeal.accepted_at or at}, **kw)


def request_extension(appeal: Appeal, *, by, new_deadline: datetime, reason: str, **kw) -> Appeal:
    """延期申请: a new reply deadline at most 10 working days after the current one."""
    reason = _require("reason", reason, _("请填写延期理由"))
    errors = []
    if not isinstance(new_deadline, datetime) or timezone.is_naive(new_deadline):
        errors.append(_("请填写有效的新时限"))
    elif appeal.reply_deadline and new_deadline <= appeal.reply_deadline:
        errors.append(_("新时限须晚于当前时限"))
    elif appeal.reply_deadline and new_deadline > deadlines.extension_limit(appeal):
        errors.append(_("延期不得超过 %(n)d 个工作日") % {"n": deadlines.settings.JISHIBAN["MAX_EXTENSION_DAYS"]})
    elif (offer := deadlines.working_offer(appeal, new_deadline)) is not None:
        errors.append(_("新时限 %(asked)s 不在工作时间（休息日或下班后），单位无法在此时答复；"
                        "最近的工作时间为 %(offer)s，可改为该时限") % {
            "asked": dates.when(new_deadline), "offer": dates.when(offer)})
    if errors:
        raise AppealValidationError({"new_deadline": errors})
    return transition(
        appeal, by=by, action=Action.REQUEST_EXTENSION, reason=reason,
        payload={"new_deadline": new_deadline.isoformat(), "old_deadline": _iso(appeal.reply_deadline)}, **kw,
    )


def decide_extension(appeal: Appeal, *, by, approve: bool, reason: str = "", **kw) -> Appeal:
    """The centre approves (the deadline and the cards move) or refuses an extension."""
    request = appeal.events.filter(action=Action.REQUEST_EXTENSION).order_by("-at", "-id").first()
    changes = {}
    payload = {"approved": bool(approve)}
    if approve and request:
        new_deadline = datetime.fromisoformat(request.payload["new_deadline"])
        policy = deadlines.policy_for(appeal)
        changes = {"reply_deadline": new_deadline, "card": Card.NONE,
                   "yellow_at": deadlines.yellow_for(new_deadline, policy, kw.get("at") or timezone.now())}
        payload["new_deadline"] = new_deadline.isoformat()
    elif not approve:
        reason = _require("reason", reason, _("请填写不同意延期的理由"))
    return transition(appeal, by=by, action=Action.DECIDE_EXTENSION, changes=changes, reason=reason,
                      payload=payload, **kw)


def reply(appeal: Appeal, *, by, result_type: str, text: str, promise: str = "",
          follow_up_date: date | None = None, include_co_parts: bool = False, **kw) -> Appeal:
    """答复: 已解决 / 分步解决 (with a promise and a follow-up date) / 解释说明.

    Allowed while an extension request is pending: the reply moots it (the event's payload says
    ``extension_dropped`` with the deadline asked for; the reply deadline stays the one in force).
    The co-handlers' parts of this handling cycle are named in the payload (``co_parts``: units
    that answered and units that did not); ``include_co_parts`` appends their texts to the reply."""
    errors: dict[str, list[str]] = {}
    if result_type not in ResultType.values:
        errors["result_type"] = [_("请选择办理结果")]
    if not (text or "").strip():
        errors["text"] = [_("请填写答复内容")]
    if result_type == ResultType.STEPWISE:
        if not (promise or "").strip():
            errors["promise"] = [_("分步解决须填写承诺事项")]
        if not isinstance(follow_up_date, date):
            errors["follow_up_date"] = [_("分步解决须填写跟进日期")]
        elif follow_up_date <= timezone.localdate(kw.get("at") or timezone.now()):
            errors["follow_up_date"] = [_("跟进日期须晚于今天")]
    if errors:
        raise AppealValidationError(errors)
    at = kw.get("at") or timezone.now()
    changes = {"result_type": result_type, "result_text": text.strip(), "replied_at": at, "card": Card.NONE,
               "promise": (promise or "").strip() if result_type == ResultType.STEPWISE else "",
               "follow_up_date": follow_up_date if result_type == ResultType.STEPWISE else None}
    payload = {"result_type": result_type, "text": text.strip(), "promise": changes["promise"],
               "follow_up_date": follow_up_date.isoformat() if changes["follow_up_date"] else None,
               "on_time": bool(appeal.reply_deadline is None or at <= appeal.reply_deadline)}
    parts = co_parts(appeal)
    if parts["units"]:
        payload["co_parts"] = {"answered": [u.code for u in parts["units"] if parts["by_unit"].get(u.pk)],
                               "missing": [u.code for u in parts["missing"]]}
        if include_co_parts and parts["events"]:
            lines = [_("协办单位意见：")] + [f"{e.actor_unit}：{e.reason}" for e in parts["events"]]
            changes["result_text"] = payload["text"] = changes["result_text"] + "\n\n" + "\n".join(lines)
            payload["co_parts"]["included"] = [e.pk for e in parts["events"]]
    if appeal.status == Status.EXTENSION_REQUESTED:
        ask = appeal.events.filter(action=Action.REQUEST_EXTENSION).order_by("-at", "-id").first()
        payload["extension_dropped"] = {"asked": (ask.payload or {}).get("new_deadline") if ask else None}
    return transition(appeal, by=by, action=Action.REPLY, changes=changes, payload=payload, **kw)


# --- Callback, closing and reopening ------------------------------------------------------------

def callback(appeal: Appeal, *, by, satisfaction: str, solved: bool, comment: str = "",
             origin: dict | None = None, **kw) -> Appeal:
    """回访: the citizen's verdict on the reply. ``origin`` records how it was taken (phone,
    a citizen's link with its IP …) on the event."""
    errors = {}
    if satisfaction not in Satisfaction.values:
        errors["satisfaction"] = [_("请选择满意度")]
    if not isinstance(solved, bool):
        errors["solved"] = [_("请选择是否解决")]
    if errors:
        raise AppealValidationError(errors)
    return transition(
        appeal, by=by, action=Action.CALLBACK, reason=comment,
        changes={"satisfaction": satisfaction, "solved": solved},
        payload={"satisfaction": satisfaction, "solved": solved, **({"origin": origin} if origin else {})}, **kw,
    )


def close(appeal: Appeal, *, by, reason: str = "", **kw) -> Appeal:
    """办结. Closing without a callback (e.g. citizen unreachable) needs a reason."""
    if appeal.status == Status.REPLIED:
        reason = _require("reason", reason, _("未回访直接办结须说明原因"))
    at = kw.get("at") or timezone.now()
    return transition(appeal, by=by, action=Action.CLOSE, reason=reason, changes={"closed_at": at},
                      payload={"without_callback": appeal.status == Status.REPLIED}, **kw)


def previous_reply(appeal: Appeal) -> dict | None:
    """The reply a reopening moves out of "current" (kept in the reopen event's payload): the
    result, text and promise the appeal showed and the round (1, 2, …) it belonged to."""
    if not (appeal.result_type or appeal.result_text):
        return None
    return {"round": appeal.reopen_count + 1, "result_type": appeal.result_type,
            "text": appeal.result_text, "promise": appeal.promise,
            "follow_up_date": appeal.follow_up_date.isoformat() if appeal.follow_up_date else None,
            "replied_at": _iso(appeal.replied_at), "satisfaction": appeal.satisfaction, "solved": appeal.solved}


def _reopen_changes(appeal: Appeal, at: datetime) -> tuple[dict, dict]:
    """A reopening starts a new round: fresh deadlines, and the last round's reply, promise and
    verdict leave the appeal's "current" fields (the events keep them; the reopen event names
    them as ``previous_reply``), so no page or API shows the old answer as this round's."""
    clocks = deadlines.dispatch_deadlines(appeal, at)
    changes = {"reopen_count": appeal.reopen_count + 1, "closed_at": None, "replied_at": None,
               "accepted_at": None, "satisfaction": "", "solved": None, "card": Card.NONE,
               "result_type": "", "result_text": "", "promise": "", "follow_up_date": None,
               "dispatched_at": at, **clocks}
    payload = {"unit": appeal.lead_unit.code if appeal.lead_unit_id else None, **_deadlines_payload(clocks)}
    earlier = previous_reply(appeal)
    if earlier:
        payload["previous_reply"] = earlier
    return changes, payload


def reopen(appeal: Appeal, *, by, reason: str, **kw) -> Appeal:
    """重办: back to the same lead unit, with fresh deadlines; counted against the unit."""
    reason = _require("reason", reason, _("请填写重办原因"))
    at = kw.get("at") or timezone.now()
    changes, payload = _reopen_changes(appeal, at)
    return transition(appeal, by=by, action=Action.REOPEN, reason=reason, changes=changes, payload=payload, **kw)


def reopen_on_verification(appeal: Appeal, *, by, reason: str, at: datetime | None = None,
                           payload: dict | None = None) -> Appeal:
    """重办 because the grid worker's on-site verification (核查) of the unit's result failed: the
    same 重办 as ``reopen`` (same unit, fresh deadlines, counted), the worker as its actor. The grid
    service has checked that ``by`` works the grid the appeal came from, so the desk roles' rule
    for ``reopen`` does not apply; the workflow table still does (``TransitionError`` otherwise)."""
    reason = _require("reason", reason, _("请填写重办原因"))
    at = at or timezone.now()
    target = next_state(appeal.status, Action.REOPEN)
    changes, extra = _reopen_changes(appeal, at)
    return _write(appeal, action=Action.REOPEN, by=by, version=appeal.version, at=at, to_status=str(target),
                  values=changes, reason=reason, payload={**extra, "verification": True, **(payload or {})})


def _deadlines_payload(clocks: dict) -> dict:
    """The deadlines a dispatch or reopening set, kept in its event: the figures judge each
    handling cycle by the deadlines it really had, not by the policy applied again later."""
    return {key: _iso(clocks.get(key)) for key in ("sign_deadline", "reply_deadline")}


def withdraw(appeal: Appeal, *, by, reason: str = "", origin: dict | None = None, **kw) -> Appeal:
    """撤回: the citizen takes back an appeal that is not answered yet (final; counted as withdrawn,
    not as invalid). ``origin`` records how it was asked for (the portal, a call) on the event;
    the lead unit hears of it through supervision's reaction to the transition."""
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise AppealValidationError({"reason": [_("内容过长（最多 %(n)d 字）") % {"n": MAX_REASON}]})
    at = kw.get("at") or timezone.now()
    return transition(appeal, by=by, action=Action.WITHDRAW, reason=reason,
                      changes={"closed_at": at, "card": Card.NONE},
                      payload={"unit": appeal.lead_unit.code if appeal.lead_unit_id else None,
                               **({"origin": origin} if origin else {})}, **kw)


def _iso(value):
    return value.isoformat() if value else None


def add_citizen_information(appeal: Appeal, *, action: str, text: str, attachments: list[int], via: str,
                            at: datetime | None = None) -> AppealEvent:
    """补充信息: the citizen adds words or photos to an open appeal. An event on the appeal; its
    state, fields and version stay as they are (nobody's action on it conflicts). The caller
    (the portal, an Open311 comment) has checked that the appeal is open and who the citizen is."""
    return AppealEvent.objects.create(appeal=appeal, action=action, from_status=appeal.status,
                                      to_status=appeal.status, reason=text,
                                      payload={"attachments": attachments, "via": via}, at=at or timezone.now())


GRID_REPORT = "grid-report"


def add_grid_report(appeal: Appeal, *, by, text: str, payload: dict, at: datetime | None = None) -> AppealEvent:
    """网格员现场反馈: what a grid worker found and did on a task the appeal gave them (on-site
    verification, help, a 未诉先办 visit, the check of a unit's result), with their photos in
    ``payload``. An event on the appeal; its state, fields and version stay as they are. The grid
    service has checked that the task is the worker's."""
    return AppealEvent.objects.create(appeal=appeal, action=GRID_REPORT, from_status=appeal.status,
                                      to_status=appeal.status, actor=by, actor_unit_id=getattr(by, "organisation_id", None),
                                      reason=text, payload=payload, at=at or timezone.now())


def refresh_cards(now: datetime | None = None) -> dict[str, int]:
    """Store the yellow/red card of every appeal a unit holds (``figures.card_q``, the one
    definition; pages and the API compute it live, the stored column drives the card alerts);
    returns counts changed."""
    from .figures import HANDLING, card_q

    now = now or timezone.now()
    red = Appeal.objects.filter(card_q(Card.RED, now)).exclude(card=Card.RED).update(card=Card.RED)
    yellow = Appeal.objects.filter(card_q(Card.YELLOW, now)).exclude(card=Card.YELLOW).update(card=Card.YELLOW)
    cleared = Appeal.objects.exclude(card=Card.NONE).exclude(status__in=HANDLING).update(card=Card.NONE)
    cleared += Appeal.objects.filter(card_q(Card.NONE, now)).exclude(card=Card.NONE).update(card=Card.NONE)
    return {"red": red, "yellow": yellow, "cleared": cleared}


# --- Annotations (no change of state) ------------------------------------------------------

ANNOTATABLE = frozenset({"tags", "urgent", "county", "town", "grid", "category", "appeal_type", "confidential"})
# Fields no person's action depends on: a system write of only these keeps the version, so a
# smart-help job never makes a person's action conflict (409).
BACKGROUND_FIELDS = frozenset({"tags"})


def annotate(appeal: Appeal, *, by=None, reason: str = "", at: datetime | None = None,
             expected_version: int | None = None, **changes) -> Appeal:
    """Record facts about an appeal without changing its state: tags (e.g. ``risk:threat``,
    ``repeat``), urgency, region, category or type — from smart help, an operator's
    correction or a supervisor.

    ``by=None`` means the system (smart help); people must be allowed to see the appeal and be
    centre or county staff. Writes an ``annotate`` event with the old and new values, bumps the
    version (optimistic lock as for transitions) and returns the appeal. A system write of
    ``BACKGROUND_FIELDS`` only (smart help's tags) keeps the version. Tags are added to the
    stored ones (read afresh, so a stale instance never drops a tag). Unchanged values are
    skipped; nothing to change writes nothing.
    """
    from jishiban.accounts.policy import works_the_desk

    from .creation import not_a_grid
    from .permissions import relation_ok

    unknown = set(changes) - ANNOTATABLE
    if unknown:
        raise ValueError(f"cannot annotate {sorted(unknown)}")
    if by is not None and (not works_the_desk(by) or not relation_ok(by, appeal, "annotate")):
        raise ActionForbidden(_("您无权修改诉求件 %(number)s 的信息") % {"number": appeal.number})
    if refusal := not_a_grid(changes.get("grid")):
        raise AppealValidationError({"grid": [refusal]})
    at = at or timezone.now()
    diff = {}
    for field, value in changes.items():
        old = getattr(appeal, field)
        if field == "tags":
            old = Appeal.objects.filter(pk=appeal.pk).values_list("tags", flat=True).first()
            value = sorted(set(old or []) | set(value or []))
        if value != old:
            diff[field] = (old, value)
    if not diff:
        return appeal
    version = appeal.version if expected_version is None else expected_version
    return _write(appeal, action="annotate", by=by, version=version, at=at,
                  values={field: new for field, (_old, new) in diff.items()}, reason=reason,
                  payload={field: {"old": _plain(old), "new": _plain(new)} for field, (old, new) in diff.items()},
                  bump=not (by is None and set(diff) <= BACKGROUND_FIELDS))


def record_parent_result(child: Appeal, *, parent: Appeal, event: AppealEvent, at: datetime | None = None) -> Appeal:
    """并单件随主件答复: a merged ``child`` takes the reply, direct answer or close of the appeal it
    was merged into. Its result fields become the parent's and it gets a ``parent_result`` event
    of its own (the state stays ``merged``), recorded like a transition, so what hangs on
    results — the push back to the child's channel (``intake.outbox``) — reaches its citizen
    too. A system action: no actor, no permission check; called inside the parent's transaction
    (or the late merge's: then ``at`` is the merge's time, after ``event``)."""
    if child.status != Status.MERGED or child.parent_id != parent.pk:
        raise ValueError(f"{child.number} is not merged into {parent.number}")
    text = parent.result_text or (event.payload or {}).get("text") or ""
    words = {Action.REPLY: _("已答复"), Action.ANSWER: _("已直接办结"), Action.CLOSE: _("已办结")}
    head = _("所并入的诉求件 %(n)s %(what)s") % {"n": parent.number, "what": words.get(event.action, event.action)}
    if parent.result_type:
        head += f"（{parent.get_result_type_display()}）"
    return _write(child, action=Action.PARENT_RESULT, by=None, version=child.version, at=at or event.at,
                  values={"result_type": parent.result_type, "result_text": parent.result_text},
                  reason=f"{head}：{text}" if text else head,
                  payload={"parent": parent.number, "parent_event": event.pk, "parent_action": str(event.action)})


def _plain(value):
    """A JSON-friendly form of a field value for the event payload."""
    if hasattr(value, "code"):
        return value.code
    if hasattr(value, "pk"):
        return value.pk
    return value


# --- Notes of the handling units (no change of state) --------------------------------------------

NOTE = "note"  # 办理备注: the lead unit adds words or files while handling
CO_PART = "co-part"  # 协办意见: a co-handling unit's own part of the answer
UNIT_NOTE_ACTIONS = (NOTE, CO_PART)


def add_unit_note(appeal: Appeal, *, by, text: str, at: datetime | None = None, after_event=None) -> AppealEvent:
    """A handling unit's note on an appeal it holds: ``co-part`` from a co-handling unit, ``note``
    from the lead unit (while an extension request is pending too). An event on the appeal; its
    state, fields and version stay. ``after_event(event)`` runs in the same transaction (files).
    Raises ``ActionForbidden`` (not this unit's appeal, or not a unit's staff),
    ``ActionNotAllowed`` (nobody is handling it now) or ``AppealValidationError``."""
    from .permissions import unit_note_action

    text = _require("text", text, _("请填写意见内容"))
    action = unit_note_action(by, appeal)
    with transaction.atomic():
        event = AppealEvent.objects.create(
            appeal=appeal, action=action, from_status=appeal.status, to_status=appeal.status, actor=by,
            actor_unit_id=by.organisation_id, reason=text, payload={}, at=at or timezone.now())
        if after_event:
            after_event(event)
    return event


def co_parts(appeal: Appeal) -> dict:
    """The co-handlers' parts of the current handling cycle (since the last dispatch or reopening):
    ``{"units": co-units, "events": co-part events, "by_unit": {unit id: [events]}, "missing": units
    without a part}``."""
    units = list(appeal.co_units.order_by("code"))
    start = (appeal.events.filter(action__in=[Action.DISPATCH, Action.REOPEN]).order_by("-at", "-id")
             .values_list("at", flat=True).first())
    events = list(appeal.events.filter(action=CO_PART, **({"at__gte": start} if start else {}))
                  .select_related("actor_unit", "actor").order_by("at", "id")) if units else []
    by_unit: dict[int, list] = {}
    for event in events:
        by_unit.setdefault(event.actor_unit_id, []).append(event)
    return {"units": units, "events": events, "by_unit": by_unit,
            "missing": [u for u in units if u.pk not in by_unit]}


def attach_citizen_account(appeal: Appeal, *, user, reason: str = "", at: datetime | None = None) -> Appeal:
    """An appeal handed in without an account joins the account of the citizen who has since
    proved its phone number and confirmed it is theirs (the portal's rule, ``portal/claims.py``).
    An ``attach-account`` event records it; the version a person saw stays valid (no one's action
    depends on the account). Raises ``ActionNotAllowed`` when the appeal already has an account."""
    if appeal.citizen_user_id:
        raise ActionNotAllowed(_("诉求件 %(number)s 已关联账号") % {"number": appeal.number})
    return _write(appeal, action="attach-account", by=user, version=appeal.version, at=at or timezone.now(),
                  values={"citizen_user": user}, reason=reason, payload={"via": "portal-sign-in"}, bump=False)


# --- 退单审核: a unit's return request, reviewed by the centre --------------------------------

def _return_request(appeal: Appeal) -> AppealEvent | None:
    return appeal.events.filter(action=Action.REQUEST_RETURN).order_by("-at", "-id").first()


def request_return(appeal: Appeal, *, by, reason: str, not_responsible: bool = True, **kw) -> Appeal:
    """申请退单: the unit asks to give the appeal back (within the return window); the centre's
    desk reviews it (``approve_return`` / ``reject_return``); the unit's clock runs meanwhile."""
    reason = _require("reason", reason, _("请填写退单理由"))
    return transition(appeal, by=by, action=Action.REQUEST_RETURN, reason=reason,
                      payload={"unit": appeal.lead_unit.code if appeal.lead_unit_id else None,
                               "not_responsible": not_responsible}, **kw)


def approve_return(appeal: Appeal, *, by, note: str = "", **kw) -> Appeal:
    """退单审核通过: the return itself (the ``return`` event, with the unit's reason), back to the
    dispatch queue."""
    request = _return_request(appeal)
    asked = request.payload if request else {}
    payload = {"unit": asked.get("unit") or (appeal.lead_unit.code if appeal.lead_unit_id else None),
               "not_responsible": bool(asked.get("not_responsible", True)),
               "requested_at": _iso(request.at) if request else None, "reviewed": True,
               "review_note": (note or "").strip()}
    return transition(appeal, by=by, action=Action.RETURN, reason=request.reason if request else (note or ""),
                      changes={"return_count": appeal.return_count + 1, "card": Card.NONE}, payload=payload, **kw)


def reject_return(appeal: Appeal, *, by, reason: str, **kw) -> Appeal:
    """退单审核驳回: the return is judged unjustified; the appeal goes back to the unit (to sign
    and handle) with the reviewer's reason. Counted against the unit (``return_rejected``)."""
    reason = _require("reason", reason, _("请填写驳回理由"))
    request = _return_request(appeal)
    return transition(appeal, by=by, action=Action.REJECT_RETURN, reason=reason,
                      payload={"unit": appeal.lead_unit.code if appeal.lead_unit_id else None,
                               "requested_at": _iso(request.at) if request else None}, **kw)
