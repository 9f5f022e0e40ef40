"""A confidential (举报/保密) appeal is never linked to its citizen through an identity.

GIVEN one citizen (phone 13912345678) with a confidential report led by 市城市管理局 and a normal
appeal about the same matter waiting for dispatch, WHEN every persona walks every page, API
endpoint, export, suggestion and report that is reached through the phone or the caller,
THEN the confidential appeal appears there only for those who may see its citizen (the centre's
supervisors and its lead unit), and from it no other appeal of the citizen is reached by
anyone who may not see who filed it. Roles without identity rights find nothing by phone.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from jishiban.api.tests.conftest import ApiClient
from jishiban.appeals import services
from jishiban.appeals.models import Appeal
from jishiban.testing import make_appeal

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
TEXT = "幸福小区3号楼下水道堵塞，污水横流，物业不管，请尽快疏通"
PERSONAS = ("admin", "operator", "dispatcher", "supervisor", "analyst", "leader", "county_rencheng",
            "county_other", "handler", "dept_head", "other_handler", "power_handler", "grid_worker", "citizen",
            "other_citizen")
# Who may see the confidential appeal's citizen: the centre's supervisors and its lead unit.
MAY_SEE_REPORTER = {"supervisor", "other_handler"}
# Who may follow the confidential appeal to the citizen's other appeals (and see them).
MAY_LINK = {"supervisor"}


@pytest.fixture
def planted(personas):
    from jishiban.smart.services import refresh

    report = make_appeal(content="举报：" + TEXT, appeal_type="report", citizen_phone=PHONE)
    report = services.dispatch(report, by=personas.dispatcher, lead_unit=personas.urban)
    normal = make_appeal(content=TEXT + "！", citizen_phone=PHONE)
    assert report.confidential and not normal.confidential
    refresh(report.pk)
    refresh(normal.pk)
    return report, normal


def web(personas, name) -> Client:
    client = Client()
    client.force_login(getattr(personas, name))
    return client


def shown(response) -> str:
    """Everything the response shows (HTML, JSON or a file), or "" when it refused."""
    if response.status_code >= 300:
        return ""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    if response.get("Content-Type", "").startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode("utf-8-sig")


def identity_pages(personas, name, report, normal):
    """(what, text) of every place reached through the citizen's phone or caller."""
    client, api = web(personas, name), ApiClient(getattr(personas, name))
    today = timezone.localdate()
    yield "list phone search", shown(client.get("/appeals/", {"q": PHONE}))
    yield "list export by phone", shown(client.get("/appeals/export.csv", {"q": PHONE}))
    yield "caller panel", shown(client.get("/intake/caller/", {"citizen_phone": PHONE}))
    yield "desk duplicates", shown(client.get("/intake/assist/", {"content": TEXT, "citizen_phone": PHONE}))
    yield "other appeal's page", shown(client.get(f"/appeals/{normal.pk}/"))
    yield "dispatch queue hints", shown(client.get("/dispatch/"))
    yield "API phone search", shown(api.get("/appeals", {"text": PHONE}))
    yield "API other appeal", shown(api.get(f"/appeals/{normal.number}"))
    yield "API suggestions", shown(api.get(f"/appeals/{normal.number}/suggestions"))
    yield "API export", shown(api.get("/exports/appeals.csv", {"from": (today - timedelta(days=1)).isoformat(),
                                                             "to": today.isoformat()}))


def test_the_confidential_appeal_is_reached_by_identity_only_by_those_who_may_see_its_citizen(personas, planted):
    report, normal = planted
    leaks = []
    for name in PERSONAS:
        for what, text in identity_pages(personas, name, report, normal):
            if what == "API export":
                continue  # checked row by row below
            if report.number in text and name not in MAY_SEE_REPORTER:
                leaks.append((name, what))
    assert leaks == []


def test_from_the_confidential_appeal_nobody_who_may_not_see_its_citizen_reaches_the_others(personas, planted):
    report, normal = planted
    leaks = []
    for name in PERSONAS:
        client, api = web(personas, name), ApiClient(getattr(personas, name))
        for what, text in (("page", shown(client.get(f"/appeals/{report.pk}/"))),
                           ("API", shown(api.get(f"/appeals/{report.number}"))),
                           ("API suggestions", shown(api.get(f"/appeals/{report.number}/suggestions")))):
            if normal.number in text and name not in MAY_LINK:
                leaks.append((name, what))
    assert leaks == []


def test_exports_never_put_the_phone_next_to_the_confidential_appeal(personas, planted):
    report, _normal = planted
    today = timezone.localdate()
    for name in PERSONAS:
        for text in (shown(web(personas, name).get("/appeals/export.csv")),
                     shown(ApiClient(getattr(personas, name)).get("/exports/appeals.csv", {
                         "from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat(),
                         "personal_data": "true"}))):
            for row in csv.reader(io.StringIO(text)):
                if report.number in row and name not in MAY_SEE_REPORTER:
                    assert not any(PHONE[-4:] in cell or "张" in cell for cell in row), (name, row)


def test_the_walk_is_not_vacuous(personas, planted):
    """Those who may see identities do find the citizen's normal appeal by phone; the reporter's
    supervisors find both."""
    report, normal = planted
    dispatcher = dict(identity_pages(personas, "dispatcher", report, normal))
    assert normal.number in dispatcher["list phone search"] and normal.number in dispatcher["caller panel"]
    assert normal.number in dispatcher["API phone search"]
    supervisor = dict(identity_pages(personas, "supervisor", report, normal))
    assert report.number in supervisor["list phone search"] and normal.number in supervisor["list phone search"]
    assert report.number in supervisor["other appeal's page"]
    api = ApiClient(personas.supervisor).get(f"/appeals/{normal.number}/suggestions").json()
    assert [d["number"] for d in api["duplicates"]] == [report.number]
    assert api["duplicates"][0]["signals"]["same_caller"] is True


@pytest.mark.parametrize("name", ["analyst", "leader", "grid_worker"])
def test_a_phone_search_by_a_role_without_identity_rights_searches_nothing(personas, planted, name):
    report, normal = planted
    page = shown(web(personas, name).get("/appeals/", {"q": PHONE}))
    assert report.number not in page and normal.number not in page
    body = ApiClient(getattr(personas, name)).get("/appeals", {"text": PHONE}).json()
    assert body.get("items", []) == []


def test_the_rule_is_one_queryset_method(personas, planted):
    report, normal = planted
    county = personas.county_rencheng
    assert list(Appeal.objects.by_identity(county, phone=PHONE)) == [normal]
    assert not Appeal.objects.by_identity(county, of=report).exists()
    assert set(Appeal.objects.by_identity(personas.supervisor, of=normal)) == {report}
    assert not Appeal.objects.by_identity(personas.analyst, phone=PHONE).exists()
    assert not Appeal.objects.by_identity(personas.dispatcher, phone="").exists()
