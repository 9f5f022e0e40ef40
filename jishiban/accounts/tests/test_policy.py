"""The role policy: who has a role, what each capability admits, and that no other module
compares role strings of its own."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser

from jishiban.accounts import policy
from jishiban.accounts.models import Role
from jishiban.appeals.workflow import SYSTEM_ACTIONS, Action
from jishiban.testing import make_user

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
ROLE_STRING = re.compile("[\"']({})[\"']".format("|".join(r.value for r in Role)))
# Where role strings may stand: the enum itself, the policy, data about people (demo and test
# accounts), migrations and tests.
ALLOWED = ("accounts/models.py", "accounts/policy.py", "demo/", "testing.py", "/migrations/", "/tests/")
# Words that are also role values but mean something else there (a JSON key, a model field,
# a reason of a supervision order, the demo actor table).
OTHER_MEANINGS = re.compile(r'o\["admin(?:_email)?"\]|"citizen"\s*:|\("citizen",\)|LEADER = "leader"|"citizen": citizen_display')


def test_nobody_anonymous_or_inactive_has_no_role_and_no_page(personas):
    gone = make_user("gone", Role.SUPERVISOR, org="centre-city", is_active=False)
    for user in (None, AnonymousUser(), gone):
        assert policy.role_of(user) is None
        assert not policy.pages_for(user) and not policy.sees_all(user) and not policy.may_export(user)
    assert policy.role_of(personas.admin) == Role.ADMIN
    unknown = make_user("odd", "nonsense")
    assert policy.role_of(unknown) is None and not policy.pages_for(unknown)


def test_a_superuser_counts_as_administrator_whatever_their_role_field(personas):
    boss = make_user("boss", Role.CITIZEN, is_superuser=True)
    assert policy.role_of(boss) == Role.ADMIN and policy.may_dispatch(boss) and policy.sees_all(boss)


def test_every_action_a_person_chooses_has_roles_and_no_role_outside_the_enum():
    assert set(policy.ACTION_ROLES) == set(Action) - SYSTEM_ACTIONS
    assert all(roles <= set(Role) for roles in policy.ACTION_ROLES.values())
    assert set(policy.ADMIN_VIEW) <= set(Role)


def test_capabilities_follow_the_role_tables(personas):
    p = personas
    assert policy.may_dispatch(p.dispatcher) and not policy.may_dispatch(p.operator)
    assert policy.may_supervise(p.county_rencheng) and not policy.may_supervise(p.leader)
    assert policy.may_read_supervision(p.leader) and policy.supervises_city(p.leader)
    assert policy.sees_identity(p.handler) and not policy.sees_identity(p.analyst)
    assert policy.is_unit_staff(p.handler) and not policy.is_unit_staff(p.dispatcher)
    assert policy.appeal_scope(p.county_rencheng) == "county" and policy.appeal_scope(p.citizen) == "own"
    assert policy.may_open(p.handler, "supervision") and not policy.may_open(p.handler, "routing")
    assert not policy.may_open(p.dispatcher, "no-such-page")


def test_no_module_outside_the_policy_compares_role_strings():
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if any(part in "/" + rel for part in ALLOWED):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if ROLE_STRING.search(OTHER_MEANINGS.sub("", line)):
                offenders.append(f"{rel}:{number}: {line.strip()}")
    assert not offenders, "use accounts.policy instead of role strings:\n" + "\n".join(offenders)


def test_no_template_compares_role_strings():
    offenders = [str(path.relative_to(ROOT)) for path in ROOT.rglob("*.html")
                 if re.search(r"\.role\s*[!=]=", path.read_text(encoding="utf-8"))]
    assert not offenders, offenders
