"""The submit form's offline map: a tapped point → its grid, community, town and county (smart
help's one point → grid lookup) in plain words; the county's grid shapes; the point stored with
the appeal; a bad point refused in Chinese with nothing written."""

import pytest
from django.contrib.staticfiles import finders

from jishiban.grid.tests.conftest import C1, TOWN, grid_world  # noqa: F401

from .helpers import form_data

pytestmark = pytest.mark.django_db

INSIDE = {"lat": "35.415", "lon": "116.565"}  # in grid C1001 (box 116.56–116.57, 35.41–35.42)


def test_a_point_in_a_grid_names_county_town_community_and_grid(client, grid_world):  # noqa: F811
    data = client.get("/portal/point/", INSIDE).json()
    assert data["grid"]["code"] == C1 + "001"
    assert data["town"]["code"] == TOWN and data["county"]["code"] == "370811"
    assert data["name"].startswith("任城区古槐街道古槐社区") and data["name"].endswith(data["grid"]["name"])
    assert {"code": TOWN, "name": data["town"]["name"]} in data["towns"]


def test_a_point_without_a_grid_takes_the_county_of_the_shape_tapped(client, grid_world):  # noqa: F811
    data = client.get("/portal/point/", {"lat": "35.1", "lon": "116.3", "county": "370827"}).json()
    assert data["grid"] is None and data["town"] is None
    assert data["county"]["code"] == "370827" and data["name"] == "鱼台县"


@pytest.mark.parametrize("query", [{"lat": "nan", "lon": "116.5"}, {"lat": "35.4"}, {"lat": "39.9", "lon": "116.4"},
                                   {}])
def test_a_bad_point_is_refused_in_chinese(client, query):
    response = client.get("/portal/point/", query)
    assert response.status_code == 400
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["error"])


def test_the_grid_shapes_of_a_county_are_shapes_and_names_only(client, grid_world):  # noqa: F811
    shapes = client.get("/portal/grid-shapes/", {"county": "370811"}).json()
    assert sorted(f["properties"]["name"] for f in shapes["features"]) == [C1 + "001", C1 + "002", "370811011002001"]
    assert set(shapes["features"][0]["properties"]) == {"name", "label", "grid"}
    assert client.get("/portal/grid-shapes/", {"county": "370827"}).json()["features"] == []


def test_the_form_uses_the_cockpits_offline_counties_and_no_outside_address(client):
    page = client.get("/portal/").content.decode()
    assert 'data-counties="/static/cockpit/jining-counties.geojson"' in page
    assert "vendor/echarts/dist/echarts.min.js" in page and "http" not in page.split("data-map ")[1].split(">")[0]
    assert finders.find("cockpit/jining-counties.geojson")


def test_the_point_picked_is_stored_and_locates_the_grid(client, grid_world):  # noqa: F811
    from jishiban.appeals.models import Appeal
    from jishiban.grid.models import AppealLocation
    from jishiban.intake.tasks import after_intake

    data = form_data(**INSIDE)
    assert client.post("/portal/", data).status_code == 302
    appeal = Appeal.objects.get(external_id=data["key"])
    assert (str(appeal.lat), str(appeal.lon)) == ("35.415000", "116.565000")
    after_intake(appeal.pk)  # the background job every channel's appeal gets after intake
    location = AppealLocation.objects.filter(appeal=appeal).first()
    assert location is not None and location.grid.region.code == C1 + "001"


def test_a_broken_point_is_refused_and_everything_typed_is_kept(client):
    from jishiban.appeals.models import Appeal

    data = form_data(lat="35.4", lon="")
    response = client.post("/portal/", data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "地图位置" in page and data["content"] in page
    assert not Appeal.objects.filter(external_id=data["key"]).exists()
