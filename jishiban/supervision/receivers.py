"""Supervision's reactions to workflow transitions (``transition_recorded``, inside the
transaction that wrote the transition).

Each reaction runs in its own savepoint: a failure here is logged and rolled back alone, never
the citizen's transition. The periodic sweep (``jobs.sweep``) repairs what a failed reaction
missed (callback tasks, orders), so nothing falls through.
"""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger("jishiban.supervision")


def _guarded(name, func, *args) -> None:
    try:
        with transaction.atomic():
            func(*args)
    except Exception:  # see the module docstring: never break the workflow
        logger.exception("supervision reaction %s failed for appeal %s", name, getattr(args[0], "pk", None))


def _after_reply(appeal, event) -> None:
    from .services import callbacks, followups, public_replies

    callbacks.ensure_task(appeal, now=event.at)
    followups.ensure_follow_up(appeal, now=event.at)
    public_replies.ensure_draft(appeal, now=event.at)


def _after_reopen(appeal, event) -> None:
    from .services import callbacks, followups

    callbacks.on_reopen_or_close(appeal, event)
    followups.cancel_open(appeal)


def _reopen_notice(appeal, event) -> None:
    from . import notices

    notices.announce_reopen(appeal, event)


def _after_close(appeal, event) -> None:
    from .services import callbacks, orders

    callbacks.on_reopen_or_close(appeal, event)
    orders.stand_down_automatic(appeal, event)


def _after_callback(appeal, event) -> None:
    from .services import callbacks

    callbacks.on_callback(appeal, event)


def _dissatisfied_scheme(appeal, event) -> None:
    from .services import callbacks

    callbacks.apply_dissatisfied_scheme(appeal, event)


def _after_return(appeal, event) -> None:
    from .services import disputes

    disputes.on_return(appeal, event)


def _triggers(appeal, event) -> None:
    from . import triggers

    triggers.on_transition(appeal, event)


def _after_withdraw(appeal, event) -> None:
    from .services import orders

    orders.stand_down_automatic(appeal, event)


def _withdraw_notice(appeal, event) -> None:
    from . import notices

    notices.announce_withdrawal(appeal, event)


def _withdraw_order_owners(appeal, event) -> None:
    from . import notices

    notices.announce_withdrawal_to_order_owners(appeal, event)


def _follow_unit(appeal, event) -> None:
    from . import notices

    notices.follow_lead_unit(appeal, event)


def _dispatch_triggers(appeal, event) -> None:
    from . import triggers

    triggers.on_transition(appeal, event, announce=False)  # named in the dispatch notice


def _dispatch_notice(appeal, event) -> None:
    from . import notices

    notices.announce_dispatch(appeal, event)


REACTIONS = {
    "reply": [_after_reply],
    # The scheme may reopen at once; the triggers then find nothing waiting after the callback.
    "callback": [_after_callback, _dissatisfied_scheme, _triggers],
    "reopen": [_after_reopen, _reopen_notice],
    "close": [_after_close],
    "return": [_after_return],
    "withdraw": [_after_withdraw, _withdraw_notice, _withdraw_order_owners],
    # In this order: the old unit's orders move first, so the one notice names all the new
    # unit's orders; a failure of either still leaves the notice.
    "dispatch": [_follow_unit, _dispatch_triggers, _dispatch_notice],
}


def on_transition_recorded(sender, appeal, event, **kwargs) -> None:
    for reaction in REACTIONS.get(event.action, ()):
        _guarded(reaction.__name__, reaction, appeal, event)
