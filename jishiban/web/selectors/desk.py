"""Queries behind the call desk, the dispatch queue, the unit inbox and the centre's lists."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, F, Prefetch, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from jishiban.appeals import repeats
from jishiban.appeals.figures import OPEN, due_between_q, overdue_q
from jishiban.appeals.filters import day_bounds
from jishiban.appeals.models import Appeal, AppealEvent, Status
from jishiban.appeals.workflow import GONE, Action
from jishiban.intake.pipeline import normalise_phone

UNFINISHED = [*OPEN, Status.REPLIED, Status.CALLBACK_DONE]
LIST_RELATED = ("channel", "category__parent__parent", "county", "town", "lead_unit")


def visible(user):
    return Appeal.objects.visible_to(user)


# --- The call desk -----------------------------------------------------------------------------

def caller_history(user, phone: str, *, now: datetime, limit: int = 8) -> dict | None:
    """The caller's earlier appeals (newest first) and whether they are a repeat caller: at
    least the repeat rule's threshold of appeals within its window (``appeals.repeats``; the
    call has no category yet, so by the caller alone)."""
    phone = normalise_phone(phone)
    if len(phone) < 5:
        return None
    base = Appeal.objects.by_identity(user, phone=phone)
    recent = list(base.select_related(*LIST_RELATED).order_by("-received_at", "-id")[:limit])
    r = repeats.rule()
    in_window = base.exclude(status__in=GONE).filter(received_at__gte=now - r.window).count()
    return {"phone": phone, "appeals": recent, "count_window": in_window,
            "repeat": in_window >= r.threshold, "window_days": r.window_days}


# --- Dispatch queue ----------------------------------------------------------------------------------

def attach_hints(user, appeals) -> None:
    """Set ``appeal.hints`` on each appeal: the duplicates smart help's index found for it that
    ``user`` may see (``smart.selectors.duplicate_hints``), best first."""
    from jishiban.smart.selectors import duplicate_hints

    hints = duplicate_hints(user, appeals, related=LIST_RELATED) if appeals else {}
    for appeal in appeals:
        appeal.hints = hints.get(appeal.pk, [])


# The dispatch desk's two queues (the page's tabs): 待派单 and 退回待改派.
QUEUES = {"received": Status.RECEIVED, "returned": Status.RETURNED}


def queue_for(status: str) -> str | None:
    """The queue (tab) an appeal in ``status`` waits in, or ``None`` when it waits in none."""
    return next((tab for tab, s in QUEUES.items() if s == status), None)


def queue_appeals(user, status: str):
    """The one definition of a dispatch queue: the appeals ``user`` sees in ``status`` (received
    or returned), urgent first, then oldest (``next_in_queue`` walks the same order)."""
    return visible(user).filter(status=status).order_by("-urgent", "received_at", "id")


def next_in_queue(user, status: str, after: Appeal) -> Appeal | None:
    """The appeal the desk takes next in the ``status`` queue once ``after`` has left it: the first
    one after ``after``'s place in the queue's order, else (the dispatcher was at the end) the
    first of the queue; ``None`` when the queue is empty."""
    qs = queue_appeals(user, status).exclude(pk=after.pk)
    same = Q(urgent=after.urgent)
    later = (same & Q(received_at__gt=after.received_at)) | (same & Q(received_at=after.received_at, id__gt=after.pk))
    if after.urgent:
        later |= Q(urgent=False)
    return qs.filter(later).first() or qs.first()


def dispatch_queue(user, status: str, *, limit: int = 50):
    """Appeals waiting for the dispatch desk in ``status`` (``queue_appeals``). Returned ones carry
    ``returns`` (their return events, newest first)."""
    qs = queue_appeals(user, status).select_related(*LIST_RELATED)
    if status == Status.RETURNED:
        qs = qs.prefetch_related(Prefetch(
            "events", queryset=AppealEvent.objects.filter(action=Action.RETURN)
            .select_related("actor", "actor_unit").order_by("-at", "-id"), to_attr="returns"))
    rows = list(qs[:limit])
    attach_hints(user, rows)
    return rows


# --- Unit inbox -----------------------------------------------------------------------------------------

def unit_inbox(user, *, now: datetime) -> dict:
    """The user's unit's appeals in hand, by reply deadline, with counts for the day."""
    org = user.organisation_id
    lead = visible(user).held_by(org)
    rows = list(lead.select_related(*LIST_RELATED)
                .order_by(F("reply_deadline").asc(nulls_last=True), "id")[:200])
    start, end = day_bounds(timezone.localdate(now))
    counts = lead.aggregate(
        due_today=Count("pk", filter=due_between_q(now, end)),
        overdue=Count("pk", filter=overdue_q(now)),
        to_sign=Count("pk", filter=Q(status__in=[Status.DISPATCHED, Status.REOPENED])),
        total=Count("pk"),
    )
    co = list(visible(user).co_handled_by(org).select_related(*LIST_RELATED)
              .order_by(F("reply_deadline").asc(nulls_last=True), "id")[:100])
    return {"rows": rows, "co_rows": co, **counts}


# --- Centre oversight ------------------------------------------------------------------------------------

OVERSIGHT_LISTS = ("overdue", "due_soon", "returned_twice", "dissatisfied", "repeat", "risk")


def by_small_set(field: str, *, desc: bool = False):
    """An ORDER BY on ``field`` that the database cannot serve from ``field``'s own index.

    For filters that already narrow to a small set through another index (the open appeals via
    (status, reply_deadline)): without this, SQLite walks the whole deadline index, finished
    appeals included, to avoid sorting a few hundred rows.
    """
    expression = Coalesce(F(field), F(field))
    return expression.desc() if desc else expression.asc()


def oversight_queryset(user, key: str, *, now: datetime, memo: dict | None = None):
    """The queryset of one oversight list (see ``OVERSIGHT_LISTS``); every list is bounded by
    an indexed status set, so it stays small however many finished appeals there are.
    ``memo`` (a dict kept for one request) saves computing the repeat callers twice."""
    base = visible(user)
    if key == "overdue":
        return base.overdue(now).order_by(by_small_set("reply_deadline"), "id")
    if key == "due_soon":
        return (base.in_hand().filter(reply_deadline__gte=now)
                .filter(Q(yellow_at__lte=now) | Q(reply_deadline__lt=now + timedelta(days=1)))
                .order_by(by_small_set("reply_deadline"), "id"))
    if key == "returned_twice":
        return base.open().filter(return_count__gte=2).order_by("-return_count", "received_at", "id")
    if key == "dissatisfied":
        # Called back 不满意 or 未解决 and waiting for the centre's decision: the callback list's own
        # definition (supervision.selectors.callback_tasks), so both pages count the same appeals.
        from jishiban.supervision.selectors import awaiting_decision

        return (base.filter(pk__in=awaiting_decision(user).values("pk"))
                .order_by(by_small_set("received_at", desc=True), "-id"))
    if key == "repeat":
        memo = {} if memo is None else memo
        if "repeat" not in memo:
            memo["repeat"] = repeat_open_ids(user, now=now)
        return base.filter(pk__in=memo["repeat"]).order_by("-received_at", "-id")
    if key == "risk":
        return (base.filter(status__in=UNFINISHED, tags__icontains='"risk:')
                .order_by(by_small_set("received_at", desc=True), "-id"))
    raise ValueError(key)


def repeat_open_ids(user, *, now: datetime) -> list[int]:
    """Open appeals that are repeat complaints (重复诉求) under the one rule
    (``appeals.repeats``), counted over the rule's window before ``now``.

    One pass over the open appeals (status index) with a scalar count per appeal over the phone
    and address indexes; computed once per request (``oversight_queryset``'s memo). The other
    appeals are counted over the whole table: a number, no rows shown.
    """
    return list(repeats.repeats_among(visible(user).open(), now=now).values_list("pk", flat=True))
