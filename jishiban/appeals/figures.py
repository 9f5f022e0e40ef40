"""One definition of each figure about appeals: open, in hand, overdue, due, the card.

Every page, API field, letter, report and job says "open", "overdue", "due between" or
"yellow/red card" through these (as filters: ``Appeal.objects.open()``, ``.overdue(now)``,
``.due_between(a, b)``, ``.with_card(card, now)``; for one appeal: ``card_of``). The stored
``Appeal.card`` column is what the five-minute job last computed (it drives alerts once per
card); what is shown is computed live from here.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from .models import Card
from .workflow import HANDLING_STATES, OPEN_STATES

OPEN = tuple(sorted(str(s) for s in OPEN_STATES))  # not finished (办结, merged, invalid, answered)
HANDLING = tuple(sorted(str(s) for s in HANDLING_STATES))  # a unit holds it: the reply clock runs


def open_q() -> Q:
    return Q(status__in=OPEN)


def handling_q() -> Q:
    return Q(status__in=HANDLING)


def overdue_q(now: datetime) -> Q:
    """In a unit's hands past its reply deadline (超期, 红牌)."""
    return handling_q() & Q(reply_deadline__lt=now)


def due_between_q(start: datetime, end: datetime) -> Q:
    """In a unit's hands with the reply deadline in ``[start, end)``."""
    return handling_q() & Q(reply_deadline__gte=start, reply_deadline__lt=end)


def card_q(card: str, now: datetime) -> Q:
    """The appeals showing ``card`` at ``now``: red overdue; yellow inside the warning period and
    not yet overdue; none (``""``) for the rest of those in hand."""
    if card == Card.RED:
        return overdue_q(now)
    if card == Card.YELLOW:
        return handling_q() & Q(reply_deadline__gte=now, yellow_at__lte=now)
    return handling_q() & Q(reply_deadline__gte=now) & (Q(yellow_at__gt=now) | Q(yellow_at__isnull=True))


def card_of(appeal, now: datetime) -> str:
    """``red`` past the reply deadline, ``yellow`` inside the warning period, else ``""``; only
    while a unit holds the appeal (the same rule as ``card_q``)."""
    if str(appeal.status) not in HANDLING or appeal.reply_deadline is None:
        return Card.NONE
    if appeal.reply_deadline < now:
        return Card.RED
    if appeal.yellow_at and appeal.yellow_at <= now:
        return Card.YELLOW
    return Card.NONE


def is_overdue(appeal, now: datetime) -> bool:
    return card_of(appeal, now) == Card.RED
