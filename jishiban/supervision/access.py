"""Who may see and do what in supervision, denied by default.

Every list starts from ``Appeal.objects.visible_to(user)`` (so county staff see their county
only); unit staff see the orders and promises addressed to their unit and nothing else.
Leaders read everything their appeal scope allows and change nothing.
"""

from __future__ import annotations

from django.db.models import Q

from jishiban.accounts import policy
from jishiban.appeals.models import Appeal

# The capabilities, as the role policy names them (``accounts/policy.py``).
may_manage = policy.may_supervise  # open/close orders, decide, meetings
may_read = policy.may_read_supervision  # supervision pages and figures
is_unit_staff = policy.is_unit_staff  # respond to orders, fulfil promises
may_call_back = policy.may_call_back  # make callbacks
may_contest = policy.may_contest  # contest a return
may_enter = policy.may_enter_supervision  # the supervision area has anything for the user at all


def appeals_in_scope(user):
    """The appeals whose supervision ``user`` may see (not for unit staff: see below)."""
    if not (may_read(user) or may_call_back(user) or may_contest(user)):
        return Appeal.objects.none()
    return Appeal.objects.visible_to(user)


def orders_for(user, queryset=None):
    from .models import SupervisionOrder

    qs = SupervisionOrder.objects.all() if queryset is None else queryset
    if may_read(user):
        # Orders from a leader's instruction on a report have no appeal: the city's readers see them.
        on_reports = Q(appeal__isnull=True) if policy.sees_all(user) else Q(pk__in=[])
        return qs.filter(Q(appeal__in=Appeal.objects.visible_to(user)) | on_reports)
    if is_unit_staff(user):
        return qs.filter(Q(target_unit_id=user.organisation_id) | Q(responsible_unit_id=user.organisation_id))
    return qs.none()


def may_manage_order(user, order) -> bool:
    """A manager of ``order``'s appeal, or for an order on a report (no appeal) a city manager."""
    if order.appeal_id is None:
        return may_manage(user) and policy.sees_all(user)
    return may_manage_appeal(user, order.appeal)


def may_respond(user, order) -> bool:
    return is_unit_staff(user) and user.organisation_id in (order.target_unit_id, order.responsible_unit_id)


def may_manage_appeal(user, appeal) -> bool:
    """A manager whose appeal scope includes ``appeal`` (county staff: their county only)."""
    return may_manage(user) and Appeal.objects.visible_to(user).filter(pk=appeal.pk).exists()


def follow_ups_for(user, queryset=None):
    from .models import FollowUp

    qs = FollowUp.objects.all() if queryset is None else queryset
    if may_read(user):
        return qs.filter(appeal__in=Appeal.objects.visible_to(user))
    if is_unit_staff(user):
        return qs.filter(unit_id=user.organisation_id)
    return qs.none()


def disputes_for(user, queryset=None):
    from .models import Dispute

    qs = Dispute.objects.all() if queryset is None else queryset
    if may_read(user) or may_contest(user):
        return qs.filter(appeal__in=Appeal.objects.visible_to(user))
    return qs.none()


def meetings_for(user, queryset=None):
    from .models import Meeting

    qs = Meeting.objects.all() if queryset is None else queryset
    if policy.supervises_city(user):
        return qs
    if policy.is_county_staff(user):
        # A county sees the meetings that discuss its appeals (or that it convened).
        scope = Appeal.objects.visible_to(user)
        return qs.filter(Q(disputes__appeal__in=scope) | Q(created_by=user)).distinct()
    return qs.none()


def letters_for(user, queryset=None):
    from .models import LetterStatus, ReminderLetter

    qs = ReminderLetter.objects.all() if queryset is None else queryset
    if policy.supervises_city(user):
        return qs
    if policy.is_county_staff(user) and user.region_id:
        return qs.filter(unit__region_id=user.region_id)
    if is_unit_staff(user):  # a unit sees its letters once sent, not the centre's drafts
        return qs.filter(unit_id=user.organisation_id, status=LetterStatus.SENT)
    return qs.none()


def notifications_for(user, queryset=None):
    """Notifications in ``user``'s scope: their own, and those about appeals they may see (for
    the admin; the workbench lists only a user's own, ``selectors.notifications_for``)."""
    from .models import Notification

    qs = Notification.objects.all() if queryset is None else queryset
    if policy.role_of(user) is None:
        return qs.none()
    if policy.sees_all(user):
        return qs
    return qs.filter(Q(user_id=user.pk) | Q(appeal__in=Appeal.objects.visible_to(user).values("pk")))


def units_in_scope(user):
    """Units a manager may address (letters, reports): all for the city, the county's own for county staff."""
    from jishiban.organisations.models import Organisation

    if policy.supervises_city(user):
        return Organisation.objects.exclude(kind="centre")
    if policy.is_county_staff(user) and user.region_id:
        return Organisation.objects.exclude(kind="centre").filter(region_id=user.region_id)
    return Organisation.objects.none()


def may_instruct_appeal(user, appeal, reason) -> bool:
    """A leader's instruction (领导批示) on an appeal in their scope: leaders write it
    themselves (and change nothing else), supervisors record it."""
    from .models import Reason

    return reason == Reason.LEADER and policy.may_instruct(user) and Appeal.objects.visible_to(user).filter(
        pk=appeal.pk).exists()
