"""An appeal's history as plain facts, read from its event log (pure: no Django import).

``build_facts`` walks the events of one appeal in order and returns ``AppealFacts``: its
handling cycles (each dispatch, re-dispatch or reopening to a unit, with that cycle's sign-off
and reply deadlines after approved extensions), its callbacks, and the moments it was answered
directly, merged, invalidated, withdrawn, returned or reopened. ``metrics.counters`` turns these facts
into the day counts every figure is made of.

A dispatch or reopening event keeps the deadlines it set (``sign_deadline``,
``reply_deadline`` in its payload); for events written before it did, the caller passes
``deadlines_for(index, start)``: the (sign-off, reply) deadlines of cycle ``index`` that started
at ``start`` (the Django side takes the appeal's columns for the last cycle and applies the
policy again for earlier ones — right unless the policy changed since). An approved
extension's ``new_deadline`` replaces the cycle's reply deadline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from jishiban.appeals.workflow import returning_unit  # pure: the one definition of 退单's unit

Deadlines = Callable[[int, datetime], tuple[datetime | None, datetime | None]]


@dataclass(frozen=True)
class Event:
    action: str
    at: datetime
    payload: dict = field(default_factory=dict)
    from_status: str = ""
    to_status: str = ""


@dataclass
class Cycle:
    """One spell of a unit holding the appeal: from a dispatch or a reopening to its end."""

    unit: str | None
    start: datetime
    kind: str  # "dispatch" | "reopen"
    sign_due: datetime | None = None
    reply_due: datetime | None = None
    signed_at: datetime | None = None
    replied_at: datetime | None = None
    result_type: str = ""
    promise: bool = False
    ended_at: datetime | None = None
    ended_by: str = ""  # "return" | "redispatch" | "merge" | "invalidate" | "withdraw" | "reopen"
    extensions_requested: int = 0


@dataclass(frozen=True)
class Callback:
    at: datetime
    unit: str | None
    satisfaction: str
    solved: bool | None
    # the reply being judged was 分步解决 with a promise (the centre's scheme may count it solved)
    stepwise_promise: bool


@dataclass(frozen=True)
class Mark:
    """A dated act of or on a unit (a return, a reopening, an extension decision)."""

    at: datetime
    unit: str | None
    approved: bool = False


@dataclass
class AppealFacts:
    received_at: datetime
    status: str
    lead_unit: str | None = None  # the unit holding it last (appeal-level counts go to it)
    repeat: bool = False
    marked: bool = False  # 领导批示 or 媒体关注 (``metrics.MARKED_TAGS``)
    supervised_at: datetime | None = None
    cycles: list[Cycle] = field(default_factory=list)
    callbacks: list[Callback] = field(default_factory=list)
    returns: list[Mark] = field(default_factory=list)
    returns_rejected: list[Mark] = field(default_factory=list)  # 退单申请经审核驳回（退单理由不成立）
    reopenings: list[Mark] = field(default_factory=list)
    extension_decisions: list[Mark] = field(default_factory=list)
    answered_at: datetime | None = None
    merged_at: datetime | None = None
    invalid_at: datetime | None = None
    withdrawn_at: datetime | None = None  # the citizen withdrew it (撤回): not invalid, its own count
    closed_at: datetime | None = None

    @property
    def first_dispatch(self) -> datetime | None:
        return self.cycles[0].start if self.cycles else None

    @property
    def solved_last(self) -> bool:
        """The latest callback said solved (督办解决 uses it)."""
        return bool(self.callbacks) and self.callbacks[-1].solved is True


def _end(cycle: Cycle | None, at: datetime, how: str) -> None:
    if cycle is not None and cycle.ended_at is None:
        cycle.ended_at, cycle.ended_by = at, how


def build_facts(*, received_at: datetime, status: str, events: Iterable[Event], deadlines_for: Deadlines,
                repeat: bool = False, supervised_at: datetime | None = None, marked: bool = False) -> AppealFacts:
    """The facts of one appeal from its events (oldest first). Unknown actions are ignored."""
    facts = AppealFacts(received_at=received_at, status=status, repeat=repeat, supervised_at=supervised_at,
                        marked=marked)
    current: Cycle | None = None
    last_unit: str | None = None
    return_asked: datetime | None = None  # a return request waiting for the centre's review

    def start(unit, at, kind, p):
        nonlocal current
        if "sign_deadline" in p or "reply_deadline" in p:  # the event kept the deadlines it set
            sign_due, reply_due = (datetime.fromisoformat(p[k]) if p.get(k) else None
                                   for k in ("sign_deadline", "reply_deadline"))
        else:
            sign_due, reply_due = deadlines_for(len(facts.cycles), at)
        current = Cycle(unit=unit, start=at, kind=kind, sign_due=sign_due, reply_due=reply_due)
        facts.cycles.append(current)

    for e in events:
        p = e.payload or {}
        a = e.action
        if a == "dispatch":
            _end(current, e.at, "redispatch")
            last_unit = p.get("lead_unit") or last_unit
            start(last_unit, e.at, "dispatch", p)
        elif a == "reopen":
            _end(current, e.at, "reopen")
            unit = p.get("unit") or last_unit
            facts.reopenings.append(Mark(e.at, unit))
            start(unit, e.at, "reopen", p)
        elif current is not None and a == "accept":
            current.signed_at = current.signed_at or e.at
        elif a == "request-return":
            return_asked = e.at
        elif a == "reject-return":
            facts.returns_rejected.append(Mark(e.at, returning_unit(p)))
            return_asked = None
        elif a == "return":
            facts.returns.append(Mark(e.at, returning_unit(p)))
            # An approved request ends the unit's spell when it asked: deadlines passing while
            # the centre reviewed are not the unit's.
            _end(current, return_asked or e.at, "return")
            current, return_asked = None, None
        elif current is not None and a == "request-extension":
            current.extensions_requested += 1
        elif a == "decide-extension":
            approved = bool(p.get("approved"))
            facts.extension_decisions.append(Mark(e.at, current.unit if current else None, approved))
            if current is not None and approved and p.get("new_deadline"):
                current.reply_due = datetime.fromisoformat(p["new_deadline"])
        elif current is not None and a == "reply":
            current.replied_at = e.at
            current.result_type = p.get("result_type") or ""
            current.promise = bool(p.get("promise"))
        elif a == "callback":
            cyc = current
            facts.callbacks.append(Callback(
                at=e.at, unit=cyc.unit if cyc else None, satisfaction=p.get("satisfaction") or "",
                solved=p.get("solved") if isinstance(p.get("solved"), bool) else None,
                stepwise_promise=bool(cyc and cyc.result_type == "stepwise" and cyc.promise)))
        elif a == "close":
            facts.closed_at = e.at
        elif a == "answer":
            facts.answered_at = e.at
        elif a == "merge":
            facts.merged_at = e.at
            _end(current, e.at, "merge")
        elif a == "invalidate":
            facts.invalid_at = e.at
            _end(current, e.at, "invalidate")
        elif a == "withdraw":
            facts.withdrawn_at = e.at
            _end(current, e.at, "withdraw")
    facts.lead_unit = last_unit
    return facts
