"""Reads of grid work: a worker's grids, tasks and events, the appeals a worker may see, the map."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from jishiban.accounts import policy

from .models import Assignment, Duty, Grid, GridEvent, Task
from .workflow import OPEN


def worker_grid_regions(user):
    """Region ids of the grids ``user`` works now (responsible or substitute)."""
    return Assignment.objects.filter(worker_id=user.pk, ended_at=None).values("grid__region_id")


def worker_appeals_q(user) -> Q:
    """The appeals a grid worker sees (``Appeal.objects.visible_to``'s grid scope): those located in
    a grid they work now (their region too), and those handed to them as a task — never a
    confidential one."""
    tasks = Task.objects.filter(worker_id=user.pk, appeal_id=OuterRef("pk"))
    mine = Q(grid_id=user.region_id) | Q(grid_id__in=worker_grid_regions(user)) | Q(Exists(tasks))
    return mine & Q(confidential=False)


def grids_of(user):
    return Grid.objects.filter(assignments__worker=user, assignments__ended_at=None).select_related(
        "region", "community", "town", "county").distinct()


def tasks_of(user, *, open_only: bool = True):
    qs = Task.objects.filter(worker=user).select_related("grid__region", "appeal", "event")
    return qs.filter(done_at=None) if open_only else qs


def events_of(user):
    """Events of the worker's grids and their own reports."""
    return GridEvent.objects.filter(Q(reporter=user) | Q(grid__in=grids_of(user))).select_related("grid__region",
                                                                                                  "appeal").distinct()


def events_visible_to(user):
    """Events a user may open: a worker's own grids; town/county staff their town/county; the centre all."""
    if policy.is_grid_worker(user):
        return events_of(user)
    if policy.sees_all(user):
        return GridEvent.objects.all()
    if policy.is_county_staff(user) and user.region_id:
        return GridEvent.objects.filter(grid__county_id=user.region_id)
    if policy.is_unit_staff(user) and user.organisation and user.organisation.region_id:
        return GridEvent.objects.filter(Q(grid__town_id=user.organisation.region_id) | Q(appeal__lead_unit=user.organisation))
    return GridEvent.objects.none()


def grids_visible_to(user):
    qs = Grid.objects.select_related("region", "community", "town", "county")
    if policy.sees_all(user):
        return qs
    if policy.is_county_staff(user) and user.region_id:
        return qs.filter(county_id=user.region_id)
    if policy.is_grid_worker(user):
        return grids_of(user)
    return qs.none()


@dataclass(frozen=True)
class OnDuty:
    """Who answers for a grid now, and why: its responsible worker (专属网格员), else — while the
    post is vacant — the substitute on duty (替岗网格员, the latest to start)."""

    worker: object
    duty: str
    reason: str


def _on_duty(rows) -> OnDuty | None:
    """Of one grid's current assignments, the one who answers (responsible before substitute)."""
    rows = sorted(rows, key=lambda a: (a.duty != Duty.RESPONSIBLE, -a.started_at.timestamp()))
    if not rows:
        return None
    row = rows[0]
    name = row.worker.get_full_name() or row.worker.username
    if row.duty == Duty.RESPONSIBLE:
        return OnDuty(row.worker, row.duty, _("%s 是本网格的专属网格员") % name)
    return OnDuty(row.worker, row.duty, _("本网格暂无专属网格员，由替岗网格员 %s 代岗") % name)


def on_duty_of_grids(grids) -> dict[int, OnDuty]:
    """``on_duty`` for many grids at once (one query): grid id → ``OnDuty`` (grids nobody works are absent)."""
    by_grid: dict[int, list] = {}
    for a in Assignment.objects.filter(grid__in=grids, ended_at=None).select_related("worker"):
        by_grid.setdefault(a.grid_id, []).append(a)
    return {gid: _on_duty(rows) for gid, rows in by_grid.items()}


def on_duty(grid: Grid | None) -> OnDuty | None:
    """The one definition of "the grid's worker": every page and write that needs one asks here
    (the appeal card and its hand-over, event verification, 未诉先办 visits)."""
    if grid is None:
        return None
    return _on_duty(list(Assignment.objects.filter(grid=grid, ended_at=None).select_related("worker")))


def workers_on_duty(grids) -> dict[int, object]:
    """grid id → the worker of ``on_duty``."""
    return {gid: d.worker for gid, d in on_duty_of_grids(grids).items()}


def map_counts(user, grids) -> dict[int, dict[str, int]]:
    """Open appeals (``Appeal.objects.open()`` within the reader's scope) and open events per grid
    of ``grids`` (a queryset of ``Grid``, read as a subquery, or a list): grid id → counts."""
    from jishiban.appeals.models import Appeal

    if isinstance(grids, list):
        ids = [g.pk for g in grids]
        grids = Grid.objects.filter(pk__in=ids)
    else:
        ids = list(grids.values_list("pk", flat=True))
    appeals = dict(Appeal.objects.visible_to(user).open().filter(grid__grid_profile__in=grids.values("pk"))
                   .values_list("grid__grid_profile").annotate(n=Count("pk")).values_list("grid__grid_profile", "n"))
    events = dict(GridEvent.objects.filter(grid_id__in=grids.values("pk"), state__in=list(OPEN)).values_list("grid_id")
                  .annotate(n=Count("pk")).values_list("grid_id", "n"))
    return {pk: {"appeals": appeals.get(pk, 0), "events": events.get(pk, 0)} for pk in ids}


# The map scope of those who see every grid (``map_scope``): the shapes the warm-up builds.
CITY_SCOPE = "all"


def map_scope(user) -> str:
    """Which grids the map shows ``user`` (``grids_visible_to``), as a cache key of its shapes."""
    return CITY_SCOPE if policy.sees_all(user) else f"county:{user.region_id}" if policy.is_county_staff(user) else f"user:{user.pk}"


def map_town_counts(user, grids) -> dict[str, dict[str, int]]:
    """``map_counts`` summed per town (the whole-city map): town code → grids, open appeals, open events."""
    from jishiban.appeals.models import Appeal

    ids = grids.values("pk")
    out = {code: {"grids": n, "appeals": 0, "events": 0}
           for code, n in grids.order_by().values_list("town__code").annotate(n=Count("pk")).values_list("town__code", "n")}
    for key, rows in (
        ("appeals", Appeal.objects.visible_to(user).open().filter(grid__grid_profile__in=ids).order_by()
         .values_list("grid__grid_profile__town__code").annotate(n=Count("pk"))),
        ("events", GridEvent.objects.filter(grid_id__in=ids, state__in=list(OPEN)).order_by()
         .values_list("grid__town__code").annotate(n=Count("pk"))),
    ):
        for code, n in rows:
            if code in out:
                out[code][key] = n
    return out


def public_shapes(county_code: str, *, limit: int = 5000) -> list[tuple[str, str, dict]]:
    """``(code, name, geometry)`` of a county's grids that have a boundary, for a map anyone may
    see (the citizens' place picker): shapes and names only, never figures or workers."""
    return list(Grid.objects.filter(county__code=county_code).exclude(region__geometry=None)
                .order_by("region__code").values_list("region__code", "region__name", "region__geometry")[:limit])


def _escalated(events) -> dict:
    """Open escalated events split as the inboxes show them: waiting for the desk (任务派遣/任务处理)
    and waiting for the worker's check of its result (处理反馈)."""
    events = events.select_related("grid__region", "grid__community", "grid__town", "reporter").order_by("reported_at")
    return {"waiting": events.filter(state__in=["dispatched", "handling"]), "checking": events.filter(state="fed_back")}


def county_inbox(user) -> dict:
    """What a county received from its towns (乡镇 → 县市区, ``services.escalate_to_county``): the
    open events of its grids escalated to the county, for the county's staff (empty for anyone else)."""
    county = user.region_id if policy.is_county_staff(user) else None
    if county is None:
        return {"county": None, "waiting": GridEvent.objects.none(), "checking": GridEvent.objects.none()}
    return {"county": county, **_escalated(GridEvent.objects.filter(grid__county_id=county, escalation="county"))}


def town_inbox(user) -> dict:
    """A town's inbox (GB/T 30428: grid → town → county): the grid events its grids escalated to
    the town, open — waiting for the town (任务派遣/任务处理) or for the worker's check of the town's
    result (处理反馈) — and the 12345 appeals the town's unit holds (``Appeal.objects.in_hand()``
    within ``visible_to``), those it only co-handles (协办, ``co_handled_by``) after them and marked
    ``co``. Empty for anyone but town staff (``policy.town_of``)."""
    from jishiban.appeals.models import Appeal

    town = policy.town_of(user)
    if town is None:
        return {"town": None, "waiting": GridEvent.objects.none(), "checking": GridEvent.objects.none(),
                "appeals": []}
    seen, org = Appeal.objects.visible_to(user), user.organisation_id
    return {
        "town": town, **_escalated(GridEvent.objects.filter(grid__town_id=town, escalation="town")),
        "appeals": [*_marked(seen.held_by(org), co=False), *_marked(seen.co_handled_by(org), co=True)],
    }


def _marked(appeals, *, co: bool) -> list:
    rows = list(appeals.select_related("category", "grid").order_by("reply_deadline", "received_at"))
    for a in rows:
        a.co = co
    return rows
