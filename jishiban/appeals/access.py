"""Row-level access to appeals, denied by default.

``Appeal.objects.visible_to(user)`` is the one place that decides which appeals a user may
see; every list, detail, export, report and API endpoint starts from it. A role not named
here sees nothing.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, OuterRef, Q

# Roles that see every appeal (read access; what they may *do* is the workflow's business).
SEE_ALL_ROLES = frozenset({"admin", "operator", "dispatcher", "supervisor", "analyst", "leader"})


def _unit_filter(org_id: int, model) -> Q:
    co = model.co_units.through.objects.filter(appeal_id=OuterRef("pk"), organisation_id=org_id)
    return Q(lead_unit_id=org_id) | Q(Exists(co))


class AppealQuerySet(models.QuerySet):
    def visible_to(self, user) -> AppealQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        role = getattr(user, "role", None)
        if role in SEE_ALL_ROLES:
            return self
        if role == "county_staff" and user.region_id:
            return self.filter(county_id=user.region_id)
        if role in ("handler", "dept_head") and user.organisation_id:
            return self.filter(_unit_filter(user.organisation_id, self.model))
        if role == "grid_worker" and user.region_id:
            return self.filter(grid_id=user.region_id)
        if role == "citizen":
            return self.filter(citizen_user_id=user.pk)
        return self.none()

    def open(self) -> AppealQuerySet:
        from .workflow import OPEN_STATES

        return self.filter(status__in=[str(s) for s in OPEN_STATES])

    def overdue(self, now) -> AppealQuerySet:
        from .workflow import HANDLING_STATES

        return self.filter(status__in=[str(s) for s in HANDLING_STATES], reply_deadline__lt=now)
