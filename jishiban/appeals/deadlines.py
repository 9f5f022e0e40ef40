"""Deadline policy: which durations apply to an appeal, and the deadlines they give.

Precedence for the reply deadline: urgent (same working day) → the channel's override →
the category's profile (inherited up the tree) → the system default in settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from jishiban.sla.clock import Duration, parse_duration
from jishiban.sla.services import get_calendar

SAME_DAY = Duration(0, "d")


@dataclass(frozen=True)
class Policy:
    sign: Duration
    reply: Duration
    yellow_before: Duration
    return_window: Duration


def policy_for(appeal) -> Policy:
    conf = settings.JISHIBAN
    category = appeal.category
    sign = (category and category.profile("sign_deadline")) or conf["SIGN_DEADLINE"]
    yellow = (category and category.profile("yellow_before")) or conf["YELLOW_BEFORE"]
    if appeal.urgent:
        reply = SAME_DAY
    else:
        text = (appeal.channel.reply_deadline if appeal.channel_id else "") or (
            category and category.profile("reply_deadline")
        ) or conf["REPLY_DEADLINE"]
        reply = parse_duration(text)
    return Policy(
        sign=parse_duration(sign), reply=reply, yellow_before=parse_duration(yellow),
        return_window=parse_duration(conf["RETURN_WINDOW"]),
    )


def dispatch_deadlines(appeal, at: datetime) -> dict[str, datetime]:
    """Deadlines that start when the appeal is dispatched (or re-dispatched) at ``at``."""
    policy = policy_for(appeal)
    calendar = get_calendar()
    reply = calendar.add(at, policy.reply)
    return {
        "sign_deadline": calendar.add(at, policy.sign),
        "reply_deadline": reply,
        "yellow_at": yellow_for(reply, policy, at),
        "return_deadline": calendar.add(at, policy.return_window),
    }


def yellow_for(reply_deadline: datetime, policy: Policy, start: datetime) -> datetime:
    yellow = get_calendar().subtract(reply_deadline, policy.yellow_before)
    return max(yellow, start)


def extension_limit(appeal) -> datetime:
    """The latest deadline an extension may set: 10 working days after the current one."""
    days = settings.JISHIBAN["MAX_EXTENSION_DAYS"]
    return get_calendar().add(appeal.reply_deadline, Duration(days, "d"))


def working_offer(appeal, asked: datetime) -> datetime | None:
    """``None`` when ``asked`` is working time; else the working moment to offer instead: the
    last one before it, or, when that is not after the current deadline, the close of business
    of the next working day (``sla.clock``: holidays and make-up days of the year included)."""
    calendar = get_calendar()
    if calendar.is_working_time(asked):
        return None
    offer = calendar.working_moment_before(asked)
    if appeal.reply_deadline and offer <= appeal.reply_deadline:
        offer = calendar.close_of_business(calendar.next_working_day(offer.date()))
    return offer
