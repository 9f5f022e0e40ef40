"""Read-only queries of supervision, each starting from the user's scope (``access``).

Contracts other areas rely on:

* ``unread_count(user) -> int`` — unread in-app notifications (the nav badge);
* ``decisions_for(category, county=None, *, on=None) -> list[DispatchDecision]`` — the
  meeting decisions routing applies, most specific first (see its docstring);
* ``follow_ups_due_for(user)`` / ``orders_for_unit(user)`` — what a handler's inbox shows;
* ``supervision_figures(user, period)`` — supervised / solved / rate, total and per unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from jishiban.appeals.filters import apply_filter
from jishiban.appeals.models import Appeal, AppealEvent
from jishiban.appeals.permissions import available_actions

from . import access
from .models import (
    OPEN_FOLLOW_UP,
    CallbackStatus,
    CallbackTask,
    DispatchDecision,
    FollowUpStatus,
    Notification,
    OrderStatus,
    PublicReply,
    PublicReplyStatus,
)
from .rules import SOLVED_SATISFACTION, Period, rate

SOLVED_Q = Q(status="closed") & (Q(solved=True) | Q(satisfaction__in=sorted(SOLVED_SATISFACTION)))


def bounds(period: Period) -> tuple[datetime, datetime]:
    """The period as aware datetimes [start, end) in the local time zone."""
    tz = timezone.get_current_timezone()
    return (datetime.combine(period.start, time.min, tzinfo=tz), datetime.combine(period.end_exclusive, time.min,
                                                                                  tzinfo=tz))


# --- notifications -----------------------------------------------------------------------------------

def unread_count(user) -> int:
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_for(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(user=user).select_related("appeal", "order")


# --- orders ---------------------------------------------------------------------------------------------

def orders(user, *, status: str = "", reason: str = "", level: str = "", unit=None):
    qs = access.orders_for(user).select_related("appeal", "target_unit", "responsible_unit")
    if status == "active":
        qs = qs.exclude(status=OrderStatus.CLOSED)
    elif status:
        qs = qs.filter(status=status)
    if reason:
        qs = qs.filter(reason=reason)
    if level:
        qs = qs.filter(level=level)
    if unit is not None:
        qs = qs.filter(Q(target_unit=unit) | Q(responsible_unit=unit))
    return qs


def orders_for_unit(user):
    """Active orders addressed to a handler's unit (for the unit's inbox)."""
    if not access.is_unit_staff(user):
        return access.orders_for(None)
    return orders(user, status="active")


# --- extensions (延期审批) --------------------------------------------------------------------------------

def extension_requests(user, *, limit: int = 200) -> list[dict]:
    """Appeals waiting for an extension decision, earliest deadline first: ``[{appeal, request,
    new_deadline, can_decide}]`` where ``request`` is the latest request-extension event (with
    its actor) and ``new_deadline`` the deadline it asks for. Three queries however many rows."""
    asks = (AppealEvent.objects.filter(action="request-extension").select_related("actor", "actor_unit")
            .order_by("-at", "-id"))
    rows = []
    for appeal in (Appeal.objects.visible_to(user).filter(status="extension_requested")
                   .select_related("lead_unit").prefetch_related(Prefetch("events", queryset=asks, to_attr="asks"))
                   .order_by("reply_deadline", "id")[:limit]):
        ask = appeal.asks[0] if appeal.asks else None
        new_deadline = datetime.fromisoformat(ask.payload["new_deadline"]) if ask and ask.payload.get(
            "new_deadline") else None
        rows.append({"appeal": appeal, "request": ask, "new_deadline": new_deadline,
                     "can_decide": "decide-extension" in available_actions(user, appeal)})
    return rows


# --- callbacks, follow-ups, public replies ---------------------------------------------------------------

CALLBACK_STATES = ("pending", "decision", "done")


def callback_tasks(user, *, state: str = "pending", filters=None, now=None):
    """The one callback list (回访), for its page, 逐件回访, the supervision home, the oversight
    list of verdicts awaiting a decision, the menu's count and ``/api/v1/supervision/callbacks``.

    ``pending``: every replied appeal until its callback is done (its task is made with the
    reply, and by the sweep for a reply written some other way); ``decision``: called back
    不满意 or 未解决 and waiting for the centre to reopen, supervise or close; ``done``: finished
    callbacks, newest first; ``all``: every task in scope. ``filters`` (an
    ``appeals.filters.ListFilter``) narrows the appeals with the one list filter; a count of
    the same call is the number of rows the list shows (``callback_counts``)."""
    scope = access.appeals_in_scope(user)
    if filters is not None:
        scope = apply_filter(scope, filters, user=user, now=now or timezone.now())
    qs = CallbackTask.objects.filter(appeal__in=scope).select_related("appeal", "appeal__lead_unit",
                                                                      "appeal__channel")
    if state == "pending":
        return qs.filter(status=CallbackStatus.PENDING, appeal__status="replied").order_by("created_at", "id")
    if state == "all":
        return qs
    if state == "decision":
        return (qs.filter(status=CallbackStatus.DONE, decision="", appeal__status="callback_done")
                .filter(Q(satisfaction="dissatisfied") | Q(solved=False)).order_by("done_at", "id"))
    return qs.exclude(status=CallbackStatus.PENDING).order_by("-done_at", "-id")


def callback_counts(user, *, filters=None, now=None) -> dict[str, int]:
    """``{"pending": n, "decision": n}``: the rows of those callback lists, counted from the
    same querysets (``callback_tasks``), so every tab, badge and counter agrees with the list."""
    return {state: callback_tasks(user, state=state, filters=filters, now=now).count()
            for state in ("pending", "decision")}


def awaiting_decision(user):
    """The appeals of the ``decision`` callback list (the oversight list 不满意/未解决)."""
    return Appeal.objects.filter(pk__in=callback_tasks(user, state="decision").values("appeal_id"))


def follow_ups(user, *, state: str = "open"):
    qs = access.follow_ups_for(user).select_related("appeal", "unit")
    if state == "open":
        return qs.filter(status__in=[*OPEN_FOLLOW_UP, FollowUpStatus.FULFILLED])
    if state == "due":
        return qs.filter(status=FollowUpStatus.DUE)
    return qs


def follow_ups_due_for(user):
    """Promises back on a handler's list: due and not yet reported as kept."""
    if not access.is_unit_staff(user):
        return access.follow_ups_for(None)
    return follow_ups(user, state="due")


def public_replies(user, *, status: str = ""):
    qs = PublicReply.objects.filter(appeal__in=access.appeals_in_scope(user)).select_related("appeal", "channel")
    return qs.filter(status=status) if status else qs


def reply_rates(user, period: Period) -> list[dict]:
    """Per public channel: appeals received in ``period`` and how many have a published reply."""
    start, end = bounds(period)
    received = (access.appeals_in_scope(user).filter(channel__public_reply=True, received_at__gte=start,
                                                     received_at__lt=end)
                .values("channel__code", "channel__name")
                .annotate(received=Count("id"),
                          replied=Count("id", filter=Q(public_reply__status=PublicReplyStatus.PUBLISHED)))
                .order_by("channel__code"))
    return [{"channel": row["channel__code"], "name": row["channel__name"], "received": row["received"],
             "replied": row["replied"], "rate": rate(row["replied"], row["received"])} for row in received]


def callback_figures(user, period: Period) -> dict:
    """Callbacks finished in ``period``: verdicts, and unreachable closures counted apart."""
    start, end = bounds(period)
    qs = CallbackTask.objects.filter(appeal__in=access.appeals_in_scope(user), done_at__gte=start, done_at__lt=end)
    row = qs.aggregate(
        done=Count("id", filter=Q(status=CallbackStatus.DONE)),
        satisfied=Count("id", filter=Q(status=CallbackStatus.DONE, satisfaction="satisfied")),
        basically=Count("id", filter=Q(status=CallbackStatus.DONE, satisfaction="basically")),
        dissatisfied=Count("id", filter=Q(status=CallbackStatus.DONE, satisfaction="dissatisfied")),
        unsolved=Count("id", filter=Q(status=CallbackStatus.DONE, solved=False)),
        unreachable=Count("id", filter=Q(status=CallbackStatus.UNREACHABLE)),
    )
    row["satisfaction_rate"] = rate(row["satisfied"] + row["basically"], row["done"])
    return row


# --- figures ------------------------------------------------------------------------------------------------

@dataclass
class UnitFigure:
    unit_id: int
    unit: str
    supervised: int
    solved: int
    rate: Decimal | None


@dataclass
class Figures:
    period: Period
    supervised: int
    solved: int
    rate: Decimal | None
    orders: int
    open_orders: int
    escalated: int
    by_reason: dict = field(default_factory=dict)
    by_unit: list[UnitFigure] = field(default_factory=list)


def supervision_figures(user, period: Period) -> Figures:
    """Appeals supervised in ``period`` (an order opened in it) and how many of them are solved
    now (closed, and solved or (basically) satisfied). Totals count each appeal once; per unit an
    appeal counts once for each unit it was supervised at."""
    start, end = bounds(period)
    base = access.orders_for(user).filter(created_at__gte=start, created_at__lt=end)
    if not access.may_read(user):
        base = base.none()
    appeal_ids = base.values("appeal_id")
    supervised_appeals = Appeal.objects.filter(pk__in=appeal_ids)
    supervised = supervised_appeals.count()
    solved = supervised_appeals.filter(SOLVED_Q).count()
    appeal_solved = Q(appeal__status="closed") & (Q(appeal__solved=True)
                                                  | Q(appeal__satisfaction__in=sorted(SOLVED_SATISFACTION)))
    by_unit_rows = (base.values("target_unit_id", "target_unit__name")
                    .annotate(supervised=Count("appeal_id", distinct=True),
                              solved=Count("appeal_id", distinct=True, filter=appeal_solved))
                    .order_by("-supervised", "target_unit__name"))
    by_unit = [UnitFigure(r["target_unit_id"], r["target_unit__name"], r["supervised"], r["solved"],
                          rate(r["solved"], r["supervised"])) for r in by_unit_rows]
    by_reason = {r["reason"]: r["n"] for r in base.values("reason").annotate(n=Count("id")).order_by("reason")}
    return Figures(
        period=period, supervised=supervised, solved=solved, rate=rate(solved, supervised), orders=base.count(),
        open_orders=base.exclude(status=OrderStatus.CLOSED).count(),
        escalated=base.filter(escalation_count__gt=0).count(), by_reason=by_reason, by_unit=by_unit,
    )


# --- disputes and the dispatch catalogue ---------------------------------------------------------------------

def decisions_for(category, county=None, *, on=None) -> list[DispatchDecision]:
    """Active meeting decisions for ``category`` (a ``Category`` or its code) in ``county``
    (a ``Region``, its code, or ``None``), valid on ``on`` (default today).

    A decision on the category itself or on one of its ancestors applies; so does a decision
    for the whole city (no county). Order: the category nearest the appeal's first, then
    county-specific before city-wide, then the newest ``valid_from``. Each row has ``lead_unit``,
    ``co_units``, ``keywords`` / ``keyword_list`` (empty: any text) and ``explanation()``.
    """
    from jishiban.regions.models import Region
    from jishiban.taxonomy.models import Category

    if category is None:
        return []
    if not isinstance(category, Category):
        category = Category.objects.filter(code=str(category)).first()
        if category is None:
            return []
    if county is not None and not isinstance(county, Region):
        county = Region.objects.filter(code=str(county)).first()
    chain, node = [], category
    while node is not None:
        chain.append(node.pk)
        node = node.parent
    on = on or timezone.localdate()
    where = Q(county__isnull=True) | (Q(county=county) if county is not None else Q(pk__in=[]))
    rows = list(DispatchDecision.objects.filter(is_active=True, category_id__in=chain, valid_from__lte=on)
                .filter(where).select_related("category", "county", "lead_unit", "meeting")
                .prefetch_related("co_units"))
    depth = {pk: i for i, pk in enumerate(chain)}
    rows.sort(key=lambda d: (depth[d.category_id], d.county_id is None, -d.valid_from.toordinal(), -d.pk))
    return rows


# --- one appeal's supervision record ------------------------------------------------------------------------

def appeal_record(user, appeal) -> dict:
    """What supervision holds about ``appeal`` that ``user`` may see: its orders (open ones
    first, then by deadline) and its callback tasks, for the appeal's page and ``/api/v1``.
    Unit staff see the orders addressed to their unit and no callback tasks."""
    orders_qs = (access.orders_for(user).filter(appeal=appeal).select_related("target_unit", "responsible_unit")
                 .order_by(models_case_open(), "deadline", "id"))
    tasks = CallbackTask.objects.none()
    if access.may_read(user) or access.may_call_back(user):
        tasks = CallbackTask.objects.filter(appeal=appeal, appeal__in=access.appeals_in_scope(user)).order_by(
            "round", "id")
    return {"orders": list(orders_qs), "callback_tasks": list(tasks.select_related("done_by"))}


def models_case_open():
    """Open orders before closed ones."""
    from django.db.models import Case, IntegerField, Value, When

    return Case(When(status=OrderStatus.CLOSED, then=Value(1)), default=Value(0), output_field=IntegerField())
