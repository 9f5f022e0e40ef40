"""Who opens the cockpit, its panels for the auto-refresh, the list behind 今日到期, and the map's
shipped boundaries and population figures."""

import json
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from jishiban.accounts import policy
from jishiban.appeals import services
from jishiban.cockpit import geodata, selectors
from jishiban.regions.models import Region
from jishiban.testing import make_appeal
from jishiban.web.navigation import nav_for

STATIC = Path(__file__).resolve().parent.parent / "static" / "cockpit"


@pytest.mark.django_db
def test_leaders_supervisors_analysts_admin_and_county_staff_open_it_others_are_refused(personas, client):
    p = personas
    admitted = [p.leader, p.supervisor, p.analyst, p.admin, p.county_rencheng]
    refused = [p.operator, p.dispatcher, p.handler, p.dept_head, p.grid_worker]
    for user in admitted + refused:
        client.force_login(user)
        status = client.get(reverse("cockpit:cockpit")).status_code
        assert status == (200 if user in admitted else 403), user.username
        assert (reverse("cockpit:cockpit") in [e["url"] for e in nav_for(user)]) == (user in admitted)
        assert policy.may_open(user, "cockpit") == (user in admitted)
    client.logout()
    assert client.get(reverse("cockpit:cockpit")).status_code == 302


@pytest.mark.django_db
def test_the_panels_answer_alone_for_the_refresh(personas, client):
    client.force_login(personas.leader)
    r = client.get(reverse("cockpit:panels"))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="cockpit-panels"' in html and "<html" not in html and 'id="cockpit-data"' in html


@pytest.mark.django_db
def test_due_today_and_in_hand_list_the_visible_appeals_behind_the_live_numbers(personas, client):
    p = personas
    now = timezone.now()
    mine = services.dispatch(make_appeal(county="370811"), by=p.dispatcher, lead_unit=p.water)
    other = services.dispatch(make_appeal(county="370812"), by=p.dispatcher, lead_unit=p.water)
    end = selectors.day_bounds(timezone.localdate(now))[1]
    due = now + (end - now) / 2
    from jishiban.appeals.models import Appeal

    Appeal.objects.filter(pk__in=[mine.pk, other.pk]).update(reply_deadline=due)  # a deadline later today
    client.force_login(p.county_rencheng)
    listed = [a.pk for a in client.get(reverse("cockpit:live", args=["due-today"])).context["appeals"]]
    assert listed == [mine.pk]
    client.force_login(p.leader)
    assert {a.pk for a in client.get(reverse("cockpit:live", args=["due-today"])).context["appeals"]} == {mine.pk, other.pk}
    assert {a.pk for a in client.get(reverse("cockpit:live", args=["in-hand"])).context["appeals"]} == {mine.pk, other.pk}
    assert client.get(reverse("cockpit:live", args=["nothing"])).status_code == 404


@pytest.mark.django_db
def test_the_shipped_boundaries_are_the_eleven_counties_and_every_unit_has_a_population(reference_data):
    geo = json.loads((STATIC / "jining-counties.geojson").read_text(encoding="utf-8"))
    codes = {f["properties"]["code"] for f in geo["features"]}
    counties = set(Region.objects.counties().values_list("code", flat=True))
    assert len(codes) == 11 and codes <= counties
    for f in geo["features"]:
        for ring in f["geometry"]["coordinates"]:
            assert ring[0] == ring[-1]
            assert all(115.7 < x < 117.7 and 34.3 < y < 36.1 for x, y in ring)
    units = selectors.units()
    assert set(units) == counties and len(units) == 14
    assert {c for c, u in units.items() if u.get("anchor")} == counties - codes  # the zones are drawn as points
    assert 800 < sum(u["population"] for u in units.values()) < 850  # 济宁 ≈ 824 万 residents


def test_decoding_the_compressed_map_format_gives_back_the_coordinates():
    # One square ring around (116.5, 35.4), encoded the way ECharts' UTF8Encoding maps are.
    def enc(points, scale=1024):
        out, px, py = [], int(points[0][0] * scale), int(points[0][1] * scale)
        offset = [px, py]
        for x, y in points:
            qx, qy = int(round(x * scale)), int(round(y * scale))
            for d in (qx - px, qy - py):
                out.append(chr(((d << 1) ^ (d >> 31)) + 64))
            px, py = qx, qy
        return "".join(out), offset
    square = [(116.5, 35.4), (116.6, 35.4), (116.6, 35.5), (116.5, 35.5)]
    text, offset = enc(square)
    fc = {"UTF8Encoding": True, "features": [{"properties": {"name": "x"},
                                               "geometry": {"type": "Polygon", "coordinates": [text],
                                                            "encodeOffsets": [offset]}}]}
    ring = geodata.decode(fc)["features"][0]["geometry"]["coordinates"][0]
    assert len(ring) == 5 and ring[0] == ring[-1]
    assert all(abs(a - b) < 0.001 for (x, y), (u, v) in zip(ring, square, strict=False) for a, b in ((x, u), (y, v)))
