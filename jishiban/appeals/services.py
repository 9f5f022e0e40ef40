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
from .errors import ActionForbidden, AppealValidationError, ConflictError
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
    after_write=None,
) -> Appeal:
    """Apply ``action`` to ``appeal`` for user ``by``; the shared core of every action below.

    ``expected_version`` is the version the caller saw (defaults to the instance's); a
    different version in the database raises ``ConflictError`` and writes nothing.
    ``after_write(appeal)`` runs inside the transaction for extra rows (e.g. co-handlers).
    """
    at = at or timezone.now()
    check_can(by, appeal, action, now=at)
    target = next_state(appeal.status, action)
    version = appeal.version if expected_version is None else expected_version
    return _write(appeal, action=action, by=by, version=version, at=at, to_status=str(target),
                  values=dict(changes or {}), reason=reason, payload=payload, after_write=after_write)


def _write(appeal: Appeal, *, action: str, by, version: int, at: datetime, values: dict, to_status: str = "",
           reason: str = "", payload: dict | None = None, after_write=None, bump: bool = True) -> Appeal:
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
    return transition(appeal, by=by, action=Action.ACCEPT, changes={"accepted_at": at}, **kw)


def return_appeal(appeal: Appeal, *, by, reason: str, not_responsible: bool = True, **kw) -> Appeal:
    """退单: back to the dispatch queue with the reason; allowed within the return window."""
    reason = _require("reason", reason, _("请填写退单理由"))
    return transition(
        appeal, by=by, action=Action.RETURN, reason=reason,
        changes={"return_count": appeal.return_count + 1, "card": Card.NONE},
        payload={"unit": appeal.lead_unit.code if appeal.lead_unit_id else None, "not_responsible": not_responsible},
        **kw,
    )


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
          follow_up_date: date | None = None, **kw) -> Appeal:
    """答复: 已解决 / 分步解决 (with a promise and a follow-up date) / 解释说明."""
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


def reopen(appeal: Appeal, *, by, reason: str, **kw) -> Appeal:
    """重办: back to the same lead unit, with fresh deadlines; counted against the unit."""
    reason = _require("reason", reason, _("请填写重办原因"))
    at = kw.get("at") or timezone.now()
    clocks = deadlines.dispatch_deadlines(appeal, at)
    changes = {"reopen_count": appeal.reopen_count + 1, "closed_at": None, "replied_at": None,
               "accepted_at": None, "satisfaction": "", "solved": None, "card": Card.NONE,
               "dispatched_at": at, **clocks}
    return transition(appeal, by=by, action=Action.REOPEN, reason=reason, changes=changes,
                      payload={"unit": appeal.lead_unit.code if appeal.lead_unit_id else None,
                               **_deadlines_payload(clocks)}, **kw)


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

    from .permissions import relation_ok

    unknown = set(changes) - ANNOTATABLE
    if unknown:
        raise ValueError(f"cannot annotate {sorted(unknown)}")
    if by is not None and (not works_the_desk(by) or not relation_ok(by, appeal, "annotate")):
        raise ActionForbidden(_("您无权修改诉求件 %(number)s 的信息") % {"number": appeal.number})
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
