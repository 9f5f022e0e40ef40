"""The role policy: who a user is (``role_of``) and what that role may do, in one place.

Every gate, navigation entry, queryset, API handler, admin page and template asks one of the
named capabilities below; no other module compares role strings. Capabilities depend on the
role only (``may_dispatch(user)``); what a user may do to one appeal adds their relation to it
(``appeals.permissions.check_can``, ``appeals.access.visible_to``), built on these.

An anonymous or inactive user has no role and therefore no capability. A superuser counts as
``Role.ADMIN`` whatever their ``role`` field says.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from jishiban.appeals.workflow import Action

from .models import Role

R = Role
A = Action

# Centre staff (市中心) and the staff of handling units, as ``User.is_centre_staff`` /
# ``is_unit_staff`` name them.
CENTRE_ROLES = frozenset({R.OPERATOR, R.DISPATCHER, R.SUPERVISOR, R.ANALYST})
UNIT_ROLES = frozenset({R.HANDLER, R.DEPT_HEAD})

# Row scope of appeals (``Appeal.objects.visible_to``): these see every appeal; county staff
# see their county, unit staff their unit's, grid workers their grid, citizens their own.
SEES_ALL = frozenset({R.ADMIN, R.OPERATOR, R.DISPATCHER, R.SUPERVISOR, R.ANALYST, R.LEADER})
# Roles that work the desk: they act on any appeal they can see, or on their county's.
DESK_ROLES = frozenset({R.ADMIN, R.OPERATOR, R.DISPATCHER, R.SUPERVISOR, R.COUNTY_STAFF})
# Who may see a citizen's identity (full name, reveal phone/ID), and on confidential appeals.
IDENTITY_ROLES = frozenset({R.ADMIN, R.OPERATOR, R.DISPATCHER, R.SUPERVISOR, R.COUNTY_STAFF, *UNIT_ROLES})
CONFIDENTIAL_ROLES = frozenset({R.SUPERVISOR})

_CENTRE_DESK = frozenset({R.DISPATCHER, R.SUPERVISOR, R.COUNTY_STAFF, R.ADMIN})
_CENTRE_REVIEW = frozenset({R.SUPERVISOR, R.COUNTY_STAFF, R.ADMIN})

# Who may take a workflow action at all; ``permissions.check_can`` adds the relation to the appeal.
ACTION_ROLES: dict[Action, frozenset[Role]] = {
    A.ANSWER: _CENTRE_DESK | {R.OPERATOR},
    A.DISPATCH: _CENTRE_DESK,
    A.MERGE: _CENTRE_DESK,
    A.INVALIDATE: _CENTRE_DESK,
    A.ACCEPT: UNIT_ROLES,
    A.REQUEST_EXTENSION: UNIT_ROLES,
    A.REPLY: UNIT_ROLES,
    A.DECIDE_EXTENSION: _CENTRE_REVIEW,
    A.CALLBACK: _CENTRE_REVIEW | {R.OPERATOR, R.CITIZEN},
    A.CLOSE: _CENTRE_REVIEW,
    A.REOPEN: _CENTRE_REVIEW,
    # The citizen withdraws their own appeal; those who take calls (and supervise) record a
    # withdrawal asked for by phone. Dispatchers and units do not: it is the citizen's act.
    A.WITHDRAW: _CENTRE_REVIEW | {R.OPERATOR, R.CITIZEN},
}
# 退单审核: a unit asks for a return; the centre's desk approves it (the ``return`` itself, only
# from 退单待审 in the workflow table) or rejects it with a reason.
RETURN_REVIEW = _CENTRE_DESK
ACTION_ROLES[A.REQUEST_RETURN] = UNIT_ROLES
ACTION_ROLES[A.REJECT_RETURN] = RETURN_REVIEW
ACTION_ROLES[A.RETURN] = RETURN_REVIEW

# Supervision: managers open and close orders, decide disputes, hold meetings; readers see its
# pages and figures; the callback desk makes callbacks; these contest a unit's return.
SUPERVISION_MANAGE = frozenset({R.SUPERVISOR, R.COUNTY_STAFF, R.ADMIN})
SUPERVISION_READ = SUPERVISION_MANAGE | {R.LEADER}
SUPERVISION_CITY = frozenset({R.SUPERVISOR, R.ADMIN, R.LEADER})  # city-wide meetings, letters, units
CALLBACK_DESK = frozenset({R.OPERATOR, R.SUPERVISOR, R.COUNTY_STAFF, R.ADMIN})
CONTEST = frozenset({R.DISPATCHER, R.SUPERVISOR, R.COUNTY_STAFF, R.ADMIN})
DECISION_KEEPERS = frozenset({R.SUPERVISOR, R.ADMIN})  # stop a meeting's dispatch decision applying

# The dispatch catalogue: dispatchers read it (they apply it every day), supervisors maintain it.
CATALOGUE_VIEW = frozenset({R.DISPATCHER, R.SUPERVISOR, R.ADMIN})
CATALOGUE_EDIT = frozenset({R.SUPERVISOR, R.ADMIN})

# Defaults of the two lists a deployment may change in settings.
DEFAULT_EXPORT_ROLES = (R.ADMIN, R.SUPERVISOR, R.ANALYST, R.LEADER, R.DISPATCHER, R.COUNTY_STAFF, R.DEPT_HEAD)
# Roles that may hand in appeals through the API (channel systems run as operators).
DEFAULT_API_INTAKE_ROLES = (R.ADMIN, R.OPERATOR, R.DISPATCHER, R.SUPERVISOR, R.COUNTY_STAFF, R.GRID_WORKER,
                            R.CITIZEN)
# What citizens hand in through the API arrives on these channels; tags only staff may set.
DEFAULT_CITIZEN_CHANNELS = ("jishiban-app",)
DEFAULT_INTERNAL_TAGS = ("领导批示", "重点督办", "媒体关注", "舆情")
INTERNAL_TAG_PREFIXES = ("risk:", "repeat:")

# Models whose admin pages each role may open (Django groups, ``accounts.roles``); the rows
# shown are still those of ``visible_to``.
_REFERENCE = ("regions.region", "organisations.organisation", "channels.channel", "taxonomy.category")
_RECORDS = ("appeals.appeal", "appeals.appealevent")
_SUGGESTIONS = ("smart.suggestion",)
_CONFIG = ("sla.holiday", "sla.calendaryear")
ADMIN_VIEW: dict[Role, tuple[str, ...]] = {
    **{role: _REFERENCE + _RECORDS + _SUGGESTIONS
       for role in (R.OPERATOR, R.DISPATCHER, R.ANALYST, R.LEADER, R.COUNTY_STAFF, R.HANDLER, R.DEPT_HEAD)},
    R.SUPERVISOR: _REFERENCE + _RECORDS + _SUGGESTIONS + _CONFIG + (
        "appeals.personaldataaccess", "intake.resultdelivery", "intake.exportlog"),
    R.GRID_WORKER: _REFERENCE + _RECORDS,
    R.CITIZEN: _RECORDS,
}
# Configuration a role maintains itself in the admin (view, add and change).
ADMIN_MAINTAIN: dict[Role, tuple[str, ...]] = {
    R.SUPERVISOR: ("supervision.triggerrule", "supervision.preferences", "supervision.transport", "smart.riskrule"),
}


def role_of(user) -> Role | None:
    """The user's role; ``None`` for nobody, an anonymous or an inactive user, or an unknown role."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    if user.is_superuser:
        return R.ADMIN
    try:
        return Role(getattr(user, "role", "") or "")
    except ValueError:
        return None


def has_role(user, roles) -> bool:
    role = role_of(user)
    return role is not None and role in roles


# --- what a role may do -----------------------------------------------------------------

def role_may(role, action: str) -> bool:
    """Whether ``role`` may take workflow ``action`` at all (the relation is checked elsewhere)."""
    try:
        return role in ACTION_ROLES[Action(action)]
    except (KeyError, ValueError):
        return False


def may_take(user, action: str) -> bool:
    role = role_of(user)
    return role is not None and role_may(role, action)


def may_dispatch(user) -> bool:
    return may_take(user, A.DISPATCH)


def is_citizen(user) -> bool:
    return role_of(user) == R.CITIZEN


def is_staff_member(user) -> bool:
    """Works with appeals for the city (every role but citizens): smart help, routing suggestions."""
    role = role_of(user)
    return role is not None and role != R.CITIZEN


def is_unit_staff(user) -> bool:
    """Staff of a handling unit who belong to one (orders, promises and notes of their unit)."""
    return has_role(user, UNIT_ROLES) and bool(user.organisation_id)


def is_county_staff(user) -> bool:
    return role_of(user) == R.COUNTY_STAFF


def works_the_desk(user) -> bool:
    """Centre or county desk: dispatch and category suggestions, risk flags, corrections."""
    return has_role(user, DESK_ROLES)


# --- what a role may see ----------------------------------------------------------------

def sees_all(user) -> bool:
    return has_role(user, SEES_ALL)


def appeal_scope(user) -> str | None:
    """Which appeals ``user`` sees: ``all``, ``county``, ``unit``, ``grid``, ``own`` or ``None``."""
    role = role_of(user)
    if role is None:
        return None
    if role in SEES_ALL:
        return "all"
    if role == R.COUNTY_STAFF and user.region_id:
        return "county"
    if role in UNIT_ROLES and user.organisation_id:
        return "unit"
    if role == R.GRID_WORKER and user.region_id:
        return "grid"
    if role == R.CITIZEN:
        return "own"
    return None


def sees_identity(user, appeal=None) -> bool:
    """Whether ``user`` may see who the citizen is (name in full, and reveal phone/ID).

    Without ``appeal``: whether the role sees identities at all (searching by phone, ID or
    name). With it: the citizen sees their own; a confidential appeal shows it only to the
    centre's supervisors and the lead unit; unit staff (co-handlers too) see it otherwise.
    """
    role = role_of(user)
    if role is None:
        return False
    if appeal is None:
        return role in IDENTITY_ROLES
    if appeal.citizen_user_id and appeal.citizen_user_id == user.pk:
        return True
    if appeal.confidential:
        is_lead = role in UNIT_ROLES and appeal.lead_unit_id and appeal.lead_unit_id == user.organisation_id
        return role in CONFIDENTIAL_ROLES or bool(is_lead)
    return role in IDENTITY_ROLES


def identity_filter(user) -> Q:
    """``sees_identity`` as a filter over appeals: those whose citizen ``user`` may see.
    Anonymous appeals are left out (their citizen is hidden from everyone)."""
    role = role_of(user)
    if role is None:
        return Q(pk__in=[])
    own = Q(citizen_user_id=user.pk)
    if role in CONFIDENTIAL_ROLES:
        shown = Q(pk__isnull=False)  # every appeal (an empty Q() would vanish in ``own | shown``)
    elif role in IDENTITY_ROLES:
        shown = Q(confidential=False)
        if role in UNIT_ROLES and user.organisation_id:
            shown |= Q(lead_unit_id=user.organisation_id)
    else:
        shown = own
    return (own | shown) & Q(anonymous=False)


FIGURE_READERS = frozenset({R.SUPERVISOR, R.ANALYST, R.LEADER, R.COUNTY_STAFF, R.DEPT_HEAD, R.ADMIN})
FIGURE_RANKINGS = frozenset({R.SUPERVISOR, R.ANALYST, R.LEADER, R.ADMIN})


def may_read_figures(user) -> bool:
    """The centre's figures and reports (``analytics``), each within the reader's visible scope."""
    return has_role(user, FIGURE_READERS)


def may_see_rankings(user) -> bool:
    """The ranking of counties and departments against each other (the city's view)."""
    return has_role(user, FIGURE_RANKINGS)


def may_export(user) -> bool:
    """Export appeal lists (``JISHIBAN_EXPORT_ROLES`` in settings, default above)."""
    return has_role(user, frozenset(getattr(settings, "JISHIBAN_EXPORT_ROLES", DEFAULT_EXPORT_ROLES)))


def may_submit_by_api(user) -> bool:
    """Hand in appeals through ``/api/v1`` (``JISHIBAN_API_INTAKE_ROLES``, default above)."""
    return has_role(user, frozenset(getattr(settings, "JISHIBAN_API_INTAKE_ROLES", DEFAULT_API_INTAKE_ROLES)))


@dataclass(frozen=True)
class SubmissionRights:
    """What a submitter may set on an appeal they hand in (``submission_rights``)."""

    channels: frozenset[str] | None  # the channels they may name; ``None``: any
    default_channel: str | None  # used when they name none
    urgent: bool  # may set the urgent flag
    internal_tags: bool  # may set the tags the centre's own rules act on

    def refusal(self, *, channel: str | None, urgent: bool, tags) -> str | None:
        """A clear message when the submission sets what it may not, else ``None``."""
        if channel and self.channels is not None and channel not in self.channels:
            return _("您只能向渠道 %(c)s 提交诉求") % {"c": "、".join(sorted(self.channels))}
        if urgent and not self.urgent:
            return _("您不能将诉求标为紧急")
        internal = internal_tags(tags or [])
        if internal and not self.internal_tags:
            return _("您不能使用内部标签：%(t)s") % {"t": "、".join(internal)}
        return None


def internal_tags(tags) -> list[str]:
    """The tags among ``tags`` that the centre's rules act on (supervision triggers, smart help):
    ``JISHIBAN_INTERNAL_TAGS`` and the ``risk:`` / ``repeat`` tags smart help sets."""
    named = set(getattr(settings, "JISHIBAN_INTERNAL_TAGS", DEFAULT_INTERNAL_TAGS))
    return [t for t in tags if isinstance(t, str)
            and (t in named or t.startswith(INTERNAL_TAG_PREFIXES) or t == "repeat")]


def submission_rights(user, token_channel: str | None = None) -> SubmissionRights:
    """Decided by the submitter's role and the channel their token is bound to.

    A channel-bound token hands in on its channel only, without the urgent flag or internal
    tags; so does a citizen, on ``JISHIBAN_CITIZEN_CHANNELS`` (default the 济时办 app). Staff
    without a bound token choose freely.
    """
    if token_channel:
        return SubmissionRights(frozenset({token_channel}), token_channel, urgent=False, internal_tags=False)
    if is_citizen(user):
        channels = tuple(getattr(settings, "JISHIBAN_CITIZEN_CHANNELS", DEFAULT_CITIZEN_CHANNELS))
        return SubmissionRights(frozenset(channels), channels[0] if channels else None,
                                urgent=False, internal_tags=False)
    return SubmissionRights(None, None, urgent=True, internal_tags=True)


# --- supervision and the dispatch catalogue --------------------------------------------

def may_supervise(user) -> bool:
    """Open and close supervision orders, decide disputes and extensions, hold meetings."""
    return has_role(user, SUPERVISION_MANAGE)


def may_read_supervision(user) -> bool:
    return has_role(user, SUPERVISION_READ)


def supervises_city(user) -> bool:
    """Supervision across the whole city (every meeting, letter and unit), not one county."""
    return has_role(user, SUPERVISION_CITY)


def may_call_back(user) -> bool:
    return has_role(user, CALLBACK_DESK)


def may_contest(user) -> bool:
    return has_role(user, CONTEST)


def may_deactivate_decisions(user) -> bool:
    return has_role(user, DECISION_KEEPERS)


def may_enter_supervision(user) -> bool:
    """Whether the supervision area has anything for ``user`` at all."""
    return may_read_supervision(user) or is_unit_staff(user) or may_call_back(user) or may_contest(user)


def may_view_catalogue(user) -> bool:
    return has_role(user, CATALOGUE_VIEW)


def may_edit_catalogue(user) -> bool:
    return has_role(user, CATALOGUE_EDIT)


# --- pages ------------------------------------------------------------------------------

def _roles(*roles) -> Callable[[object], bool]:
    members = frozenset(roles)
    return lambda user: has_role(user, members)


# Every workbench page a role may open, by name; the views' gates (``core.views.gate``) and the
# navigation (``web.navigation``) both read this table.
PAGES: dict[str, Callable[[object], bool]] = {
    "intake": _roles(R.OPERATOR, R.DISPATCHER, R.SUPERVISOR, R.ADMIN),
    "dispatch": _roles(R.DISPATCHER, R.SUPERVISOR, R.COUNTY_STAFF, R.ADMIN),
    "inbox": _roles(*UNIT_ROLES),
    "oversight": _roles(R.SUPERVISOR, R.COUNTY_STAFF, R.LEADER, R.ANALYST, R.ADMIN),
    "callbacks": lambda user: may_call_back(user) or may_read_supervision(user),
    "extensions": may_read_supervision,
    "supervision": may_enter_supervision,
    "routing": may_view_catalogue,
    "list": lambda user: role_of(user) is not None,
    "dashboard": _roles(R.SUPERVISOR, R.ANALYST, R.LEADER, R.COUNTY_STAFF, R.DISPATCHER, R.ADMIN),
    "analytics": lambda user: may_read_figures(user),
    "warnings": lambda user: may_read_warnings(user),
    "cockpit": lambda user: may_see_cockpit(user),
    "returns": lambda user: role_of(user) in RETURN_REVIEW,  # 退单审核
}


def may_open(user, page: str) -> bool:
    """Whether ``user`` may open workbench page ``page`` (a key of ``PAGES``). A citizen opens
    none: their pages are the portal's (``portal.middleware`` keeps them there)."""
    check = PAGES.get(page)
    return bool(check and not is_citizen(user) and check(user))


def pages_for(user) -> frozenset[str]:
    return frozenset(page for page in PAGES if may_open(user, page))


def capabilities(user) -> dict[str, bool]:
    """The capabilities templates use (``{% if may.dispatch %}``), from the context processor."""
    return {
        "dispatch": may_dispatch(user), "supervise": may_supervise(user), "export": may_export(user),
        "see_identity": sees_identity(user), "see_all": sees_all(user), "call_back": may_call_back(user),
        "county_only": is_county_staff(user), "staff": is_staff_member(user), "citizen": is_citizen(user),
        "unit": is_unit_staff(user), "pages": pages_for(user), "two_factor": _staff_account(user),
        "manage_warnings": may_manage_warnings(user),
        "seat": may_sit_at_seat(user), "urge": may_urge(user), "instruct": may_instruct(user),
    }


def _staff_account(user) -> bool:
    from .passwords import is_staff_account  # the staff password policy's own rule

    return bool(getattr(user, "is_authenticated", False)) and is_staff_account(user)


# --- warnings (预警) ----------------------------------------------------------------------

# Who reads the warning list (county staff: their county's warnings only) and who walks a
# warning through its lifecycle (acknowledge, assign, link an order, close).
WARNING_READ = frozenset({R.SUPERVISOR, R.COUNTY_STAFF, R.LEADER, R.ANALYST, R.DISPATCHER, R.ADMIN})
WARNING_MANAGE = frozenset({R.SUPERVISOR, R.COUNTY_STAFF, R.ADMIN})


def may_read_warnings(user) -> bool:
    return has_role(user, WARNING_READ)


def may_manage_warnings(user) -> bool:
    return has_role(user, WARNING_MANAGE)


def warning_scope(user) -> str | None:
    """Which warnings ``user`` sees: ``all``, ``county`` (their county's, not the city's) or ``None``."""
    if not may_read_warnings(user):
        return None
    if role_of(user) == R.COUNTY_STAFF:
        return "county" if user.region_id else None
    return "all"


# --- the seat: knowledge base, incoming calls, urging and leaders' instructions ----------

KNOWLEDGE_KEEPERS = frozenset({R.SUPERVISOR, R.ADMIN})  # maintain every entry; unit staff their unit's
KNOWLEDGE_FIGURES = frozenset({R.SUPERVISOR, R.ANALYST, R.LEADER, R.ADMIN, *UNIT_ROLES})
SEAT_ROLES = frozenset({R.OPERATOR, R.DISPATCHER, R.SUPERVISOR, R.ADMIN})  # sign in on a telephone seat
CTI_ROLES = frozenset({R.OPERATOR, R.ADMIN})  # the telephony system's account posts calls
INSTRUCTING = frozenset({R.LEADER, R.SUPERVISOR, R.ADMIN})  # 领导批示 (a supervisor records a leader's words)


def may_read_knowledge(user) -> bool:
    """Read and search the knowledge base: every member of staff."""
    return is_staff_member(user)


def may_maintain_knowledge(user, owner_unit=None) -> bool:
    """Edit entries: the centre's supervisors any; a unit's staff those their unit owns
    (``owner_unit``; without it, whether they may maintain any entry at all)."""
    if has_role(user, KNOWLEDGE_KEEPERS):
        return True
    if not is_unit_staff(user):
        return False
    return owner_unit is None or getattr(owner_unit, "pk", owner_unit) == user.organisation_id


def may_read_knowledge_figures(user) -> bool:
    """Usage and freshness per owner unit (unit staff: their own unit's)."""
    return has_role(user, KNOWLEDGE_FIGURES) and (not has_role(user, UNIT_ROLES) or bool(user.organisation_id))


def may_sit_at_seat(user) -> bool:
    """Sign in on a telephone seat and get its incoming calls popped up."""
    return has_role(user, SEAT_ROLES)


def may_post_calls(user) -> bool:
    """The telephony system (CTI) announcing a call, through its API token."""
    return has_role(user, CTI_ROLES)


def may_urge(user) -> bool:
    """催办 and 督办 from the appeal page."""
    return may_supervise(user)


def may_instruct(user) -> bool:
    """Write a leader's instruction (领导批示) that becomes a supervision order."""
    return has_role(user, INSTRUCTING)


def instructs_in_own_name(user) -> bool:
    """A leader's instruction is signed with their own name; others record whose it is."""
    return role_of(user) == R.LEADER


PAGES["knowledge"] = may_read_knowledge
ADMIN_MAINTAIN[R.SUPERVISOR] += ("knowledge.phrase",)


# --- grid work (网格化服务管理, ``jishiban.grid``) ----------------------------------------

# Who asks a grid worker to verify or help with an appeal (from the dispatch and unit pages);
# who gives a town's result back on an event escalated to the town; who reads every grid's figures.
GRID_ASSIGNERS = frozenset({R.DISPATCHER, R.SUPERVISOR, R.COUNTY_STAFF, R.ADMIN, *UNIT_ROLES})
GRID_TOWN_HANDLERS = frozenset({R.COUNTY_STAFF, R.ADMIN, *UNIT_ROLES})
GRID_READERS = frozenset({*SEES_ALL, R.COUNTY_STAFF})


def is_grid_worker(user) -> bool:
    return role_of(user) == R.GRID_WORKER


def may_assign_to_grid(user) -> bool:
    return has_role(user, GRID_ASSIGNERS)


def may_feed_back_grid(user) -> bool:
    return has_role(user, GRID_TOWN_HANDLERS)


def may_read_grids(user) -> bool:
    """The grid map and grid figures (each within the reader's scope)."""
    return has_role(user, GRID_READERS)


PAGES.update({
    "grid": is_grid_worker,
    "grid_map": may_read_grids,
})


def town_of(user):
    """The town (乡镇街道) a user works for — unit staff of a town unit (街道办事处、乡镇政府,
    organisation kind ``town``) — as its region id, else ``None``. Their town inbox: the grid
    events escalated to the town and the 12345 appeals the town unit handles."""
    if not has_role(user, UNIT_ROLES):
        return None
    org = getattr(user, "organisation", None)
    return org.region_id if org is not None and org.kind == "town" and org.region_id else None


def is_town_staff(user) -> bool:
    return town_of(user) is not None


def may_escalate_grid_to_county(user, town_id) -> bool:
    """乡镇 → 县市区: only the staff of the town an event was escalated to pass it up to its county."""
    return town_id is not None and town_of(user) == town_id


PAGES.update({"grid_town": is_town_staff, "grid_county": is_county_staff})


# --- the cockpit (智慧大脑) ---------------------------------------------------------------

# The leaders' wall screen: the city's leaders and the centre's supervisors and analysts see the
# city; county staff their county's figures only (no ranking of counties). Unit staff have their
# unit's figures on the analytics pages, not here.
COCKPIT_ROLES = frozenset({R.LEADER, R.SUPERVISOR, R.ANALYST, R.ADMIN, R.COUNTY_STAFF})


def may_see_cockpit(user) -> bool:
    return has_role(user, COCKPIT_ROLES) and may_read_figures(user) and appeal_scope(user) in ("all", "county")


# --- the working-time calendar ----------------------------------------------------------

# Who is told, on every page until they dismiss it, that a year lacks its holidays: the admins who
# load calendars. Others meet the gap only where they set a deadline in that year.
CALENDAR_KEEPERS = frozenset({R.ADMIN})


def keeps_calendar(user) -> bool:
    return has_role(user, CALENDAR_KEEPERS)


# --- where a dispatch may go (派单范围) ----------------------------------------------------

def dispatch_units(user) -> Q:
    """The handling units ``user`` may dispatch to, as a filter over ``Organisation``.

    County centre staff: the units of their county (its own departments and enterprises and
    those of its towns) and the city units marked 县级可派 (``Organisation.county_dispatch``,
    kept by the admin); the city centre's desk: every unit; whoever may not dispatch: none.
    Centres and inactive units are left out by the dispatch service, not here."""
    if not may_dispatch(user):
        return Q(pk__in=[])
    if not is_county_staff(user):
        return Q(pk__isnull=False)
    county = user.region_id
    if not county:
        return Q(pk__in=[])
    return Q(region_id=county) | Q(region__parent_id=county) | Q(level="city", county_dispatch=True)


def may_dispatch_to(user, unit) -> bool:
    """``dispatch_units`` for one unit (one query for county staff)."""
    if unit is None or not may_dispatch(user):
        return False
    if not is_county_staff(user):
        return True
    from jishiban.organisations.models import Organisation

    return Organisation.objects.filter(dispatch_units(user), pk=unit.pk).exists()


def dispatch_refusal(user, units) -> str | None:
    """A clear message naming the units of ``units`` that ``user`` may not dispatch to, else ``None``."""
    refused = [u for u in units if u is not None and not may_dispatch_to(user, u)]
    if not refused:
        return None
    where = user.region.name if getattr(user, "region_id", None) else _("本县市区")
    return _("县市区社会治理服务中心只能派往%(county)s的单位和市级“县级可派”单位，%(units)s 不在其中") % {
        "county": where, "units": "、".join(u.name for u in refused)}
