"""The definitions analytics borrows from their one home, each through one function here.

Nothing in this app decides by itself who sees what, what is open or overdue, what a repeat
complaint is, or what an appeal's deadlines are: it asks these functions, and each of them
asks the owner (``accounts.policy``: who sees what; ``appeals``: access, ``open``/``overdue``, deadlines; ``smart``: the repeat
flag). When an owner's definition moves, only the one line here changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from jishiban.accounts import policy
from jishiban.appeals.models import Appeal


@dataclass(frozen=True)
class FigureScope:
    """Which part of the daily tables a user may read: ``everything``, one ``county`` (region
    id) or one ``unit`` (organisation id); ``nothing`` otherwise (deny by default)."""

    kind: str  # "everything" | "county" | "unit" | "nothing"
    id: int = 0

    @property
    def nothing(self) -> bool:
        return self.kind == "nothing"


def figure_scope(user) -> FigureScope:
    """The figures ``user`` may see: the same scope as ``Appeal.objects.visible_to`` (all for the
    roles that see every appeal, the county for county staff, the unit for a unit's staff)."""
    scope = policy.appeal_scope(user) if policy.may_read_figures(user) else None
    if scope == "all":
        return FigureScope("everything")
    if scope == "county":
        return FigureScope("county", user.region_id)
    if scope == "unit":
        return FigureScope("unit", user.organisation_id)
    return FigureScope("nothing")


def visible_appeals(user):
    """The appeals behind a figure that ``user`` may open."""
    return Appeal.objects.visible_to(user)


def all_appeals():
    """Every appeal, for matching a topic's words (the figures' scope is applied to the counts)."""
    return Appeal.objects.all()


def open_appeals(qs=None):
    return (qs if qs is not None else Appeal.objects.all()).open()


def overdue_appeals(now: datetime, qs=None):
    return (qs if qs is not None else Appeal.objects.all()).overdue(now)


def has_repeat_flag(tags) -> bool:
    """The repeat-complaint flag smart help sets on an appeal (its one rule)."""
    from jishiban.smart.services import REPEAT_TAG

    return REPEAT_TAG in (tags or [])


def reconstructed_deadlines(appeal: Appeal, start: datetime) -> tuple[datetime | None, datetime | None]:
    """(sign-off, reply) deadlines an earlier cycle of ``appeal`` got when it started at
    ``start``: the deadline policy applied again (events do not store them)."""
    from jishiban.appeals.deadlines import dispatch_deadlines

    d = dispatch_deadlines(appeal, start)
    return d["sign_deadline"], d["reply_deadline"]


def work_minutes(a: datetime, b: datetime) -> int:
    from jishiban.sla.services import get_calendar

    if b <= a:
        return 0
    return int(get_calendar().working_seconds_between(a, b) // 60)
