"""Shared test personas and factories (imported by jishiban/conftest.py).

Personas, as in STYLE.md: a city dispatcher, a handler in the assigned department
(市城乡水务局), a handler in another department (市城市管理局), a county centre user of
another county (兖州区), a county centre user of 任城区, a supervisor, an operator and a
citizen. Appeals made by ``make_appeal`` are in 任城区 unless told otherwise.
"""

from __future__ import annotations

import itertools

from django.utils import timezone

from jishiban.accounts.models import User
from jishiban.appeals import services
from jishiban.appeals.creation import NewAppeal, create_appeal
from jishiban.core.reference import load_reference
from jishiban.organisations.models import Organisation
from jishiban.regions.models import Region

_ids = itertools.count(1)


def load_reference_data() -> None:
    load_reference()


def reseed_after_flush() -> None:
    """Put back what migrations seed (channels, holidays) and the reference data.

    Transactional tests (live_server) end with a flush that empties every table; the tests
    after them call this (through the ``reference_data`` fixture) when the data is gone.
    """
    import importlib

    from django.apps import apps

    from jishiban.channels.models import Channel
    from jishiban.regions.models import Region
    from jishiban.sla.models import Holiday

    if not Channel.objects.exists():
        importlib.import_module("jishiban.channels.migrations.0002_seed_channels").seed(apps, None)
    if not Holiday.objects.exists():
        importlib.import_module("jishiban.sla.migrations.0002_seed_chinesecalendar").seed(apps, None)
        from jishiban.sla.services import invalidate_calendar

        invalidate_calendar()
    if not Region.objects.exists():
        load_reference_data()


def make_user(username: str, role: str, *, org: str | None = None, region: str | None = None, **extra) -> User:
    user = User.objects.create_user(
        username=username, password="pw-for-tests-only", role=role,  # noqa: S106
        organisation=Organisation.objects.get(code=org) if org else None,
        region=Region.objects.get(code=region) if region else None, **extra,
    )
    return user


class Personas:
    """Created once per test that asks for the ``personas`` fixture."""

    def __init__(self):
        self.admin = make_user("admin", "admin", org="centre-city", is_staff=True, is_superuser=True)
        self.operator = make_user("operator", "operator", org="centre-city", is_staff=True)
        self.dispatcher = make_user("dispatcher", "dispatcher", org="centre-city", is_staff=True)
        self.supervisor = make_user("supervisor", "supervisor", org="centre-city", is_staff=True)
        self.analyst = make_user("analyst", "analyst", org="centre-city", is_staff=True)
        self.leader = make_user("leader", "leader", org="centre-city", is_staff=True)
        self.county_rencheng = make_user("county_rencheng", "county_staff", org="centre-370811", region="370811")
        self.county_other = make_user("county_yanzhou", "county_staff", org="centre-370812", region="370812")
        self.handler = make_user("dept_water", "handler", org="city-water")
        self.dept_head = make_user("water_head", "dept_head", org="city-water")
        self.other_handler = make_user("dept_urban", "handler", org="city-urban")
        self.power_handler = make_user("dept_power", "handler", org="ent-power")
        self.grid_worker = make_user("grid_worker", "grid_worker")
        self.citizen = make_user("citizen", "citizen", phone="13800000001")
        self.other_citizen = make_user("citizen2", "citizen", phone="13800000002")
        self.water = Organisation.objects.get(code="city-water")
        self.urban = Organisation.objects.get(code="city-urban")


def make_appeal(*, channel: str = "12345-phone", content: str = "小区停水三天了，请尽快恢复供水", by=None, **fields):
    """A new appeal in state ``received`` (through the real creation path)."""
    fields.setdefault("county", "370811")
    fields.setdefault("category", "020101")
    fields.setdefault("citizen_name", "张三")
    fields.setdefault("citizen_phone", "13912345678")
    appeal, _created = create_appeal(NewAppeal(channel=channel, content=content, **fields), by=by)
    return appeal


def advance(appeal, personas: Personas, until: str, *, unit: Organisation | None = None):
    """Drive ``appeal`` through the real services up to state ``until``."""
    p = personas
    unit = unit or p.water
    steps = ["dispatched", "accepted", "replied", "callback_done", "closed"]
    for state in steps:
        if state == "dispatched":
            appeal = services.dispatch(appeal, by=p.dispatcher, lead_unit=unit)
        elif state == "accepted":
            appeal = services.accept(appeal, by=p.handler if unit == p.water else _unit_user(unit))
        elif state == "replied":
            appeal = services.reply(appeal, by=p.handler if unit == p.water else _unit_user(unit),
                                    result_type="solved", text="已安排维修人员处理，现已恢复")
        elif state == "callback_done":
            appeal = services.callback(appeal, by=p.supervisor, satisfaction="satisfied", solved=True)
        elif state == "closed":
            appeal = services.close(appeal, by=p.supervisor)
        if state == until:
            return appeal
    raise ValueError(until)


def return_reviewed(appeal, *, by, reason: str, not_responsible: bool = True, reviewer=None, at=None,
                    note: str = ""):
    """退单 as it happens: the unit of ``by`` asks (``request_return``), the centre's desk approves
    (``approve_return``, by ``reviewer``, default the city centre's dispatcher). Both at ``at``
    when given. Raises what the request raises (outside the return window, no reason, …)."""
    reviewer = reviewer or User.objects.filter(role="dispatcher", organisation__code="centre-city").first() \
        or make_user(f"reviewer{next(_ids)}", "dispatcher", org="centre-city", is_staff=True)
    when = {"at": at} if at is not None else {}
    appeal = services.request_return(appeal, by=by, reason=reason, not_responsible=not_responsible, **when)
    return services.approve_return(appeal, by=reviewer, note=note, **when)


def _unit_user(unit):
    return User.objects.filter(organisation=unit, role__in=("handler", "dept_head")).first() or make_user(
        f"u{next(_ids)}", "handler", org=unit.code
    )


def now():
    return timezone.now()


def transactions_opened_here() -> list:
    """The atomic blocks open on the default connection, the test case's own left out: what
    code under test wrapped around the current point."""
    from django.db import connection

    return [b for b in connection.atomic_blocks if not getattr(b, "_from_testcase", False)]


def working_days_later(moment, days: int):
    """``moment`` plus ``days`` working days (an extension's new deadline a unit may ask for)."""
    from jishiban.sla.services import get_calendar

    return get_calendar().add_working_days(moment, days)
