"""Simulated appeal histories: legal walks through the workflow table, with plausible times.

Pure Python (no Django). The caller gives a :class:`Plan` (what kind of case, which units, who
acts), a :class:`Clock` (deadlines and working time, in production the real policy and
working-day calendar) and a seeded ``random.Random``; :func:`simulate` returns the steps and the
appeal's columns exactly as ``jishiban.appeals.services`` would have written them, action by
action. Every step is checked with ``workflow.next_state``, and nothing happens after ``now``:
a case still in progress simply stops in its current state.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from jishiban.appeals.workflow import HANDLING_STATES, Action, State, next_state

from . import texts

A, S = Action, State


class Clock(Protocol):
    def dispatch_deadlines(self, at: datetime) -> dict[str, datetime]: ...
    def yellow_for(self, deadline: datetime, start: datetime) -> datetime: ...
    def extension_limit(self, deadline: datetime) -> datetime: ...
    def add_days(self, moment: datetime, days: int) -> datetime: ...
    def after(self, moment: datetime, minutes: float) -> datetime: ...
    def minutes_between(self, start: datetime, end: datetime) -> float: ...
    def local_date(self, moment: datetime) -> date: ...


@dataclass(frozen=True)
class Rates:
    """How often each turn of events happens (the demo's realism knobs)."""

    return_from_accepted: float = 0.4
    slow_sign: float = 0.05
    extension: float = 0.05
    extension_approved: float = 0.7
    late: float = 0.07
    stuck: float = 0.04  # of appeals younger than ``stuck_days``: the unit has not acted yet
    stuck_days: int = 30
    results: tuple[tuple[str, float], ...] = (("solved", 0.58), ("explained", 0.30), ("stepwise", 0.12))
    satisfaction: dict = field(default_factory=lambda: {
        "solved": (0.82, 0.14, 0.04), "explained": (0.55, 0.30, 0.15), "stepwise": (0.60, 0.30, 0.10),
    })
    review_reject: float = 0.02
    without_callback: float = 0.05
    reopen_if_dissatisfied: float = 0.5
    reopen_after_close: float = 0.006
    max_reopens: int = 2


@dataclass
class Plan:
    """One case to simulate.

    ``leads``: the lead unit of each dispatch; every unit but the last returns the appeal (退单),
    so ``len(leads) - 1`` returns. ``explanations`` go with ``leads``. ``actors`` maps the
    desk roles (``receive``, ``answer``, ``desk``, ``review``, ``callback``) to actor keys;
    unit actions are done by ``"unit:<code>"``. ``halt`` stops the walk the first time that
    state is reached (used to make sure every state is present).
    """

    received_at: datetime
    leaf: str
    kind: str = "dispatch"  # dispatch | answer | invalid | merge | withdraw
    leads: list[str] = field(default_factory=list)
    explanations: list[str] = field(default_factory=list)
    co_units: list[str] = field(default_factory=list)
    unit_names: dict[str, str] = field(default_factory=dict)
    merge_into: str = ""
    halt: str = ""
    actors: dict[str, str | None] = field(default_factory=dict)
    receive_payload: dict = field(default_factory=dict)


@dataclass
class Step:
    action: str
    source: str
    target: str
    at: datetime
    actor: str | None
    reason: str = ""
    payload: dict = field(default_factory=dict)


@dataclass
class History:
    steps: list[Step]
    status: str
    fields: dict  # Appeal columns; lead_unit / co_units as unit codes, parent as a number


def card_at(status: str, reply_deadline: datetime | None, yellow_at: datetime | None, now: datetime) -> str:
    """The card ``services.refresh_cards`` gives at ``now``."""
    if status not in HANDLING_STATES or reply_deadline is None:
        return ""
    if reply_deadline < now:
        return "red"
    if yellow_at is not None and yellow_at <= now:
        return "yellow"
    return ""


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


class _Halt(Exception):
    """The walk reached ``now`` or the plan's halt state."""


class _Run:
    def __init__(self, plan: Plan, clock: Clock, now: datetime, rng: random.Random):
        self.plan, self.clock, self.now, self.rng = plan, clock, now, rng
        self.state = S.RECEIVED
        self.last = plan.received_at
        self.f: dict = {
            "lead_unit": None, "co_units": [], "dispatched_at": None, "accepted_at": None, "replied_at": None,
            "closed_at": None, "sign_deadline": None, "reply_deadline": None, "yellow_at": None,
            "return_deadline": None, "result_type": "", "result_text": "", "promise": "", "follow_up_date": None,
            "satisfaction": "", "solved": None, "return_count": 0, "reopen_count": 0, "parent": None,
        }
        self.steps = [Step(str(A.RECEIVE), "", str(S.RECEIVED), plan.received_at, plan.actors.get("receive"),
                           payload=dict(plan.receive_payload))]

    def actor(self, role: str) -> str | None:
        return self.plan.actors.get(role)

    def unit(self) -> str:
        return f"unit:{self.f['lead_unit']}"

    def step(self, action: Action, at: datetime, actor: str | None, *, reason: str = "",
             payload: dict | None = None, changes: dict | None = None) -> None:
        if at > self.now:
            raise _Halt
        if at < self.last:
            raise ValueError(f"{action} at {at} is before the previous step at {self.last}")
        if action == A.REQUEST_RETURN and self.f["return_deadline"] and at > self.f["return_deadline"]:
            raise ValueError("return after the return window")
        target = next_state(self.state, action)
        self.steps.append(Step(str(action), str(self.state), str(target), at, actor, reason, payload or {}))
        self.f.update(changes or {})
        self.state, self.last = target, at
        if self.plan.halt and str(target) == self.plan.halt:
            raise _Halt

    # The actions, with the column changes and payloads of ``appeals.services``.

    def dispatch(self, unit: str, co_units: list[str], at: datetime, explanation: str) -> None:
        co_units = [u for u in co_units if u != unit]
        changes = {"lead_unit": unit, "co_units": co_units, "dispatched_at": at, "accepted_at": None, "card": "",
                   **self.clock.dispatch_deadlines(at)}
        payload = {"lead_unit": unit, "co_units": co_units, "redispatch": self.state != S.RECEIVED,
                   "explanation": explanation}
        self.step(A.DISPATCH, at, self.actor("desk"), payload=payload, changes=changes)

    def accept(self, at: datetime) -> None:
        self.step(A.ACCEPT, at, self.unit(), changes={"accepted_at": at})

    def reopen(self, at: datetime, reason: str) -> None:
        f = self.f
        earlier = {"round": f["reopen_count"] + 1, "result_type": f["result_type"], "text": f["result_text"],
                   "promise": f["promise"], "follow_up_date": f["follow_up_date"].isoformat() if f["follow_up_date"] else None,
                   "replied_at": _iso(f["replied_at"]), "satisfaction": f["satisfaction"], "solved": f["solved"]}
        changes = {"reopen_count": f["reopen_count"] + 1, "closed_at": None, "replied_at": None,
                   "accepted_at": None, "satisfaction": "", "solved": None, "card": "",
                   "result_type": "", "result_text": "", "promise": "", "follow_up_date": None, "dispatched_at": at,
                   **self.clock.dispatch_deadlines(at)}
        self.step(A.REOPEN, at, self.actor("review"), reason=reason, changes=changes,
                  payload={"unit": f["lead_unit"], "previous_reply": earlier})

    def close(self, at: datetime, reason: str = "") -> None:
        without = self.state == S.REPLIED
        self.step(A.CLOSE, at, self.actor("review"), reason=reason, changes={"closed_at": at},
                  payload={"without_callback": without})

    def result(self) -> History:
        fields = dict(self.f)
        fields["card"] = card_at(str(self.state), fields["reply_deadline"], fields["yellow_at"], self.now)
        fields["version"] = len(self.steps)  # 1 at creation, +1 per transition
        return History(self.steps, str(self.state), fields)


def _pick(rng: random.Random, weighted) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def simulate(plan: Plan, clock: Clock, now: datetime, rng: random.Random, rates: Rates = Rates()) -> History:
    """Walk ``plan`` through the workflow until it is done, reaches ``now`` or its halt state."""
    run = _Run(plan, clock, now, rng)
    try:
        if plan.halt != S.RECEIVED:
            _walk(run, rates)
    except _Halt:
        pass
    return run.result()


def _walk(run: _Run, r: Rates) -> None:
    p, rng, clock = run.plan, run.rng, run.clock
    t = p.received_at
    if p.kind == "answer":
        text = texts.answer_text(p.leaf)
        at = t + timedelta(minutes=rng.randint(2, 20))
        run.step(A.ANSWER, at, run.actor("answer"), reason=text, payload={"text": text},
                 changes={"result_type": "explained", "result_text": text, "closed_at": at, "replied_at": at})
        return
    if p.kind == "invalid":
        run.step(A.INVALIDATE, clock.after(t, rng.uniform(10, 240)), run.actor("desk"),
                 reason=rng.choice(texts.INVALID_REASONS))
        return
    if p.kind == "merge":
        run.step(A.MERGE, clock.after(t, rng.uniform(10, 240)), run.actor("desk"),
                 reason=texts.MERGE_REASON.format(into=p.merge_into), payload={"into": p.merge_into},
                 changes={"parent": p.merge_into})
        return

    if p.kind == "withdraw":  # the citizen takes it back after it reached the unit, before an answer
        t = clock.after(t, rng.uniform(5, 150))
        run.dispatch(p.leads[-1], [], t, p.explanations[-1])
        at = clock.after(t, rng.uniform(30, 600))
        run.step(A.WITHDRAW, at, run.actor("answer"), reason=rng.choice(texts.WITHDRAW_REASONS),
                 payload={"unit": p.leads[-1], "origin": {"via": "phone"}}, changes={"closed_at": at, "card": ""})
        return

    for i, unit in enumerate(p.leads):
        t = clock.after(t, rng.uniform(5, 150))
        last = i == len(p.leads) - 1
        run.dispatch(unit, p.co_units if last else [], t, p.explanations[i])
        if last:
            break
        if rng.random() < r.return_from_accepted:
            t = clock.after(t, rng.uniform(3, 60))
            run.accept(t)
        t = max(t, min(clock.after(t, rng.uniform(10, 240)), run.f["return_deadline"]))
        reason = rng.choice(texts.RETURN_REASONS).format(other=p.unit_names.get(p.leads[i + 1], ""))
        not_responsible = "不完整" not in reason
        run.step(A.REQUEST_RETURN, t, run.unit(), reason=reason, payload={"unit": unit, "not_responsible": not_responsible})
        asked, t = t, clock.after(t, rng.uniform(5, 90))  # the centre's 退单审核 approves it
        run.step(A.RETURN, t, run.actor("desk"), reason=reason,
                 payload={"unit": unit, "not_responsible": not_responsible, "requested_at": _iso(asked),
                          "reviewed": True, "review_note": ""},
                 changes={"return_count": run.f["return_count"] + 1, "card": ""})

    if p.halt == S.RETURN_REQUESTED:  # the unit asks to send it back and the centre has not decided yet
        t = max(t, min(clock.after(t, rng.uniform(10, 240)), run.f["return_deadline"]))
        reason = texts.RETURN_REASONS[1]
        run.step(A.REQUEST_RETURN, t, run.unit(), reason=reason, payload={"unit": p.leads[-1], "not_responsible": True})
        return

    young = run.now - p.received_at < timedelta(days=r.stuck_days)
    stuck = "" if p.halt or not young or rng.random() >= r.stuck else rng.choice(("sign", "reply", "reply"))
    reopens = 0
    while True:
        if stuck == "sign":
            return
        slow = rng.random() < r.slow_sign
        t = clock.after(t, rng.uniform(100, 600) if slow else rng.uniform(3, 100))
        run.accept(t)
        if stuck:
            return
        if p.halt == S.EXTENSION_REQUESTED or rng.random() < r.extension:
            t = _extension(run, t, r)
        t = _reply(run, t, r)
        if reopens < r.max_reopens and (rng.random() < r.review_reject or (p.halt == S.REOPENED and not reopens)):
            t = clock.after(t, rng.uniform(30, 400))
            run.reopen(t, rng.choice(texts.REVIEW_REJECT))
            reopens += 1
            continue
        if p.halt != S.CALLBACK_DONE and rng.random() < r.without_callback:
            t = clock.after(t, rng.uniform(600, 1500))
            run.close(t, rng.choice(texts.NO_CALLBACK_REASONS))
        else:
            t = clock.after(t, rng.uniform(30, 900))
            satisfaction = _pick(rng, zip(("satisfied", "basically", "dissatisfied"),
                                          r.satisfaction[run.f["result_type"]], strict=True))
            solved = satisfaction != "dissatisfied" and (run.f["result_type"] != "explained" or rng.random() < 0.6)
            run.step(A.CALLBACK, t, run.actor("callback"), reason=rng.choice(texts.CALLBACK_COMMENTS[satisfaction]),
                     payload={"satisfaction": satisfaction, "solved": solved},
                     changes={"satisfaction": satisfaction, "solved": solved})
            if satisfaction == "dissatisfied" and reopens < r.max_reopens and rng.random() < r.reopen_if_dissatisfied:
                t = clock.after(t, rng.uniform(10, 240))
                run.reopen(t, rng.choice(texts.REOPEN_REASONS))
                reopens += 1
                continue
            t = clock.after(t, rng.uniform(5, 300))
            run.close(t)
        if reopens < r.max_reopens and rng.random() < r.reopen_after_close:
            t = clock.after(t, rng.uniform(960, 9600))
            run.reopen(t, rng.choice(texts.REOPEN_AFTER_CLOSE))
            reopens += 1
            continue
        return


def _extension(run: _Run, t: datetime, r: Rates) -> datetime:
    """延期申请 and the centre's decision; returns the time of the decision."""
    rng, clock = run.rng, run.clock
    old = run.f["reply_deadline"]
    left = clock.minutes_between(t, old)
    t = clock.after(t, max(1.0, left * rng.uniform(0.3, 0.8)))
    new = clock.add_days(old, rng.randint(3, 10))
    if not old < new <= clock.extension_limit(old):
        raise ValueError("extension beyond the limit")
    run.step(A.REQUEST_EXTENSION, t, run.unit(), reason=rng.choice(texts.EXTENSION_REASONS),
             payload={"new_deadline": _iso(new), "old_deadline": _iso(old)})
    t = clock.after(t, rng.uniform(20, 300))
    if rng.random() < r.extension_approved:
        run.step(A.DECIDE_EXTENSION, t, run.actor("review"), payload={"approved": True, "new_deadline": _iso(new)},
                 changes={"reply_deadline": new, "card": "", "yellow_at": clock.yellow_for(new, t)})
    else:
        run.step(A.DECIDE_EXTENSION, t, run.actor("review"), reason=rng.choice(texts.REFUSE_EXTENSION),
                 payload={"approved": False})
    return t


def _reply(run: _Run, t: datetime, r: Rates) -> datetime:
    rng, clock, p = run.rng, run.clock, run.plan
    deadline = run.f["reply_deadline"]
    left = clock.minutes_between(t, deadline)
    if left <= 1 or rng.random() < r.late:
        t = clock.after(max(t, deadline), rng.uniform(30, 1500))
    else:
        t = clock.after(t, max(1.0, left * rng.uniform(0.1, 0.95)))
    result = _pick(rng, r.results)
    unit = run.f["lead_unit"]
    text = texts.reply_text(rng, p.leaf, result, p.unit_names.get(unit, unit))
    promise, follow_up = "", None
    if result == "stepwise":
        promise = texts.promise_text(p.leaf)
        follow_up = clock.local_date(t) + timedelta(days=rng.randint(10, 90))
    changes = {"result_type": result, "result_text": text, "replied_at": t, "card": "", "promise": promise,
               "follow_up_date": follow_up}
    payload = {"result_type": result, "text": text, "promise": promise,
               "follow_up_date": follow_up.isoformat() if follow_up else None, "on_time": t <= deadline}
    run.step(A.REPLY, t, run.unit(), payload=payload, changes=changes)
    return t
