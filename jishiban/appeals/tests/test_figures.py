"""One definition of each figure: open/overdue/due, the card, the repeat rule and the list filter,
the same for pages, the API and the supervision trigger."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from jishiban.api.tests.conftest import ApiClient
from jishiban.appeals import repeats, services
from jishiban.appeals.figures import card_of
from jishiban.appeals.models import Appeal
from jishiban.testing import make_appeal

pytestmark = pytest.mark.django_db


def test_overdue_due_and_card_agree_between_queryset_and_appeal(personas):
    now = timezone.now()
    appeal = services.dispatch(make_appeal(), by=personas.dispatcher, lead_unit=personas.water)
    Appeal.objects.filter(pk=appeal.pk).update(reply_deadline=now + timedelta(hours=3), yellow_at=now - timedelta(hours=1))
    appeal.refresh_from_db()
    assert card_of(appeal, now) == "yellow"
    assert list(Appeal.objects.with_card("yellow", now)) == [appeal]
    assert list(Appeal.objects.due_between(now, now + timedelta(hours=4))) == [appeal]
    assert not Appeal.objects.overdue(now).exists()
    later = now + timedelta(hours=4)
    assert card_of(appeal, later) == "red" and list(Appeal.objects.overdue(later)) == [appeal]
    assert list(Appeal.objects.open()) == [appeal] and list(Appeal.objects.in_hand()) == [appeal]


def test_the_api_card_is_computed_live_not_read_from_the_five_minute_job(personas):
    now = timezone.now()
    appeal = services.dispatch(make_appeal(), by=personas.dispatcher, lead_unit=personas.water)
    Appeal.objects.filter(pk=appeal.pk).update(reply_deadline=now - timedelta(minutes=1), card="")
    body = ApiClient(personas.dispatcher).get(f"/appeals/{appeal.number}").json()
    assert body["card"] == "red" and body["overdue"] is True


def test_a_category_subtree_matches_the_same_appeals_in_the_web_list_and_the_api(personas):
    water = make_appeal(category="020101", content="小区停水三天了")
    make_appeal(category="050101", content="拖欠工资三个月")
    client = Client()
    client.force_login(personas.dispatcher)
    api = ApiClient(personas.dispatcher)
    for code in ("02", "0201", "020101"):
        page = client.get("/appeals/", {"category": code}).content.decode()
        items = api.get("/appeals", {"category": code}).json()["items"]
        assert [i["number"] for i in items] == [water.number] and water.number in page, code


def test_a_region_code_keeps_its_subtree_and_an_unknown_code_keeps_nothing(personas):
    here = make_appeal(county="370811")
    make_appeal(county="370812")
    api = ApiClient(personas.dispatcher)
    assert [i["number"] for i in api.get("/appeals", {"county": "370811"}).json()["items"]] == [here.number]
    assert api.get("/appeals", {"county": "999999"}).json()["items"] == []
    assert len(api.get("/appeals", {"status": "open"}).json()["items"]) == 2


def test_repeat_rule_counts_same_caller_or_address_in_the_same_subtree_within_the_window(personas, settings):
    now = timezone.now()
    make_appeal(citizen_phone="13900001111", received_at=now - timedelta(days=10))
    make_appeal(citizen_phone="13900009999", address="幸福小区3号楼", received_at=now - timedelta(days=5))
    make_appeal(citizen_phone="13900001111", received_at=now - timedelta(days=120))  # outside the window
    make_appeal(citizen_phone="13900001111", category="050101", content="拖欠工资")  # another subtree
    appeal = make_appeal(citizen_phone="13900001111", address="幸福小区3号楼")
    rule = repeats.rule()
    assert (rule.window_days, rule.threshold, rule.category_level, rule.by_address) == (90, 2, 2, True)
    assert repeats.earlier_count(appeal) == 2 and repeats.is_repeat(appeal)
    assert repeats.repeats_among(Appeal.objects.filter(pk=appeal.pk)).exists()
    settings.JISHIBAN_REPEAT_BY_ADDRESS = False
    assert repeats.earlier_count(appeal) == 1 and not repeats.is_repeat(appeal)
    settings.JISHIBAN_REPEAT_WINDOW_DAYS = 200
    assert repeats.earlier_count(appeal) == 2


def test_the_per_row_repeat_count_agrees_and_an_empty_phone_or_address_matches_nothing(personas):
    """``with_earlier_count`` (the scan, the triggers, the oversight list) counts what
    ``earlier_count`` counts for each appeal, and appeals without a phone or an address are not
    each other's repeats."""
    now = timezone.now()
    for days in (30, 20, 10):
        make_appeal(citizen_phone="", address="", received_at=now - timedelta(days=days))
    make_appeal(citizen_phone="13900001111", address="", received_at=now - timedelta(days=8))
    make_appeal(citizen_phone="", address="幸福小区3号楼", received_at=now - timedelta(days=6))
    make_appeal(citizen_phone="13900001111", address="幸福小区3号楼", received_at=now - timedelta(days=1))
    make_appeal(citizen_phone="", address="")
    rows = dict(repeats.with_earlier_count(Appeal.objects.all(), repeats.rule()).values_list("pk", "earlier"))
    assert rows == {a.pk: repeats.earlier_count(a) for a in Appeal.objects.all()}
    assert sorted(rows.values()) == [0, 0, 0, 0, 0, 0, 2]


def test_the_per_row_repeat_count_takes_the_citizen_account_when_there_is_no_phone(personas):
    """The same caller is the same phone or, for an appeal without one, the same portal account,
    in both ``earlier_count`` and the per-row count; an account with a phone is matched by the phone."""
    from django.contrib.auth import get_user_model

    now = timezone.now()
    citizen = get_user_model().objects.create_user("repeat-citizen", password="x")
    for days in (20, 10):
        make_appeal(citizen_phone="", address="", citizen_user=citizen, received_at=now - timedelta(days=days))
    latest = make_appeal(citizen_phone="", address="", citizen_user=citizen)
    with_phone = make_appeal(citizen_phone="13900002222", address="", citizen_user=citizen)
    rows = dict(repeats.with_earlier_count(Appeal.objects.all(), repeats.rule()).values_list("pk", "earlier"))
    assert rows == {a.pk: repeats.earlier_count(a) for a in Appeal.objects.all()}
    assert rows[latest.pk] == 2 and rows[with_phone.pk] == 0
    assert repeats.repeats_among(Appeal.objects.all()).filter(pk=latest.pk).exists()


def test_the_per_row_repeat_count_searches_by_phone_and_by_address(personas):
    """The count looks earlier appeals up through the phone, account and address indexes (SQLite's
    plan; PostgreSQL plans by its statistics). Without the address index the ``OR`` could use
    neither and walked every appeal of the category's siblings in the window: minutes for a
    day's appeals at 2,000,000 stored."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the plan checked is SQLite's")
    make_appeal(citizen_phone="13900001111", address="幸福小区3号楼")
    qs = repeats.with_earlier_count(Appeal.objects.all(), repeats.rule()).values_list("pk", "earlier")
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " | ".join(row[-1] for row in cursor.fetchall())
    assert "appeal_phone_received (citizen_phone=?" in plan and "appeal_address_received (address=?" in plan, plan
    assert "appeal_user_received (citizen_user_id=?" in plan, plan


def test_the_repeat_count_of_appeals_without_phone_or_address_grows_with_them_not_their_square(personas):
    """An empty phone or address is compared as nothing: counting the repeats of n appeals that
    lack both costs about n steps, not n² (each walking all the others through the index)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("counts SQLite's virtual machine steps")
    now = timezone.now()

    def steps(n: int) -> int:
        Appeal.objects.all().delete()
        for i in range(n):
            make_appeal(citizen_phone="", address="", received_at=now - timedelta(hours=i + 1))
        counted = 0

        def tick() -> int:  # called every 100 virtual machine instructions; 0 lets the query go on
            nonlocal counted
            counted += 1
            return 0

        connection.ensure_connection()
        connection.connection.set_progress_handler(tick, 100)
        try:
            rows = list(repeats.with_earlier_count(Appeal.objects.all(), repeats.rule()).values_list("earlier", flat=True))
        finally:
            connection.connection.set_progress_handler(None, 100)
        assert rows == [0] * n
        return counted

    small, large = steps(30), steps(120)
    assert large < 8 * small, (small, large)  # four times the rows: about four times the work


def test_oversight_repeat_list_and_the_desk_flag_use_the_rule(personas, settings):
    now = timezone.now()
    for days in (20, 10):
        make_appeal(citizen_phone="13900001111", received_at=now - timedelta(days=days))
    appeal = make_appeal(citizen_phone="13900001111")
    client = Client()
    client.force_login(personas.supervisor)
    page = client.get("/oversight/", {"list": "repeat"}).content.decode()
    assert appeal.number in page and "近90天另有2件及以上同类诉求" in page
    settings.JISHIBAN_REPEAT_THRESHOLD = 3
    page = client.get("/oversight/", {"list": "repeat"}).content.decode()
    assert appeal.number not in page
    client.force_login(personas.operator)
    html = client.get("/intake/caller/", {"citizen_phone": "13900001111"}).content.decode()
    assert "重复来电" in html  # three earlier appeals of this caller ≥ 3
