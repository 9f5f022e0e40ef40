"""The demo data as loaded: legal histories, columns that match the events, every state,
row access per demo account. One load of 300 appeals serves the whole module."""

from collections import defaultdict
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Q
from django.test import override_settings
from django.utils import timezone

from jishiban.accounts.models import User
from jishiban.accounts.policy import ADMIN_VIEW, Role, role_may
from jishiban.appeals import deadlines
from jishiban.appeals.models import Appeal, AppealEvent
from jishiban.appeals.permissions import relation_ok
from jishiban.appeals.services import refresh_cards
from jishiban.appeals.workflow import HANDLING_STATES, State, next_state
from jishiban.demo.loader import load_demo
from jishiban.demo.people import ACCOUNTS, GRID_WORKER_GRID
from jishiban.organisations.models import Organisation
from jishiban.sla.services import get_calendar

N = 300
# A fixed moment, not the clock at import: the module's demo is loaded when its first test runs,
# which may be minutes later, and a deadline falling in between made the cards test flaky.
NOW = datetime(2026, 11, 18, 10, 17, 23, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Load once for the module inside a transaction that is rolled back afterwards."""
    with django_db_blocker.unblock(), override_settings(DEMO=True):
        with transaction.atomic():
            summary = load_demo(N, seed=7, now=NOW)
            yield summary
            transaction.set_rollback(True)


@pytest.fixture
def histories(demo, db):
    events = defaultdict(list)
    for event in AppealEvent.objects.select_related("actor", "actor_unit").order_by("at", "id"):
        events[event.appeal_id].append(event)
    appeals = list(Appeal.objects.select_related("category__parent__parent", "channel", "lead_unit", "parent")
                   .prefetch_related("co_units"))
    return [(appeal, events[appeal.pk]) for appeal in appeals]


def test_the_requested_number_of_appeals_is_loaded(demo, db):
    assert Appeal.objects.count() == N == demo.appeals
    assert AppealEvent.objects.count() == demo.events


def test_every_history_is_a_legal_path_ending_in_the_appeal_status(histories):
    for appeal, events in histories:
        first = events[0]
        assert (first.action, first.from_status, first.to_status) == ("receive", "", "received")
        assert first.at == appeal.received_at
        assert first.payload == {"channel": appeal.channel.code, "external_id": appeal.external_id}
        state = "received"
        for event in events[1:]:
            assert event.from_status == state, appeal.number
            assert next_state(state, event.action) == event.to_status, appeal.number
            state = event.to_status
        assert state == appeal.status, appeal.number
        assert appeal.version == len(events)
        assert all(e.at <= NOW for e in events)


def test_every_action_is_taken_by_someone_allowed_to_take_it(histories):
    """The actor's role may take the action and stands in the right relation to the appeal
    as it was then (a unit acts only on appeals it leads, a county only in its county)."""
    units = dict(Organisation.objects.values_list("code", "pk"))
    for appeal, events in histories:
        lead = None
        for event in events[1:]:
            actor = event.actor
            assert actor is not None, (appeal.number, event.action)
            role = "admin" if actor.is_superuser else actor.role
            assert role_may(role, event.action), (appeal.number, event.action, role)
            then = SimpleNamespace(county_id=appeal.county_id, lead_unit_id=lead, citizen_user_id=appeal.citizen_user_id)
            assert relation_ok(actor, then, event.action), (appeal.number, event.action, actor.username)
            assert event.actor_unit_id == actor.organisation_id
            if event.action == "dispatch":
                lead = units[event.payload["lead_unit"]]


def test_county_staff_dispatch_only_where_the_policy_lets_them(histories):
    """Every dispatch by county centre staff goes to units ``dispatch_refusal`` (the role policy's
    one rule) accepts: their county's units and the city units marked 县级可派."""
    from jishiban.accounts.policy import dispatch_refusal

    units = {u.code: u for u in Organisation.objects.all()}
    by_county = 0
    for appeal, events in histories:
        for event in events:
            if event.action != "dispatch" or event.actor.role != Role.COUNTY_STAFF:
                continue
            by_county += 1
            sent = [units[event.payload["lead_unit"]], *(units[c] for c in event.payload["co_units"])]
            assert dispatch_refusal(event.actor, sent) is None, (appeal.number, [u.code for u in sent])
    assert by_county >= 5  # the county desk does dispatch in the demo


def test_milestone_columns_and_deadlines_match_the_events(histories):
    calendar = get_calendar()
    for appeal, events in histories:
        expected = {"dispatched_at": None, "accepted_at": None, "replied_at": None, "closed_at": None,
                    "sign_deadline": None, "reply_deadline": None, "yellow_at": None, "return_deadline": None,
                    "satisfaction": "", "solved": None, "result_type": "", "return_count": 0, "reopen_count": 0}
        lead, co = None, []
        policy = deadlines.policy_for(appeal)
        for e in events[1:]:
            if e.action in ("dispatch", "reopen"):
                expected.update(dispatched_at=e.at, accepted_at=None, **deadlines.dispatch_deadlines(appeal, e.at))
            if e.action == "dispatch":
                lead, co = e.payload["lead_unit"], e.payload["co_units"]
                assert set(e.payload) == {"lead_unit", "co_units", "redispatch", "explanation"}
                assert e.payload["redispatch"] == (e.from_status != "received")
            elif e.action == "reopen":
                expected["reopen_count"] += 1
                assert e.payload["previous_reply"]["result_type"] == expected["result_type"] != ""
                assert e.payload["previous_reply"]["round"] == expected["reopen_count"]
                expected.update(closed_at=None, replied_at=None, satisfaction="", solved=None, result_type="")
                assert set(e.payload) == {"unit", "previous_reply"} and e.payload["unit"] == lead and e.reason
            elif e.action == "accept":
                expected["accepted_at"] = e.at
            elif e.action == "request-return":
                assert e.at <= expected["return_deadline"], "asked to return after the return window"
                assert e.payload == {"unit": lead, "not_responsible": e.payload["not_responsible"]} and e.reason
            elif e.action == "return":
                expected["return_count"] += 1
                assert e.from_status == "return_requested" and e.payload["reviewed"] is True
                assert e.payload["unit"] == lead and e.reason
            elif e.action == "request-extension":
                new = datetime.fromisoformat(e.payload["new_deadline"])
                assert datetime.fromisoformat(e.payload["old_deadline"]) == expected["reply_deadline"]
                assert expected["reply_deadline"] < new <= calendar.add(expected["reply_deadline"], "10d")
            elif e.action == "decide-extension" and e.payload["approved"]:
                new = datetime.fromisoformat(e.payload["new_deadline"])
                expected.update(reply_deadline=new, yellow_at=deadlines.yellow_for(new, policy, e.at))
            elif e.action == "decide-extension":
                assert e.payload == {"approved": False} and e.reason
            elif e.action == "reply":
                assert e.payload["on_time"] == (e.at <= expected["reply_deadline"])
                assert set(e.payload) == {"result_type", "text", "promise", "follow_up_date", "on_time"}
                if e.payload["result_type"] == "stepwise":
                    assert e.payload["promise"] and e.payload["follow_up_date"] > timezone.localdate(e.at).isoformat()
                expected.update(replied_at=e.at, result_type=e.payload["result_type"])
            elif e.action == "answer":
                expected.update(replied_at=e.at, closed_at=e.at, result_type="explained")
            elif e.action == "callback":
                expected.update(satisfaction=e.payload["satisfaction"], solved=e.payload["solved"])
            elif e.action in ("close", "withdraw"):
                expected["closed_at"] = e.at
                if e.action == "close":
                    assert e.payload == {"without_callback": e.from_status == "replied"}
        actual = {key: getattr(appeal, key) for key in expected}
        assert actual == expected, appeal.number
        assert getattr(appeal.lead_unit, "code", None) == lead
        assert sorted(u.code for u in appeal.co_units.all()) == sorted(co)
        assert appeal.number[2:10] == timezone.localtime(appeal.received_at).strftime("%Y%m%d")
        if appeal.status == State.MERGED:
            assert appeal.parent.number == events[-1].payload["into"]
        else:
            assert appeal.parent_id is None


def test_cards_are_what_refresh_cards_would_give(demo, db):
    assert refresh_cards(NOW) == {"red": 0, "yellow": 0, "cleared": 0}
    assert Appeal.objects.filter(card="red", status__in=[str(s) for s in HANDLING_STATES]).exists()


def test_every_state_is_present(demo, db):
    assert set(Appeal.objects.values_list("status", flat=True)) == {str(s) for s in State}
    assert set(demo.statuses) == {str(s) for s in State}


def test_dept_water_and_dept_power_have_work_in_every_state_of_their_inbox(demo, db):
    for username in ("dept_water", "dept_power"):
        user = User.objects.get(username=username)
        statuses = set(Appeal.objects.visible_to(user).values_list("status", flat=True))
        assert {"dispatched", "accepted", "returned", "extension_requested", "replied", "callback_done",
                "reopened", "closed"} <= statuses, username


def test_visible_to_gives_dept_water_only_its_units_appeals(demo, db):
    user = User.objects.get(username="dept_water")
    visible = set(Appeal.objects.visible_to(user).values_list("pk", flat=True))
    own = set(Appeal.objects.filter(Q(lead_unit__code="city-water") | Q(co_units__code="city-water"))
              .values_list("pk", flat=True))
    assert visible == own and visible
    assert len(visible) < Appeal.objects.count()


def test_visible_to_gives_county_rencheng_only_rencheng_appeals(demo, db):
    user = User.objects.get(username="county_rencheng")
    visible = Appeal.objects.visible_to(user)
    assert visible.exists()
    assert set(visible.values_list("county__code", flat=True)) == {"370811"}
    assert visible.count() == Appeal.objects.filter(county__code="370811").count()


def test_grid_worker_and_citizen_see_their_own_appeals(demo, db):
    grid_worker = User.objects.get(username="grid_worker")
    assert grid_worker.region.code == GRID_WORKER_GRID and grid_worker.region.level == 5
    grid_appeals = Appeal.objects.visible_to(grid_worker)
    assert grid_appeals.exists()
    assert set(grid_appeals.values_list("grid__code", flat=True)) == {GRID_WORKER_GRID}
    reports = AppealEvent.objects.filter(action="receive", appeal__channel__code="grid").select_related("actor", "appeal")
    assert reports.exists()
    for event in reports:
        assert event.actor.role == "grid_worker" and event.actor.region_id == event.appeal.grid_id
    citizen = User.objects.get(username="citizen")
    own = Appeal.objects.visible_to(citizen)
    assert own.count() == 8
    assert len(set(own.values_list("status", flat=True))) >= 6
    assert set(own.values_list("citizen_phone", flat=True)) == {citizen.phone}


def test_each_demo_account_logs_in_with_the_demo_password(demo, db, settings, rf):
    login = rf.post("/accounts/login/")  # the lockout (django-axes) checks every sign-in's request
    for account in ACCOUNTS:
        user = authenticate(login, username=account.username, password=settings.DEMO_PASSWORD)
        assert user is not None, account.username
        if account.role in ADMIN_VIEW:  # the admin is a superuser without a role group
            assert user.groups.filter(name=f"role:{account.role}").exists()
        assert user.is_staff == (account.role == Role.ADMIN), account.username  # only admin opens the admin
    assert User.objects.get(username="admin").is_superuser
    unit = User.objects.filter(username__startswith="unit-").first()
    assert authenticate(login, username=unit.username, password=settings.DEMO_PASSWORD) == unit
    assert unit.groups.filter(name="role:handler").exists()


def test_heating_appeals_are_tagged_in_season_and_reports_are_confidential(demo, db):
    assert not Appeal.objects.filter(appeal_type="report", confidential=False).exists()
    for received, tags in Appeal.objects.filter(category__code__startswith="0204").values_list("received_at", "tags"):
        local = timezone.localtime(received).date()
        in_season = (local.month, local.day) >= (11, 15) or (local.month, local.day) <= (3, 15)
        assert ("供暖季" in tags) == in_season
