"""``demo load``: only in demo mode, --if-empty keeps existing data, accounts printed at the end."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from jishiban.accounts.models import User
from jishiban.appeals.models import Appeal
from jishiban.demo.loader import DemoDisabled, load_demo


def test_demo_load_refuses_outside_demo_mode(db):
    with override_settings(DEMO=False):
        with pytest.raises(CommandError, match="JISHIBAN_DEMO=1"):
            call_command("demo", "load", "--appeals", "5")
        with pytest.raises(DemoDisabled):
            load_demo(5)
    assert not User.objects.exists()
    assert not Appeal.objects.exists()


@override_settings(DEMO=True, DEMO_PASSWORD="demo-pass-for-tests")
def test_if_empty_loads_an_empty_database_once_and_keeps_the_data_afterwards(db):
    out, err = StringIO(), StringIO()
    call_command("demo", "load", "--appeals", "40", "--if-empty", stdout=out, stderr=err)
    numbers = set(Appeal.objects.values_list("number", flat=True))
    assert len(numbers) == 40
    assert "预计剩余" in err.getvalue()
    printed = out.getvalue()
    assert "demo-pass-for-tests" in printed
    for username in ("admin", "dept_water", "county_rencheng", "grid_worker", "citizen"):
        assert username in printed

    again = StringIO()
    call_command("demo", "load", "--if-empty", stdout=again)
    assert "跳过" in again.getvalue()
    assert set(Appeal.objects.values_list("number", flat=True)) == numbers


@override_settings(DEMO=True)
def test_loading_again_without_if_empty_adds_appeals_and_keeps_one_account_each(db):
    call_command("demo", "load", "--appeals", "20", stdout=StringIO(), stderr=StringIO())
    users = User.objects.count()
    call_command("demo", "load", "--appeals", "20", "--seed", "2", stdout=StringIO(), stderr=StringIO())
    assert Appeal.objects.count() == 40
    assert User.objects.filter(username="dept_water").count() == 1
    assert User.objects.count() >= users
