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
            return self.filter(grid_id=user.region_id)
        if scope == "own":
            return self.filter(citizen_user_id=user.pk)
        return self.none()

    def open(self) -> AppealQuerySet:
        from .workflow import OPEN_STATES

        return self.filter(status__in=[str(s) for s in OPEN_STATES])

    def overdue(self, now) -> AppealQuerySet:
        from .workflow import HANDLING_STATES

        return self.filter(status__in=[str(s) for s in HANDLING_STATES], reply_deadline__lt=now)
