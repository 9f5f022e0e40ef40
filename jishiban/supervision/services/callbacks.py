"""Callbacks (回访) after a reply, by the centre's phone or the citizen's signed link; the
supervisor's decision on a dissatisfied or unsolved verdict; unreachable closures.

The verdict itself is always written by ``jishiban.appeals.services.callback``; this module
keeps the task around it (tries, link, origin, decision).
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.appeals import services as appeal_services
from jishiban.appeals.errors import ActionForbidden, ActionNotAllowed, AppealValidationError
from jishiban.appeals.models import Appeal, Satisfaction
from jishiban.appeals.permissions import check_can

from .. import access, links
from ..models import (
    FAILED_OUTCOMES,
    CallbackAttempt,
    CallbackMode,
    CallbackStatus,
    CallbackTask,
    Decision,
    DissatisfiedScheme,
    Kind,
    Outcome,
    Preferences,
    Reason,
)
from ..notifications import centre_staff, notify
from .common import optional, require, system_user

SALT = "jishiban.supervision.callback-link"
logger = logging.getLogger("jishiban.supervision")


class LinkInvalid(Exception):
    """The citizen's link is forged, expired or no longer points to a task."""


def choose_mode(appeal) -> str:
    """Phone-channel appeals are called back by the centre; others get a link if we can reach
    the citizen (an account or a mobile number), else the centre calls."""
    if appeal.channel.kind == "phone" or appeal.anonymous:
        return CallbackMode.PHONE
    if appeal.citizen_user_id or appeal.citizen_phone:
        return CallbackMode.LINK
    return CallbackMode.PHONE


def ensure_task(appeal, *, now=None) -> tuple[CallbackTask, bool]:
    """The callback task of ``appeal``'s current reply round, created (and the link sent) once."""
    now = now or timezone.now()
    task, created = CallbackTask.objects.get_or_create(
        appeal=appeal, round=appeal.reopen_count,
        defaults={"mode": choose_mode(appeal), "created_at": now, "link_nonce": secrets.token_hex(8)},
    )
    if created and task.mode == CallbackMode.LINK:
        send_link(task, by=None, now=now)
    return task, created


def backfill_tasks(*, now=None) -> int:
    """The callback task of every replied appeal that has none for its round (a reply written
    without the workflow's reactions: an import, the demo's history, a reaction that failed), so
    the callback list holds every replied appeal. Returns how many were made."""
    from django.db.models import Exists, OuterRef

    now = now or timezone.now()
    missing = Appeal.objects.filter(status="replied").exclude(
        Exists(CallbackTask.objects.filter(appeal=OuterRef("pk"), round=OuterRef("reopen_count"))))
    created = 0
    for appeal in missing.select_related("channel"):
        try:
            with transaction.atomic():
                created += int(ensure_task(appeal, now=now)[1])
        except Exception:  # one appeal's trouble must not stop the others; the next sweep retries
            logger.exception("could not create the callback task of appeal %s", appeal.pk)
    return created


# --- the citizen's link --------------------------------------------------------------------------

def link_token(task) -> str:
    return signing.dumps({"t": task.pk, "n": task.link_nonce}, salt=SALT, compress=True)


def link_url(task) -> str:
    path = reverse("supervision:public_callback", args=[link_token(task)])
    base = Preferences.current().public_base_url or getattr(settings, "JISHIBAN", {}).get("BASE_URL", "")
    return (base or "").rstrip("/") + path


def task_for_token(token: str) -> CallbackTask:
    days = Preferences.current().callback_link_days
    try:
        data = signing.loads(token, salt=SALT, max_age=timedelta(days=days))
    except signing.SignatureExpired:
        raise LinkInvalid(_("评价链接已过期，请拨打 12345 反映意见"))
    except signing.BadSignature:
        raise LinkInvalid(_("评价链接无效"))
    task = (CallbackTask.objects.select_related("appeal", "appeal__channel")
            .filter(pk=data.get("t"), link_nonce=data.get("n")).first() if isinstance(data, dict) else None)
    if task is None:
        raise LinkInvalid(_("评价链接无效"))
    return task


def send_link(task, *, by=None, now=None):
    """Text the citizen a link to rate the reply (SMS through the transports, in-app if they
    have an account). ``by=None`` is the automatic send after the reply."""
    now = now or timezone.now()
    if by is not None:
        _require_desk(by, task)
    if task.status != CallbackStatus.PENDING:
        raise ActionNotAllowed(_("该回访任务已结束"))
    appeal = task.appeal
    if not appeal.citizen_phone and not appeal.citizen_user_id:
        raise AppealValidationError({"phone": [_("诉求人没有留下手机号，无法发送评价链接")]})
    url = link_url(task)
    with transaction.atomic():
        notify(Kind.CALLBACK_LINK,
               _("【济时办】您反映的诉求（编号 %(number)s）已办理答复，请点击链接评价：%(url)s")
               % {"number": appeal.number, "url": url},
               contacts=[(appeal.citizen_user, appeal.citizen_phone, "")], appeal=appeal, url=url, now=now)
        CallbackAttempt.objects.create(task=task, at=now, outcome=Outcome.LINK_SENT, by=by)
        CallbackTask.objects.filter(pk=task.pk).update(link_sent_at=now)
        task.link_sent_at = now
    return url


def submit_link(token: str, *, satisfaction: str, solved, comment: str = "", origin: dict | None = None,
                now=None) -> CallbackTask:
    """The citizen's verdict through the link, without logging in: recorded as the citizen's
    own account when there is one, else as the system account, with the origin kept on the task."""
    now = now or timezone.now()
    task = task_for_token(token)
    if task.status != CallbackStatus.PENDING:
        raise ActionNotAllowed(_("您已完成评价，感谢您的反馈"))
    appeal = Appeal.objects.get(pk=task.appeal_id)
    citizen = appeal.citizen_user
    actor = citizen if citizen is not None and citizen.is_active else system_user()
    comment = optional("comment", comment, limit=1000)
    with transaction.atomic():
        appeal_services.callback(appeal, by=actor, satisfaction=satisfaction, solved=solved, comment=comment, at=now)
        detail = {"via": "link", "actor": actor.username, **(origin or {})}
        CallbackTask.objects.filter(pk=task.pk).update(origin="link", origin_detail=detail)
    task.refresh_from_db()
    return task


# --- the centre's phone --------------------------------------------------------------------------

def _require_desk(by, task):
    if not access.may_call_back(by) or not Appeal.objects.visible_to(by).filter(pk=task.appeal_id).exists():
        raise ActionForbidden(_("您无权处理该回访任务"))


def record_attempt(task, *, by, outcome: str, note: str = "", now=None) -> CallbackTask:
    """A call that did not reach the citizen. After ``Preferences.callback_max_tries`` failed
    tries the appeal is closed as unreachable (无法回访), counted separately."""
    now = now or timezone.now()
    _require_desk(by, task)
    if outcome not in FAILED_OUTCOMES:
        raise AppealValidationError({"outcome": [_("请选择未接通的原因")]})
    if task.status != CallbackStatus.PENDING:
        raise ActionNotAllowed(_("该回访任务已结束"))
    max_tries = Preferences.current().callback_max_tries
    with transaction.atomic():
        CallbackAttempt.objects.create(task=task, at=now, outcome=outcome, note=optional("note", note, limit=300),
                                       by=by)
        failures = task.attempts.filter(outcome__in=FAILED_OUTCOMES).count()
        if failures >= max_tries:
            _close_unreachable(task, by, failures, now)
    task.refresh_from_db()
    return task


def _close_unreachable(task, by, failures: int, now) -> None:
    appeal = Appeal.objects.get(pk=task.appeal_id)
    if appeal.status != "replied":
        return  # already called back or closed by another path
    try:
        check_can(by, appeal, "close", now=now)
        closer = by
    except ActionForbidden:
        closer = system_user()  # operators call back but may not close
    if CallbackTask.objects.filter(pk=task.pk, status=CallbackStatus.PENDING).update(
            status=CallbackStatus.UNREACHABLE, done_at=now, done_by=by, origin="phone",
            origin_detail={"failed_tries": failures}) != 1:
        return
    appeal_services.close(appeal, by=closer, at=now,
                          reason=_("回访 %(n)d 次均未接通，按无法回访办结") % {"n": failures})


def record_result(task, *, by, satisfaction: str, solved, comment: str = "", now=None,
                  expected_version: int | None = None, close_after: bool = False) -> CallbackTask:
    """The citizen answered the phone: record the try and the verdict. With ``expected_version``
    (the appeal's version the caller saw) a stale verdict raises ``ConflictError``. With
    ``close_after`` a satisfied and solved verdict also closes the appeal (``close_if_settled``)."""
    now = now or timezone.now()
    _require_desk(by, task)
    if task.status != CallbackStatus.PENDING:
        raise ActionNotAllowed(_("该回访任务已结束"))
    appeal = Appeal.objects.get(pk=task.appeal_id)
    with transaction.atomic():
        appeal = appeal_services.callback(appeal, by=by, satisfaction=satisfaction, solved=solved,
                                          comment=optional("comment", comment, limit=1000), at=now,
                                          expected_version=expected_version)
        CallbackAttempt.objects.create(task=task, at=now, outcome=Outcome.ANSWERED, by=by)
        CallbackTask.objects.filter(pk=task.pk).update(origin="phone")
        if close_after:
            close_if_settled(appeal, by=by, now=now)
    task.refresh_from_db()
    return task


def close_if_settled(appeal, *, by, now=None):
    """办结 a called-back appeal whose citizen is satisfied and whose problem is solved, when
    ``by`` may close it (an operator calls back but leaves the closing to the centre).
    Returns the appeal, closed or not."""
    if not appeal.solved or appeal.satisfaction == Satisfaction.DISSATISFIED:
        return appeal
    try:
        check_can(by, appeal, "close", now=now)
    except (ActionForbidden, ActionNotAllowed):
        return appeal
    return appeal_services.close(appeal, by=by, reason=_("回访满意，办结"), at=now)


# --- the supervisor's decision ------------------------------------------------------------------------

def decide(task, *, by, decision: str, reason: str, level: str | None = None, deadline_days=None,
           now=None, expected_version: int | None = None) -> CallbackTask:
    """Dissatisfied or unsolved: 重办 (same unit, counted), 督办 (an order), or close with a reason.
    With ``expected_version`` (the appeal's version the caller saw) a decision on a changed
    appeal raises ``ConflictError`` and changes nothing."""
    from .orders import open_order

    now = now or timezone.now()
    appeal = Appeal.objects.get(pk=task.appeal_id)
    if not access.may_manage_appeal(by, appeal):
        raise ActionForbidden(_("您无权处理诉求件 %(number)s 的回访结果") % {"number": appeal.number})
    if expected_version is not None and appeal.version != expected_version:
        raise appeal_services.conflict(appeal)
    if not task.needs_decision:
        raise ActionNotAllowed(_("该回访结果无需处理或已处理"))
    if decision not in (Decision.REOPEN, Decision.ORDER, Decision.CLOSE):
        raise AppealValidationError({"decision": [_("请选择处理方式")]})
    reason = require("reason", reason, _("请填写处理说明"))
    with transaction.atomic():
        if decision == Decision.REOPEN:
            appeal_services.reopen(appeal, by=by, reason=reason, at=now)
        elif decision == Decision.CLOSE:
            appeal_services.close(appeal, by=by, reason=reason, at=now)
        else:
            open_order(appeal, reason=Reason.DISSATISFIED, by=by, requirement=reason, level=level,
                       deadline_days=deadline_days, now=now)
        CallbackTask.objects.filter(pk=task.pk).update(decision=decision, decision_reason=reason, decided_by=by,
                                                       decided_at=now)
    task.refresh_from_db()
    return task


# --- reactions to the workflow (called from receivers) -------------------------------------------------

def on_callback(appeal, event) -> None:
    """Whoever recorded the verdict (this module, the workbench, the API), the task follows."""
    task, _created = CallbackTask.objects.get_or_create(
        appeal=appeal, round=appeal.reopen_count,
        defaults={"mode": CallbackMode.PHONE, "created_at": event.at, "link_nonce": secrets.token_hex(8)},
    )
    CallbackTask.objects.filter(pk=task.pk, status=CallbackStatus.PENDING).update(
        status=CallbackStatus.DONE, done_at=event.at, done_by=event.actor, origin="workflow",
        satisfaction=appeal.satisfaction, solved=appeal.solved, comment=event.reason,
    )
    if (appeal.satisfaction == "dissatisfied" or appeal.solved is False) and not reopens_at_once():
        notify(Kind.CALLBACK_REVIEW,
               _("诉求件 %(number)s 回访结果为不满意或未解决，请决定重办、督办或说明后办结") % {"number": appeal.number},
               users=centre_staff(appeal, "both"), appeal=appeal, url=links.callback(task),
               now=event.at)


def reopens_at_once() -> bool:
    """Whether the centre's scheme reopens a dissatisfied or unsolved appeal at once
    (``Preferences.dissatisfied_scheme``, edited in the admin under 督办参数)."""
    return Preferences.current().dissatisfied_scheme == DissatisfiedScheme.REOPEN


def apply_dissatisfied_scheme(appeal, event) -> None:
    """After a 不满意 / 未解决 verdict, the scheme decides. ``REOPEN``: 重办 at once, back to the
    same unit with deadlines counted afresh from the verdict (``appeals.services.reopen``), as the
    system account; the callback task records the decision (``on_reopen_or_close``) and no
    automatic order follows (the appeal is no longer waiting after its callback). ``SUPERVISE``
    (the default): nothing here — the trigger rule opens the order and the supervisor decides."""
    if not (appeal.satisfaction == "dissatisfied" or appeal.solved is False):
        return
    if appeal.status != "callback_done" or not appeal.lead_unit_id or not reopens_at_once():
        return
    verdict = _("不满意") if appeal.satisfaction == "dissatisfied" else _("未解决")
    appeal_services.reopen(appeal, by=system_user(), at=event.at,
                           reason=_("回访结果为%(v)s，按中心方案立即重办") % {"v": verdict})


def on_reopen_or_close(appeal, event) -> None:
    """A pending task is cancelled; a verdict awaiting a decision records the decision taken."""
    CallbackTask.objects.filter(appeal=appeal, status=CallbackStatus.PENDING).update(
        status=CallbackStatus.CANCELLED, done_at=event.at)
    decision = Decision.REOPEN if event.action == "reopen" else Decision.CLOSE
    for task in CallbackTask.objects.filter(appeal=appeal, status=CallbackStatus.DONE, decision=""):
        if task.needs_decision:
            CallbackTask.objects.filter(pk=task.pk, decision="").update(
                decision=decision, decision_reason=event.reason, decided_by=event.actor, decided_at=event.at)
