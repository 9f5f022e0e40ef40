"""Appeals handed in before a phone sign-in: which may join the account, and the citizen's answer.

The rule. A phone number is reassigned when its owner gives it up, so proving a number today
does not prove who used it months ago. After the SMS-code sign-in the citizen is shown, and
asked "这些是您提交的吗？", the appeals that

* were handed in on the portal (channel ``jishiban-app``: typed into this form by the person
  holding the phone, not a number an operator noted down for a call),
* with exactly this mobile number, without an account and not anonymously,
* within the last ``PORTAL["CLAIM_DAYS"]`` days (30 by default),
* and that this account has not answered about before.

Only those ticked join the account (``appeals.services.attach_citizen_account``: an event on each
appeal); every answer is kept (``ClaimDecision``), so one marked "not mine" is never offered
again, and nothing is attached silently. The list shows the number, the day, the category and
the first words of the description: no more than following by number and a code sent to that
phone would show.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.appeals import services as appeal_services
from jishiban.appeals.errors import ActionNotAllowed
from jishiban.appeals.models import Appeal

from . import conf
from .models import ClaimDecision


def candidates(user, *, now=None):
    """The earlier appeals ``user`` (a citizen who proved ``user.phone``) is asked about, newest first."""
    now = now or timezone.now()
    if not user.phone:
        return Appeal.objects.none()
    answered = ClaimDecision.objects.filter(user=user).values("appeal_id")
    return (Appeal.objects.filter(channel__code=conf.CHANNEL, citizen_phone=user.phone, citizen_user__isnull=True,
                                  anonymous=False, received_at__gte=now - timedelta(days=int(conf.get("CLAIM_DAYS"))))
            .exclude(pk__in=answered).select_related("category").order_by("-received_at"))


def decide(user, *, mine: list[int], offered: list[int], now=None) -> list[Appeal]:
    """Record the citizen's answer about the appeals ``offered`` on the page: those in ``mine``
    join the account, the others are marked not theirs. Only appeals the rule still offers are
    touched (a stale or forged id is ignored). Returns the appeals attached."""
    now = now or timezone.now()
    allowed = {a.pk: a for a in candidates(user, now=now).filter(pk__in=offered)}
    attached = []
    with transaction.atomic():
        for pk, appeal in allowed.items():
            yes = pk in set(mine)
            ClaimDecision.objects.create(user=user, appeal=appeal, attached=yes, decided_at=now)
            if yes:
                try:
                    attached.append(appeal_services.attach_citizen_account(
                        appeal, user=user, at=now, reason=_("诉求人以手机号登录后确认为本人提交")))
                except ActionNotAllowed:
                    continue  # joined another account meanwhile: nothing to do
    return attached
