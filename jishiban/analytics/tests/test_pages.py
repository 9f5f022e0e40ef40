"""The figure pages and the API, by persona: leaders read everything, county staff their county,
a department head their unit; others are refused. Every number links to its appeals."""

import re
from datetime import datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from jishiban.appeals.models import Appeal

NOW = datetime(2026, 11, 20, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
SEP = {"start": "2026-09-01", "end": "2026-09-30"}
pytestmark = pytest.mark.django_db



def _get(client, user, url, **query):
    client.force_login(user)
    return client.get(url, query)


def _links(html: str, counter: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]*counter=' + counter + r'[^"]*)"', html)]


def test_leader_walks_from_the_intake_figure_to_its_appeals(client, filled):
    page = _get(client, filled.leader, reverse("analytics:figures"), **SEP)
    assert page.status_code == 200
    html = page.content.decode()
    assert "统计分析" in html and "响应率" in html and "任城区" in html
    first = _links(html, "received")[0]
    listing = client.get(first)
    assert listing.status_code == 200
    shown = set(re.findall(r"JN\d{13}", listing.content.decode()))
    assert len(shown) == 40 == Appeal.objects.count()


def test_each_rate_links_to_its_numerator_and_denominator_appeals(client, filled):
    html = _get(client, filled.analyst, reverse("analytics:figures"), **SEP).content.decode()
    den = client.get(_links(html, "sign_due")[0]).content.decode()
    num = client.get(_links(html, "sign_on_time")[0]).content.decode()
    due, met = set(re.findall(r"JN\d{13}", den)), set(re.findall(r"JN\d{13}", num))
    assert met and met <= due and len(met) < len(due)


def test_county_staff_see_only_their_county(client, filled):
    html = _get(client, filled.county_rencheng, reverse("analytics:figures"), **SEP).content.decode()
    assert "兖州区" not in html
    listing = client.get(_links(html, "received")[0]).content.decode()
    numbers = set(re.findall(r"JN\d{13}", listing))
    assert numbers == set(Appeal.objects.filter(county__code="370811").values_list("number", flat=True))


def test_department_head_sees_their_unit_and_no_ranking(client, filled):
    html = _get(client, filled.dept_head, reverse("analytics:figures"), **SEP, group="unit").content.decode()
    assert "济宁市城乡水务局" in html or "水务" in html
    assert "城市管理" not in html
    assert _get(client, filled.dept_head, reverse("analytics:ranking")).status_code == 403


@pytest.mark.parametrize("who", ["handler", "citizen", "operator", "grid_worker"])
def test_others_are_refused(client, filled, who):
    user = getattr(filled, who)
    for name in ("analytics:figures", "analytics:ranking", "analytics:reports", "analytics:appeals"):
        answer = _get(client, user, reverse(name))
        if who == "citizen":  # a citizen is kept on the portal's pages
            assert answer.status_code == 302 and answer.url == "/portal/"
        else:
            assert answer.status_code == 403
    assert _get(client, user, "/api/v1/figures", **SEP).status_code == (302 if who == "citizen" else 403)


def test_anonymous_is_sent_to_login(client):
    assert client.get(reverse("analytics:figures")).status_code == 302


def test_ranking_page_shows_scores_their_parts_and_lagging(client, filled):
    html = _get(client, filled.leader, reverse("analytics:ranking"), month="2026-09", level="unit").content.decode()
    assert "月度考核排名" in html and "提醒" in html
    assert "响应率" in html and "response_rate" not in html  # parts by the names readers know


def test_bad_input_gives_a_chinese_message_not_a_500(client, filled):
    assert "截止日期不能早于起始日期" in _get(client, filled.leader, reverse("analytics:figures"),
                                           start="2026-09-30", end="2026-09-01").content.decode()
    assert _get(client, filled.leader, reverse("analytics:appeals"), counter="nope", **SEP).status_code == 400
    assert _get(client, filled.leader, reverse("analytics:ranking"), month="2026-13").status_code == 400
    r = _get(client, filled.leader, reverse("analytics:reports"), kind="monthly", month="x", format="docx")
    assert r.status_code == 400 and "YYYY-MM" in r.content.decode()


def test_reports_from_the_web_as_page_and_download(client, filled):
    page = _get(client, filled.leader, reverse("analytics:reports"), kind="monthly", month="2026-09", format="html")
    assert "全市总体情况" in page.content.decode()
    doc = client.get(reverse("analytics:reports"), {"kind": "monthly", "month": "2026-09", "format": "docx"})
    assert doc.status_code == 200 and doc.content[:2] == b"PK"
    other = _get(client, filled.county_rencheng, reverse("analytics:reports"), kind="health", month="2026-09",
                 county="370812", format="json")
    assert other.status_code == 403
    own = client.get(reverse("analytics:reports"), {"kind": "health", "month": "2026-09", "county": "370811",
                                                    "format": "json"})
    assert own.status_code == 200 and own.json()["kind"] == "health"
    topic = client.get(reverse("analytics:reports"), {"kind": "topic", "start": "2026-09-01", "end": "2026-09-30",
                                                      "category": "02", "format": "json"})
    assert topic.status_code == 200 and topic.json()["figures"]["period"]["intake"]["value"] == \
        Appeal.objects.filter(county__code="370811").count()
    bad = client.get(reverse("analytics:reports"), {"kind": "topic", "start": "2026-09-30", "end": "2026-09-01"})
    assert bad.status_code == 400 and "起止日期" in bad.content.decode()


def test_api_figures_match_the_page_and_respect_scope(client, filled):
    client.force_login(filled.leader)
    body = client.get("/api/v1/figures", {**SEP, "group": "county"}).json()
    assert body["scope"] == "everything" and body["metrics"]["intake"]["value"] == 40
    assert sum(g["metrics"]["intake"]["value"] for g in body["groups"]) == 40
    client.force_login(filled.county_rencheng)
    own = client.get("/api/v1/figures", SEP).json()
    assert own["scope"] == "county"
    assert own["metrics"]["intake"]["value"] == Appeal.objects.filter(county__code="370811").count()
    bad = client.get("/api/v1/figures", {"start": "2026-09-31", "end": "2026-09-01", "group": "x"})
    assert bad.status_code == 422 and {"start", "group"} <= set(bad.json()["errors"])
    assert client.get("/api/v1/rankings", {"month": "2026-09"}).status_code == 403
    client.force_login(filled.analyst)
    rows = client.get("/api/v1/rankings", {"month": "2026-09", "level": "county"}).json()
    assert len(rows) == 14 and rows[0]["rank"] == 1
