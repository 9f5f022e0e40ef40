"""Writing the demo: reference data, accounts, grids and N appeals with their full histories.

The appeals do not go through the per-action services: 20,000 appeals × ~8 actions as separate
transactions would take many minutes. ``history.simulate`` produces the rows those services
would write (columns, events, payloads), checking every step against the transition table with
the real deadline policy and working-day calendar; they are inserted with ``bulk_create`` in
batches inside one transaction. The ``transition_recorded`` / ``transition_committed`` signals
are not sent for this synthetic past (no notifications, no pushes to other systems).
"""

from __future__ import annotations

import random
import string
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import SimpleNamespace

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, OuterRef, Subquery
from django.utils import timezone

from jishiban.appeals import deadlines, numbering
from jishiban.appeals.models import Appeal, AppealEvent
from jishiban.appeals.workflow import State
from jishiban.core.reference import load_reference
from jishiban.intake.pipeline import Citizen, Location, Submission, content_key
from jishiban.knowledge import demo as knowledge_demo
from jishiban.sla.clock import Duration
from jishiban.sla.services import get_calendar
from jishiban.supervision.services.callbacks import backfill_tasks

from . import grids as grid_work
from . import people
from .cases import EXTERNAL_PREFIX, Case, Drawer, World
from .history import History, simulate

BATCH = 1000
DAY = 24 * 60
# How old a case forced into a state is, in minutes, so that it can have got there by now.
AGES = {State.RECEIVED: (5, 40), State.ANSWERED: (30 * DAY, 80 * DAY), State.CLOSED: (40 * DAY, 90 * DAY),
        State.MERGED: (20 * DAY, 80 * DAY), State.INVALID: (20 * DAY, 80 * DAY)}
OPEN_AGE = (1 * DAY, 6 * DAY)
UNIT_STATES = (State.DISPATCHED, State.ACCEPTED, State.RETURNED, State.RETURN_REQUESTED, State.EXTENSION_REQUESTED,
               State.REPLIED, State.CALLBACK_DONE, State.REOPENED, State.CLOSED)
CITIZEN_STATES = (State.RECEIVED, State.DISPATCHED, State.ACCEPTED, State.REPLIED, State.CALLBACK_DONE,
                  State.CLOSED, State.CLOSED, State.ANSWERED)
UNIT_LEAVES = {"city-water": ("020101", "020102", "020103", "020104"), "ent-power": ("020201", "020202")}
COLUMNS = ("dispatched_at", "accepted_at", "replied_at", "closed_at", "sign_deadline", "reply_deadline", "yellow_at",
           "return_deadline", "card", "result_type", "result_text", "promise", "follow_up_date", "satisfaction",
           "solved", "return_count", "reopen_count", "version")


class DemoDisabled(Exception):
    """The demo writes accounts with a known password: only with ``settings.DEMO``."""


@dataclass
class Summary:
    appeals: int = 0
    events: int = 0
    seconds: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    cards: Counter = field(default_factory=Counter)
    accounts: list = field(default_factory=list)
    unit_accounts: int = 0
    grid_workers: int = 0


class PolicyClock:
    """The history simulator's clock for one appeal: the real policy and working-day calendar."""

    def __init__(self, calendar, appeal: Appeal):
        self.calendar, self.appeal = calendar, appeal
        self.policy = deadlines.policy_for(appeal)

    def dispatch_deadlines(self, at: datetime) -> dict[str, datetime]:
        return deadlines.dispatch_deadlines(self.appeal, at)

    def yellow_for(self, deadline: datetime, start: datetime) -> datetime:
        return deadlines.yellow_for(deadline, self.policy, start)

    def extension_limit(self, deadline: datetime) -> datetime:
        return deadlines.extension_limit(SimpleNamespace(reply_deadline=deadline))

    def add_days(self, moment: datetime, days: int) -> datetime:
        return self.calendar.add(moment, Duration(days, "d"))

    def after(self, moment: datetime, minutes: float) -> datetime:
        return self.calendar.add_working_time(moment, timedelta(minutes=max(1.0, minutes)))

    def minutes_between(self, start: datetime, end: datetime) -> float:
        return self.calendar.working_seconds_between(start, end) / 60

    def local_date(self, moment: datetime) -> date:
        return timezone.localtime(moment).date()


def load_demo(appeals: int = 20000, *, seed: int = 12345, now: datetime | None = None,
              progress: Callable[[int, int, float], None] | None = None) -> Summary:
    """Load everything the demo needs and ``appeals`` appeals over the 12 months before ``now``.

    Raises ``DemoDisabled`` unless ``settings.DEMO``. Idempotent for reference data, grids and
    accounts; appeals are added (callers check for an empty database first).
    """
    if not settings.DEMO:
        raise DemoDisabled
    started = time.monotonic()
    now = now or timezone.now()
    load_reference()  # the project's Jining files, as ``jishiban setup`` loads them
    grids = people.ensure_grids(now - timedelta(days=366))
    hashed = people.password_hash()
    users = people.ensure_accounts(hashed)
    knowledge_demo.load()  # the knowledge base's entries and stock phrases for the demo's categories
    rng = random.Random(seed)
    world = World(now, get_calendar(), grids)
    drawer = Drawer(world, rng)
    forced = _forced_cases(drawer, world, users, appeals)
    natural = [drawer.case(at) for at in drawer.receipt_times(max(0, appeals - len(forced)))]
    cases = sorted(forced + natural, key=lambda c: c.received_at)
    targets = _merge_targets(cases)
    unit_users = people.ensure_unit_accounts({code for c in cases for code in c.plan.leads}, hashed, users, rng)
    grid_workers = people.ensure_grid_workers(grids, hashed, users, now - timedelta(days=366))
    actors = {key: users[name] for key, name in people.ACTOR_ACCOUNTS.items()}
    actors.update({f"unit:{code}": user for code, user in unit_users.items()})
    actors.update({f"grid:{code}": user for code, user in grid_workers.items()})
    summary = Summary(accounts=people.account_table(users), unit_accounts=len(unit_users),
                      grid_workers=len(grid_workers))
    with transaction.atomic():
        _number(cases)
        for case, target in targets.items():
            case.plan.merge_into = target.number
        writing = time.monotonic()
        for start in range(0, len(cases), BATCH):
            _write(cases[start:start + BATCH], world, actors, summary)
            if progress:
                progress(min(start + BATCH, len(cases)), len(cases), time.monotonic() - writing)
        merged = [c for c in targets if c.appeal.status == State.MERGED]
        for case in merged:
            case.appeal.parent_id = targets[case].appeal.pk
        Appeal.objects.bulk_update([c.appeal for c in merged], ["parent"], batch_size=500)
    grid_work.load(now, hashed, seed=seed)
    # The history is written without the workflow's reactions: the replied appeals get their
    # callback tasks here, so the callback list holds every one of them from the start.
    backfill_tasks(now=now)
    summary.seconds = time.monotonic() - started
    return summary


def _forced_cases(drawer: Drawer, world: World, users: dict, limit: int) -> list[Case]:
    """Recent cases that end in a given state: every state overall, every state of the
    dept_water and dept_power inboxes, and the demo citizen's own appeals."""
    specs = [{"halt": str(s)} for s in State]
    for unit, leaves in UNIT_LEAVES.items():
        specs += [{"halt": str(s), "unit": unit, "leaves": leaves} for s in UNIT_STATES]
    specs += [{"halt": str(s), "citizen": True} for s in CITIZEN_STATES]
    cases = []
    for spec in specs[:limit]:
        halt = spec["halt"]
        ages = AGES.get(halt, OPEN_AGE)
        for _attempt in range(6):
            case = _forced_case(drawer, world, users, spec, drawer.ago(ages))
            if _simulate(case, world).status == halt:
                break
            ages = (ages[0] * 2, ages[1] * 2)
        cases.append(case)
    return cases


def _forced_case(drawer: Drawer, world: World, users: dict, spec: dict, at: datetime) -> Case:
    halt, unit, rng = spec["halt"], spec.get("unit"), drawer.rng
    kind = {"answered": "answer", "invalid": "invalid", "merged": "merge", "withdrawn": "withdraw"}.get(halt, "dispatch")
    leaf = rng.choice(spec["leaves"]) if unit else ("130101" if kind == "answer" else None)
    kw = {"leaf": leaf, "kind": kind, "halt": halt, "returns": 1 if halt == State.RETURNED else 0}
    if spec.get("citizen"):
        kw.update(channel="jishiban-app", citizen_user=users["citizen"])
    if unit:
        kw.update(channel="12345-phone", county="370811")
        if halt == State.RETURNED:
            kw.update(first_lead=unit)  # the unit holds it when it sends it back
        else:
            kw.update(lead=unit)
    return drawer.case(at, **kw)


def _merge_targets(cases: list[Case]) -> dict[Case, Case]:
    """For each 并单 case, an earlier dispatched case about the same thing nearby (same category
    and county, within 7 days); a case without one is dispatched instead."""
    recent: dict[tuple, list[Case]] = {}
    dispatched: list[Case] = []
    targets = {}
    for case in cases:
        key = (case.leaf.code, case.county.code)
        if case.plan.kind == "merge":
            pool = [c for c in recent.get(key, ()) if case.received_at - c.received_at < timedelta(days=7)]
            target = pool[-1] if pool else (dispatched[-1] if case.force and dispatched else None)
            if target is None:
                case.plan.kind = "dispatch"
            else:
                targets[case] = target
                continue
        if case.plan.kind == "dispatch":
            recent.setdefault(key, []).append(case)
            dispatched.append(case)
    return targets


def _number(cases: list[Case]) -> None:
    by_day: dict[date, list[Case]] = {}
    for case in cases:
        by_day.setdefault(timezone.localtime(case.received_at).date(), []).append(case)
    for day, group in sorted(by_day.items()):
        for case, number in zip(group, numbering.allocate(day, len(group)), strict=True):
            case.number = number


def _appeal(case: Case) -> Appeal:
    if getattr(case, "appeal", None) is None:
        case.appeal = Appeal(
            channel=case.channel, category=case.leaf, county=case.county, town=case.town, grid=case.grid,
            received_at=case.received_at, status=State.RECEIVED, **case.values,
        )
    return case.appeal


def _simulate(case: Case, world: World) -> History:
    appeal = _appeal(case)
    return simulate(case.plan, PolicyClock(world.calendar, appeal), world.now, random.Random(case.seed))


def _write(batch: list[Case], world: World, actors: dict, summary: Summary) -> None:
    appeals, histories = [], []
    for case in batch:
        appeal = _appeal(case)
        appeal.number = case.number
        prefix = EXTERNAL_PREFIX.get(case.channel.code)
        appeal.external_id = f"{prefix}{case.number.lstrip(string.ascii_letters)}" if prefix else None
        if appeal.external_id is None:
            appeal.content_key = content_key(Submission(
                channel=case.channel.code, title=appeal.title, content=appeal.content,
                citizen=Citizen(phone=appeal.citizen_phone), location=Location(address=appeal.address)))
        case.plan.receive_payload = {"channel": case.channel.code, "external_id": appeal.external_id}
        history = _simulate(case, world)
        receiver = actors.get(history.steps[0].actor)
        appeal.created_by = receiver
        appeal.status = history.status
        for column in COLUMNS:
            setattr(appeal, column, history.fields[column])
        lead = history.fields["lead_unit"]
        appeal.lead_unit = world.units[lead] if lead else None
        appeals.append(appeal)
        histories.append(history)
        summary.statuses[history.status] += 1
        summary.cards[history.fields["card"]] += 1
    Appeal.objects.bulk_create(appeals)
    events, co_rows = [], []
    through = Appeal.co_units.through
    for appeal, history in zip(appeals, histories, strict=True):
        for step in history.steps:
            user = actors.get(step.actor) if step.actor else None
            events.append(AppealEvent(
                appeal_id=appeal.pk, action=step.action, from_status=step.source, to_status=step.target,
                actor_id=user.pk if user else None, actor_unit_id=user.organisation_id if user else None, reason=step.reason,
                payload=step.payload, at=step.at,
            ))
        co_rows += [through(appeal_id=appeal.pk, organisation_id=world.units[code].pk)
                    for code in history.fields["co_units"]]
    AppealEvent.objects.bulk_create(events, batch_size=2000)
    through.objects.bulk_create(co_rows, batch_size=2000)
    # created_at / updated_at are set to "now" by bulk_create; the demo's past needs its own times.
    last_event = (AppealEvent.objects.filter(appeal_id=OuterRef("pk")).order_by().values("appeal_id")
                  .annotate(last=Max("at")).values("last"))
    Appeal.objects.filter(pk__in=[a.pk for a in appeals]).update(
        created_at=F("received_at"), updated_at=Subquery(last_event))
    summary.appeals += len(appeals)
    summary.events += len(events)
