"""The first dashboard: figures in scope, charts fed from the server."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from jishiban.appeals.models import Appeal
from jishiban.testing import advance, make_appeal

pytestmark = pytest.mark.django_db


def _data(response):
    html = response.content.decode()
    start = html.index('id="dashboard-data"')
    start = html.index(">", start) + 1
    return json.loads(html[start:html.index("</script>", start)])


def test_dashboard_counts_today_open_overdue_and_trend(login, personas):
    make_appeal(channel="12345-web", content="网站来件")
    late = advance(make_appeal(content="超期件"), personas, "accepted")
    Appeal.objects.filter(pk=late.pk).update(reply_deadline=timezone.now() - timedelta(hours=1))
    advance(make_appeal(content="办结件"), personas, "closed")
    response = login(personas.leader).get("/dashboard/")
    assert response.context["today_total"] == 3
    assert response.context["open_total"] == 2 and response.context["overdue_total"] == 1
    data = _data(response)
    assert sorted(data["channel"]["values"]) == [1, 2]
    assert data["overdue"]["labels"] == ["济宁市城乡水务局"]
    assert data["trend"]["received"][-1] == 3 and data["trend"]["closed"][-1] == 1
    assert len(data["trend"]["labels"]) == 7
    assert "vendor/echarts/dist/echarts.min.js" in response.content.decode()


def test_county_staff_dashboard_covers_only_their_county(login, personas):
    make_appeal(county="370811")
    make_appeal(county="370812", content="兖州区来件")
    assert login(personas.county_rencheng).get("/dashboard/").context["today_total"] == 1
    assert login(personas.analyst).get("/dashboard/").context["today_total"] == 2


def test_dashboard_query_count_is_fixed(login, personas, django_assert_max_num_queries):
    for i in range(10):
        make_appeal(content=f"来件{i}", citizen_phone=f"1390000{i:04d}")
    client = login(personas.analyst)
    with django_assert_max_num_queries(10):
        assert client.get("/dashboard/").status_code == 200
