"""Row-level access to appeals, denied by default.

``Appeal.objects.visible_to(user)`` is the one place that decides which appeals a user may
see; every list, detail, export, report and API endpoint starts from it. Which scope a
role has is the role policy's (``accounts.policy.appeal_scope``); a role without one sees
nothing.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, OuterRef, Q

from jishiban.accounts import policy


def _unit_filter(org_id: int, model) -> Q:
    co = model.co_units.through.objects.filter(appeal_id=OuterRef("pk"), organisation_id=org_id)
    return Q(lead_unit_id=org_id) | Q(Exists(co))


class AppealQuerySet(models.QuerySet):
    def visible_to(self, user) -> AppealQuerySet:
        scope = policy.appeal_scope(user)
        if scope == "all":
            return self
        if scope == "county":
            return self.filter(county_id=user.region_id)
        if scope == "unit":
            return self.filter(_unit_filter(user.organisation_id, self.model))
        if scope == "grid":
            from jishiban.grid.selectors import worker_appeals_q  # the grids a worker works now, and tasks

            return self.filter(worker_appeals_q(user))
        if scope == "own":
            return self.filter(citizen_user_id=user.pk)
        return self.none()

    def by_identity(self, user, *, phone: str = "", citizen_user=None, of=None) -> AppealQuerySet:
        """The one way to reach appeals through a citizen's identity (caller history, 同一来电人的
        其他诉求, a phone search, same-caller duplicates and repeats): the appeals ``user`` may
        see *and* whose citizen they may see (``privacy.identity_shown_to``), with that phone or
        citizen account, or those of the same caller as appeal ``of`` (its phone, else its
        citizen account; ``of`` itself left out). ``of`` may also be a list of appeals (a page's
        worth): then the other appeals of any of their callers, the appeals themselves included.

        A confidential appeal is never reached by someone who may not see its citizen, and
        following ``of`` gives nothing from an appeal whose citizen is hidden from ``user``. With
        no identity given the result is empty: a role without identity rights searches nothing.
        """
        from .privacy import identity_shown_to, may_see_identity

        phones, accounts = {phone} - {""}, {citizen_user} - {None}
        single = of is not None and not isinstance(of, list | tuple | set)
        for source in ([of] if single else list(of or ())):
            if source.anonymous or not may_see_identity(user, source):
                continue
            if source.citizen_phone:
                phones.add(source.citizen_phone)
            elif source.citizen_user_id:
                accounts.add(source.citizen_user_id)
        if not phones and not accounts:
            return self.none()
        found = self.filter(models.Q(citizen_phone__in=sorted(phones)) | models.Q(citizen_user_id__in=sorted(accounts))
                            if phones and accounts else models.Q(citizen_phone__in=sorted(phones)) if phones
                            else models.Q(citizen_user_id__in=sorted(accounts)))
        found = found.visible_to(user).filter(identity_shown_to(user))
        return found.exclude(pk=of.pk) if single and of.pk else found

    def open(self) -> AppealQuerySet:
        """Not finished (``figures.OPEN``)."""
        from .figures import open_q

        return self.filter(open_q())

    def in_hand(self) -> AppealQuerySet:
        """Held by a unit, the reply clock running (``figures.HANDLING``)."""
        from .figures import handling_q

        return self.filter(handling_q())

    def held_by(self, org_id: int) -> AppealQuerySet:
        """A unit's own queue (主办): led by ``org_id`` and in hand (the unit inbox, the town inbox)."""
        return self.filter(lead_unit_id=org_id).in_hand()

    def co_handled_by(self, org_id: int) -> AppealQuerySet:
        """Where ``org_id`` is only a co-handler (协办) and its part may still be written: open or
        replied, led by another unit (the unit inbox, the town inbox)."""
        from .figures import OPEN
        from .models import Status

        return self.filter(co_units__id=org_id, status__in=[*OPEN, Status.REPLIED]).exclude(lead_unit_id=org_id)

    def overdue(self, now) -> AppealQuerySet:
        """Held by a unit past the reply deadline (超期)."""
        from .figures import overdue_q

        return self.filter(overdue_q(now))

    def due_between(self, start, end) -> AppealQuerySet:
        """Held by a unit with the reply deadline in ``[start, end)``."""
        from .figures import due_between_q

        return self.filter(due_between_q(start, end))

    def with_card(self, card: str, now) -> AppealQuerySet:
        """Showing ``card`` (``Card.RED``/``YELLOW``/``NONE``) at ``now``, computed live."""
        from .figures import card_q

        return self.filter(card_q(card, now))
