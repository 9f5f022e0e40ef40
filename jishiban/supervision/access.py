"""Who may see and do what in supervision, denied by default.

Every list starts from ``Appeal.objects.visible_to(user)`` (so county staff see their county
only); unit staff see the orders and promises addressed to their unit and nothing else.
Leaders read everything their appeal scope allows and change nothing.
"""

from __future__ import annotations

from django.db.models import Q

from jishiban.appeals.models import Appeal

MANAGE = frozenset({"supervisor", "county_staff", "admin"})  # open/close orders, decide, meetings
READ = MANAGE | {"leader"}  # supervision pages and figures
UNIT = frozenset({"handler", "dept_head"})  # respond to orders, fulfil promises
CALLBACK_DESK = frozenset({"operator", "supervisor", "county_staff", "admin"})  # make callbacks
CONTEST = frozenset({"dispatcher", "supervisor", "county_staff", "admin"})  # contest a return


def role(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ""
    if user.is_superuser:
        return "admin"
    return getattr(user, "role", "") or ""


def may_manage(user) -> bool:
    return role(user) in MANAGE


def may_read(user) -> bool:
    return role(user) in READ


def is_unit_staff(user) -> bool:
    return role(user) in UNIT and bool(user.organisation_id)


def may_call_back(user) -> bool:
    return role(user) in CALLBACK_DESK


def may_contest(user) -> bool:
    return role(user) in CONTEST


def may_enter(user) -> bool:
    """Whether the supervision area has anything for ``user`` at all."""
    return may_read(user) or is_unit_staff(user) or may_call_back(user) or may_contest(user)


def appeals_in_scope(user):
    """The appeals whose supervision ``user`` may see (not for unit staff: see below)."""
    if not (may_read(user) or may_call_back(user) or may_contest(user)):
        return Appeal.objects.none()
    return Appeal.objects.visible_to(user)


def orders_for(user, queryset=None):
    from .models import SupervisionOrder

    qs = SupervisionOrder.objects.all() if queryset is None else queryset
    if may_read(user):
        return qs.filter(appeal__in=Appeal.objects.visible_to(user))
    if is_unit_staff(user):
        return qs.filter(Q(target_unit_id=user.organisation_id) | Q(responsible_unit_id=user.organisation_id))
    return qs.none()


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
    if role(user) in ("supervisor", "admin", "leader"):
        return qs
    if role(user) == "county_staff":
        # A county sees the meetings that discuss its appeals (or that it convened).
        scope = Appeal.objects.visible_to(user)
        return qs.filter(Q(disputes__appeal__in=scope) | Q(created_by=user)).distinct()
    return qs.none()


def letters_for(user, queryset=None):
    from .models import ReminderLetter

    qs = ReminderLetter.objects.all() if queryset is None else queryset
    r = role(user)
    if r in ("supervisor", "admin", "leader"):
        return qs
    if r == "county_staff" and user.region_id:
        return qs.filter(unit__region_id=user.region_id)
    if is_unit_staff(user):
        return qs.filter(unit_id=user.organisation_id)
    return qs.none()


def units_in_scope(user):
    """Units a manager may address (letters, reports): all for the city, the county's own for county staff."""
    from jishiban.organisations.models import Organisation

    r = role(user)
    if r in ("supervisor", "admin", "leader"):
        return Organisation.objects.exclude(kind="centre")
    if r == "county_staff" and user.region_id:
        return Organisation.objects.exclude(kind="centre").filter(region_id=user.region_id)
    return Organisation.objects.none()
