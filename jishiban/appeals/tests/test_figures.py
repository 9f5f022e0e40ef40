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
