"""Every write of a warning: raising and updating it from a signal (the scan), its lifecycle
steps (acknowledge, assign, link a supervision order, close), the end of its signal, and the
merge (并单) of a hot event's appeals. Each change moves the warning with a conditional UPDATE
on its current state (two people acting at once cannot both succeed), appends one
``WarningEvent`` and raises one notification per change to the roles on duty (the city's
supervisors and the county's staff), delivered after commit by the supervision app.

Growth (an ongoing spike's count rising, a hot event gaining appeals) is recorded at every
scan and announced when ``observed`` has risen by at least ``JISHIBAN_WARNINGS_GROWTH_MIN`` (3)
and by ``JISHIBAN_WARNINGS_GROWTH_SHARE`` (0.5, i.e. half) since the roles last heard of it
(``EarlyWarning.announced``, moved by a compare-and-set so two scans never tell one growth
twice): a hot event of 5 is told again at 8, 12, 18…, not at every appeal that joins.

Errors are the appeal workflow's (``jishiban.appeals.errors``), so pages map them alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.accounts import policy
from jishiban.appeals import services as appeal_services
from jishiban.appeals.errors import ActionForbidden, ActionNotAllowed, AppealValidationError, ConflictError
from jishiban.appeals.models import Appeal
from jishiban.appeals.workflow import GONE
from jishiban.supervision.models import Kind as NoteKind
from jishiban.supervision.models import Reason
from jishiban.supervision.notifications import centre_staff, notify, unit_members
from jishiban.supervision.services.orders import open_order

from .models import OPEN_STATES, EarlyWarning, WarningEvent, WarningKind, WarningState

S = WarningState

# Which states each lifecycle step starts from (new → acknowledged → assigned → linked → closed).
STEPS: dict[str, tuple[str, ...]] = {
    "acknowledge": (S.NEW,),
    "assign": (S.NEW, S.ACKNOWLEDGED, S.ASSIGNED),
    "link": (S.ACKNOWLEDGED, S.ASSIGNED),
    "close": tuple(OPEN_STATES),
}
TARGET = {"acknowledge": S.ACKNOWLEDGED, "assign": S.ASSIGNED, "link": S.LINKED, "close": S.CLOSED}
# The supervision reason an order linked from a warning carries.
ORDER_REASON = {WarningKind.RISK: Reason.RISK, WarningKind.REPEAT: Reason.REPEAT,
                WarningKind.SPIKE: Reason.KEY, WarningKind.EVENT: Reason.KEY}


@dataclass
class Signal:
    """What the scan found: one spike, hot event, risk flag or repeat complainant."""

    kind: str
    key: str
    title: str
    why: str
    county_id: int | None = None
    category_id: int | None = None
    observed: float = 0
    expected: float = 0
    score: float = 0
    probability: float | None = None
    detail: dict = field(default_factory=dict)
    appeal_ids: list[int] = field(default_factory=list)
    first_at: datetime | None = None
    latest_at: datetime | None = None
    lat: float | None = None
    lon: float | None = None


def _url(warning) -> str:
    from .selectors import warning_url

    return warning_url(warning)


def on_duty(warning) -> list:
    """Who hears of a warning: the city's supervisors, and the county's staff for a county's."""
    return centre_staff(SimpleNamespace(county_id=warning.county_id), "both")


def _announce(warning, kind: str, text: str, *, extra=(), now=None) -> None:
    users = on_duty(warning) + list(extra)
    notify(kind, text, users=users, url=_url(warning), now=now)


def _log(warning, action: str, from_state: str, to_state: str, by, now, note: str = "", payload=None):
    return WarningEvent.objects.create(warning=warning, action=action, from_state=from_state, to_state=to_state,
                                       actor=by, note=(note or "")[:300], payload=payload or {}, at=now)


def _fields(signal: Signal) -> dict:
    return {"title": signal.title[:200], "why": signal.why, "county_id": signal.county_id,
            "category_id": signal.category_id, "observed": float(signal.observed),
            "expected": round(float(signal.expected), 2), "score": float(signal.score),
            "probability": signal.probability, "detail": signal.detail, "first_at": signal.first_at,
            "latest_at": signal.latest_at, "lat": signal.lat, "lon": signal.lon}


def growth_worth_telling(observed: float, announced: float) -> bool:
    """Whether ``observed`` has grown enough since ``announced`` to tell the roles on duty."""
    least = float(getattr(settings, "JISHIBAN_WARNINGS_GROWTH_MIN", 3))
    share = float(getattr(settings, "JISHIBAN_WARNINGS_GROWTH_SHARE", 0.5))
    return observed - announced >= least and observed >= announced * (1 + share)


def raise_signal(signal: Signal, *, now=None) -> tuple[EarlyWarning, str]:
    """Raise a warning for ``signal`` or update the open one with its key.

    Returns ``(warning, what)``: ``"raised"`` (new warning, announced once), ``"updated"`` (the
    numbers grew or appeals joined: an event; announced when the growth since the last
    announcement passes ``growth_worth_telling``) or ``"same"`` (nothing new).
    """
    now = now or timezone.now()
    with transaction.atomic():
        current = EarlyWarning.objects.select_for_update().filter(key=signal.key, state__in=OPEN_STATES).first()
        if current is None:
            try:
                with transaction.atomic():
                    w = EarlyWarning.objects.create(kind=signal.kind, key=signal.key, raised_at=now, updated_at=now,
                                                    announced=float(signal.observed), **_fields(signal))
            except IntegrityError:  # a scan running at the same time raised it a moment ago
                return EarlyWarning.objects.get(key=signal.key, state__in=OPEN_STATES), "same"
            if signal.appeal_ids:
                w.appeals.add(*signal.appeal_ids)
            _log(w, "raise", "", S.NEW, None, now, note=signal.why[:300],
                 payload={"observed": w.observed, "expected": w.expected, "score": w.score})
            _announce(w, NoteKind.WARNING_RAISED, _("【%(kind)s】%(title)s") % {
                "kind": w.get_kind_display(), "title": w.title}, now=now)
            return w, "raised"
        known = set(current.appeals.values_list("pk", flat=True))
        joined = [pk for pk in signal.appeal_ids if pk not in known]
        grew = signal.observed > current.observed or signal.score > current.score
        if not joined and not grew and current.ended_at is None:
            return current, "same"
        values = _fields(signal)
        if not grew:  # appeals joined on a smaller count (a new day): keep the peak numbers
            for name in ("observed", "expected", "score", "probability"):
                values.pop(name)
        if current.first_at and signal.first_at:
            values["first_at"] = min(current.first_at, signal.first_at)
        EarlyWarning.objects.filter(pk=current.pk).update(updated_at=now, ended_at=None, **values)
        if joined:
            current.appeals.add(*joined)
        before = current.announced
        told = grew and growth_worth_telling(float(signal.observed), current.announced) and bool(
            EarlyWarning.objects.filter(pk=current.pk, announced=current.announced)
            .update(announced=float(signal.observed)))
        _log(current, "update", current.state, current.state, None, now,
             payload={"observed": float(signal.observed), "score": float(signal.score), "joined": len(joined),
                      "announced": told})
        current.refresh_from_db()
        if told:
            _announce(current, NoteKind.WARNING_CHANGED, _("预警「%(t)s」扩大：观测数 %(o)g（上次通知时 %(a)g）") % {
                "t": current.title, "o": current.observed, "a": before},
                extra=[current.assignee] if current.assignee_id else (), now=now)
        return current, "updated"


def end_signal(warning, *, now=None, note: str = "") -> EarlyWarning:
    """The signal is over (a spike's counts are back to normal). A warning nobody has taken up
    (new or acknowledged) is closed with the note; one assigned or under an order stays open
    for the person holding it, who hears that the signal ended."""
    now = now or timezone.now()
    note = note or _("信号已结束")
    with transaction.atomic():
        w = EarlyWarning.objects.select_for_update().get(pk=warning.pk)
        if w.state == S.CLOSED or w.ended_at is not None:
            return w
        if w.state in (S.NEW, S.ACKNOWLEDGED):
            EarlyWarning.objects.filter(pk=w.pk).update(state=S.CLOSED, ended_at=now, closed_at=now,
                                                       close_note=note[:300], updated_at=now)
            _log(w, "end", w.state, S.CLOSED, None, now, note=note)
        else:
            EarlyWarning.objects.filter(pk=w.pk).update(ended_at=now, updated_at=now)
            _log(w, "end", w.state, w.state, None, now, note=note)
        w.refresh_from_db()
        _announce(w, NoteKind.WARNING_CHANGED, _("预警「%(title)s」：%(note)s") % {"title": w.title, "note": note},
                  extra=[w.assignee] if w.assignee_id else (), now=now)
        return w


# --- the lifecycle ------------------------------------------------------------------------

def _check(warning, by, step: str) -> None:
    from .selectors import sees

    if not policy.may_manage_warnings(by) or not sees(by, warning):
        raise ActionForbidden(_("您无权处理该预警"))
    if warning.state not in STEPS[step]:
        raise ActionNotAllowed(_("预警当前为「%(s)s」，不能执行该操作") % {"s": warning.get_state_display()})


def _move(warning, by, step: str, now, *, note: str = "", payload=None, **changes) -> EarlyWarning:
    to = TARGET[step]
    done = (EarlyWarning.objects.filter(pk=warning.pk, state=warning.state)
            .update(state=to, updated_at=now, **changes))
    if not done:
        raise ConflictError(_("该预警刚被他人处理，请刷新后重试"), current_version=0)
    _log(warning, step, warning.state, to, by, now, note=note, payload=payload)
    warning.refresh_from_db()
    return warning


def acknowledge(warning, *, by, now=None) -> EarlyWarning:
    now = now or timezone.now()
    _check(warning, by, "acknowledge")
    with transaction.atomic():
        w = _move(warning, by, "acknowledge", now)
        _announce(w, NoteKind.WARNING_CHANGED, _("预警「%(t)s」已由%(who)s确认") % {
            "t": w.title, "who": by.get_full_name() or by.username}, now=now)
    return w


def assign(warning, *, by, assignee=None, unit=None, note: str = "", now=None) -> EarlyWarning:
    """Give the warning to a supervisor (someone who may manage warnings and sees it) or a unit."""
    from .selectors import sees

    now = now or timezone.now()
    _check(warning, by, "assign")
    if assignee is None and unit is None:
        raise AppealValidationError({"assignee": [_("请选择督办人员或承办单位")]})
    if assignee is not None and not (policy.may_manage_warnings(assignee)
                                     and sees(assignee, warning)):
        raise AppealValidationError({"assignee": [_("所选人员不能处理该预警")]})
    if unit is not None and unit.is_centre:
        raise AppealValidationError({"unit": [_("请选择承办单位")]})
    with transaction.atomic():
        w = _move(warning, by, "assign", now, note=note, assignee=assignee, unit=unit,
                  payload={"assignee": getattr(assignee, "username", ""), "unit": getattr(unit, "code", "")})
        told = ([assignee] if assignee is not None else []) + unit_members(unit)
        _announce(w, NoteKind.WARNING_CHANGED, _("预警「%(t)s」已指派给%(to)s") % {
            "t": w.title, "to": (assignee.get_full_name() or assignee.username) if assignee else unit.name},
            extra=told, now=now)
    return w


def order_appeal(warning, by) -> Appeal | None:
    """The appeal an order linked from ``warning`` is opened on: its latest dispatched appeal
    that ``by`` may see (the unit given, if any, among its lead units first)."""
    qs = (Appeal.objects.visible_to(by).filter(pk__in=warning.appeals.values("pk"), lead_unit__isnull=False)
          .exclude(status__in=GONE).order_by("-received_at"))
    if warning.unit_id:
        first = qs.filter(lead_unit_id=warning.unit_id).first()
        if first is not None:
            return first
    return qs.first()


def link_order(warning, *, by, now=None) -> EarlyWarning:
    """One click: open (or find) the supervision order for the warning through the supervision
    services, and link it."""
    now = now or timezone.now()
    _check(warning, by, "link")
    appeal = order_appeal(warning, by)
    if appeal is None:
        raise AppealValidationError({"order": [_("该预警没有已派单的诉求件，无法督办")]})
    reason = ORDER_REASON[warning.kind]
    target = warning.unit if warning.unit_id and not warning.unit.is_centre else None
    with transaction.atomic():
        order, created = open_order(appeal, reason=reason, by=by, detail=warning.why[:300], target_unit=target,
                                    requirement=_("预警：%(t)s") % {"t": warning.title}, now=now)
        w = _move(warning, by, "link", now, order=order, payload={"order": order.pk, "created": created,
                                                                  "appeal": appeal.number})
        _announce(w, NoteKind.WARNING_CHANGED, _("预警「%(t)s」已督办（督办单 #%(o)s）") % {"t": w.title, "o": order.pk},
                  extra=[w.assignee] if w.assignee_id else (), now=now)
    return w


def close(warning, *, by, note: str, now=None) -> EarlyWarning:
    now = now or timezone.now()
    _check(warning, by, "close")
    note = (note or "").strip()
    if not note:
        raise AppealValidationError({"note": [_("请填写关闭说明")]})
    if len(note) > 300:
        raise AppealValidationError({"note": [_("关闭说明不超过 300 字")]})
    with transaction.atomic():
        w = _move(warning, by, "close", now, note=note, close_note=note, closed_at=now)
        _announce(w, NoteKind.WARNING_CHANGED, _("预警「%(t)s」已关闭：%(n)s") % {"t": w.title, "n": note},
                  extra=[w.assignee] if w.assignee_id else (), now=now)
    return w


def merge_event_appeals(warning, *, by, into, appeals, reason: str = "") -> list[Appeal]:
    """并单 from a hot event: each of ``appeals`` (of the event) is merged into ``into`` through
    the appeal services (their checks, their events); the warning records what was merged."""
    if warning.kind != WarningKind.EVENT:
        raise ActionNotAllowed(_("只有热点事件可以并单"))
    members = set(warning.appeals.values_list("pk", flat=True))
    if into.pk not in members or any(a.pk not in members for a in appeals):
        raise AppealValidationError({"appeals": [_("只能合并该事件中的诉求件")]})
    merged = []
    now = timezone.now()
    with transaction.atomic():
        for appeal in appeals:
            if appeal.pk == into.pk:
                continue
            merged.append(appeal_services.merge(appeal, by=by, into=into, reason=reason or _("热点事件并单")))
        if merged:
            _log(warning, "merge", warning.state, warning.state, by, now,
                 note=_("并入 %(n)s") % {"n": into.number}, payload={"into": into.number,
                                                                  "merged": [a.number for a in merged]})
    return merged
