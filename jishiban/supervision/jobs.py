"""Periodic supervision work, run by django-q2 schedules (created on ``migrate``):

* ``cards`` (every 5 minutes): ``appeals.services.refresh_cards``, one notification per newly
  yellow or red appeal and unit (``CardAlert`` remembers what was announced to whom), a newly
  red one's overdue order named in that same message;
* ``sweep`` (every 15 minutes): triggers no transition announces, promises falling due,
  missed order deadlines (escalation), and callback tasks a failed reaction missed;
* ``deliver`` (every minute): notification deliveries due or to retry.

Each is idempotent: running it twice in a row changes nothing the second time.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from jishiban.appeals import services as appeal_services
from jishiban.appeals.models import Appeal

from . import notices, triggers
from .models import CardAlert, Reason

logger = logging.getLogger("jishiban.supervision")

SCHEDULES = [
    # name, function, minutes
    ("supervision-cards", "jishiban.supervision.jobs.cards", 5),
    ("supervision-sweep", "jishiban.supervision.jobs.sweep", 15),
    ("supervision-deliver", "jishiban.supervision.jobs.deliver", 1),
]


def ensure_schedules(**_kwargs) -> None:
    """Create the schedules once (post_migrate); an operator's later edits are kept."""
    from django_q.models import Schedule

    for name, func, minutes in SCHEDULES:
        Schedule.objects.get_or_create(name=name, defaults={
            "func": func, "schedule_type": Schedule.MINUTES, "minutes": minutes, "repeats": -1,
            "next_run": timezone.now(),
        })


def cards(now=None) -> dict[str, int]:
    """Refresh the cards, then announce each yellow/red card once per deadline to the unit
    holding the appeal (a re-dispatched appeal's new unit hears of its own card); a red card
    opens the overdue order and says so in the same message."""
    now = now or timezone.now()
    counts = appeal_services.refresh_cards(now)
    announced = CardAlert.objects.filter(appeal=OuterRef("pk"), card=OuterRef("card"),
                                         deadline=OuterRef("reply_deadline"), unit=OuterRef("lead_unit"),
                                         closed_at__isnull=True)
    fresh = (Appeal.objects.filter(card__in=["yellow", "red"], reply_deadline__isnull=False, lead_unit__isnull=False)
             .exclude(Exists(announced)).select_related("lead_unit"))
    alerts = orders = 0
    for appeal in fresh:
        try:
            with transaction.atomic():
                CardAlert.objects.create(appeal=appeal, unit=appeal.lead_unit, card=appeal.card,
                                         deadline=appeal.reply_deadline, at=now)
                opened = []
                if appeal.card == "red":  # the overdue trigger, without waiting for the sweep
                    opened = triggers.evaluate(appeal, only={Reason.OVERDUE}, now=now, announce=False)
                notices.announce_card(appeal, orders=opened, now=now)
                orders += len(opened)
        except IntegrityError:
            continue  # announced by a concurrent run
        alerts += 1
    counts.update(alerts=alerts, orders=orders)
    return counts


def sweep(now=None) -> dict[str, int]:
    from .services import callbacks, followups, orders

    now = now or timezone.now()
    today = timezone.localdate(now)
    result = {"follow_ups_due": followups.mark_due(today, now=now)}
    result.update(triggers.sweep(now))
    result["promise"] = followups.promise_orders(today, now=now)
    result["escalated"] = orders.escalate_missed(now)
    # Backstop: a replied appeal always has a callback task for its round.
    result["callback_tasks"] = callbacks.backfill_tasks(now=now)
    return result


def deliver(now=None) -> dict[str, int]:
    from .delivery import deliver_due

    return deliver_due(now)
