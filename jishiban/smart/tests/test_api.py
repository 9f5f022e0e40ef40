"""``GET /api/v1/appeals/{number}/suggestions``: who may read it, and what they see."""

import pytest

from jishiban.appeals import services
from jishiban.smart.services import refresh
from jishiban.testing import make_appeal

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispatched(personas, active_model):
    """A 任城区 appeal led by the water department, with a phone number in its text."""
    appeal = make_appeal(content="邻居说不想活了要跳楼，联系电话13912345678", title="停水引发纠纷")
    appeal = services.dispatch(appeal, by=personas.dispatcher, lead_unit=personas.water)
    refresh(appeal.pk)
    return appeal


def url(appeal):
    return f"/appeals/{appeal.number}/suggestions"


def test_dispatcher_reads_every_part_with_explanations(api, dispatched):
    r = api("dispatcher").get(url(dispatched))
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ready" and body["model_version"] == 1
    assert len(body["categories"]) == 3 and body["categories"][0]["because"]
    assert body["risks"][0]["code"] == "threat_to_life"
    assert "13912345678" in body["risks"][0]["evidence"]  # the centre may see personal data
    assert body["applied"]["tags"] == ["risk:threat_to_life"]
    assert isinstance(body["unavailable_reasons"], list)


@pytest.mark.parametrize("persona", ["handler", "county_rencheng", "supervisor", "leader"])
def test_people_who_may_see_the_appeal_read_its_suggestions(api, dispatched, persona):
    assert api(persona).get(url(dispatched)).status_code == 200


@pytest.mark.parametrize("persona", ["other_handler", "county_other", "power_handler", "other_citizen"])
def test_the_wrong_handler_or_county_gets_404(api, dispatched, persona):
    r = api(persona).get(url(dispatched))
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_unknown_appeal_is_404_and_anonymous_is_401(api, dispatched):
    assert api("dispatcher").get("/appeals/JN0000/suggestions").status_code == 404
    assert api(None).get(url(dispatched)).status_code == 401


def test_citizen_sees_own_appeal_but_not_the_centres_analysis(api, personas):
    own = make_appeal(citizen_user=personas.citizen)
    assert api("citizen").get(f"/appeals/{own.number}").status_code == 200
    r = api("citizen").get(url(own))
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_roles_without_identity_rights_see_masked_evidence(api, dispatched):
    body = api("leader").get(url(dispatched)).json()
    assert "13912345678" not in body["risks"][0]["evidence"] and "139****5678" in body["risks"][0]["evidence"]


def test_duplicates_the_caller_may_not_see_are_counted_not_shown(api, personas, dispatched):
    text = "幸福小区3号楼下水道堵塞，污水横流，请尽快疏通"
    elsewhere = make_appeal(content=text, county="370812")
    here = make_appeal(content=text + "！")
    refresh(elsewhere.pk)
    refresh(here.pk)
    full = api("dispatcher").get(url(here)).json()
    assert [d["number"] for d in full["duplicates"]] == [elsewhere.number] and full["hidden_duplicates"] == 0
    county = api("county_rencheng").get(url(here)).json()
    assert county["duplicates"] == [] and county["hidden_duplicates"] == 1


def test_appeal_without_a_computed_suggestion_says_it_is_pending(api, personas):
    appeal = make_appeal()
    body = api("dispatcher").get(url(appeal)).json()
    assert body["status"] == "pending" and body["unavailable_reasons"] == ["智能分析尚未完成（任务排队中或未运行）"]


def test_endpoint_is_documented_in_openapi(api, personas):
    doc = api("dispatcher").get("/openapi.json").json()
    operation = doc["paths"]["/api/v1/appeals/{number}/suggestions"]["get"]
    assert {"200", "401", "403", "404"} <= set(operation["responses"])
    assert "smart" in operation["tags"]
