"""Reading appeals: list filters, detail, events, reference data; access rules on each."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from jishiban.testing import advance, make_appeal


@pytest.fixture
def water(personas):
    """A 任城区 appeal dispatched to 市城乡水务局."""
    return advance(make_appeal(external_id="P-1", content="小区停水三天"), personas, "dispatched")


def test_dispatcher_lists_with_total_and_paging(api, personas, water):
    for n in range(3):
        make_appeal(content=f"噪音扰民第{n}次", county="370812", category=None)
    data = api("dispatcher").get("/appeals", {"page_size": 2}).json()
    assert data["total"] == 4 and data["total_exact"] and len(data["items"]) == 2
    page2 = api("dispatcher").get("/appeals", {"page_size": 2, "page": 2}).json()
    assert {i["number"] for i in data["items"]}.isdisjoint({i["number"] for i in page2["items"]})


@pytest.mark.parametrize("query,expected", [
    ({"status": "dispatched"}, 1), ({"status": "received,dispatched"}, 2), ({"county": "370812"}, 1),
    ({"channel": "12345-phone"}, 2), ({"handler": "city-water"}, 1), ({"category": "02"}, 1),
    ({"text": "停水"}, 1), ({"overdue": "false"}, 2),
])
def test_list_filters(api, water, query, expected):
    make_appeal(content="噪音扰民", county="370812", category=None)
    data = api("dispatcher").get("/appeals", query).json()
    assert data["total"] == expected, data


def test_overdue_and_received_range_filters(api, personas, water):
    type(water).objects.filter(pk=water.pk).update(reply_deadline=timezone.now() - timedelta(hours=1))
    assert api("dispatcher").get("/appeals", {"overdue": "true"}).json()["total"] == 1
    today = timezone.localdate().isoformat()
    assert api("dispatcher").get("/appeals", {"received_from": today, "received_to": today}).json()["total"] == 1
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert api("dispatcher").get("/appeals", {"received_to": yesterday}).json()["total"] == 0


def test_bad_filter_values_are_422_field_errors(api, water):
    response = api("dispatcher").get("/appeals", {"page_size": 1000, "received_from": "soon"})
    assert response.status_code == 422
    assert {"page_size", "received_from"} <= set(response.json()["errors"])


def test_lists_only_show_what_the_persona_may_see(api, personas, water):
    make_appeal(content="兖州区的诉求", county="370812")
    seen = {name: api(name).get("/appeals").json()["total"] for name in
            ("handler", "other_handler", "county_rencheng", "county_other", "citizen", "grid_worker", "analyst")}
    assert seen == {"handler": 1, "other_handler": 0, "county_rencheng": 1, "county_other": 1, "citizen": 0,
                    "grid_worker": 0, "analyst": 2}


def test_detail_has_version_actions_and_masked_citizen(api, water):
    data = api("handler").get(f"/appeals/{water.number}").json()
    assert data["version"] == water.version and data["lead_unit"]["code"] == "city-water"
    assert data["available_actions"] == ["accept", "request-return"]
    assert data["citizen"] == {"name": "张三", "phone": "139****5678", "id_number": "", "hidden": False}
    assert api("analyst").get(f"/appeals/{water.number}").json()["citizen"]["name"] == "张*"


def test_county_of_another_county_gets_404_as_for_an_unknown_appeal(api, water):
    hidden = api("county_other").get(f"/appeals/{water.number}")
    unknown = api("dispatcher").get("/appeals/JN2000010100001")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["code"] == "not_found"
    assert api("county_other").get(f"/appeals/{water.number}/events").status_code == 404
    assert api("other_handler").get(f"/appeals/{water.number}").status_code == 404


def test_events_tell_who_did_what(api, water):
    events = api("county_rencheng").get(f"/appeals/{water.number}/events").json()
    assert [e["action"] for e in events] == ["receive", "dispatch"]
    assert events[1]["actor"] == "dispatcher" and events[1]["payload"]["lead_unit"] == "city-water"


def test_reference_data_for_systems(api):
    client = api("handler")
    assert any(c["code"] == "12345-web" for c in client.get("/channels").json())
    categories = client.get("/categories").json()
    assert any(c["code"] == "020101" and c["parent"] for c in categories)
    units = {o["code"]: o for o in client.get("/organisations").json()}
    assert units["city-water"]["region"]
    counties = client.get("/regions", {"level": 2}).json()
    assert any(r["code"] == "370811" for r in counties)
    towns = client.get("/regions", {"parent": "370811"}).json()
    assert towns and all(r["parent"] == "370811" for r in towns)


def test_reference_data_needs_authentication(api):
    for path in ("/channels", "/categories", "/organisations", "/regions", "/appeals"):
        assert api(None).get(path).status_code == 401, path


def test_workbench_session_reads_but_must_send_csrf_to_write(personas, water):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.handler)
    assert client.get(f"/api/v1/appeals/{water.number}").status_code == 200
    response = client.post(f"/api/v1/appeals/{water.number}/actions/accept",
                           {"expected_version": water.version}, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    from django.middleware.csrf import get_token
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    token = get_token(request)
    client.cookies["csrftoken"] = request.META["CSRF_COOKIE"]
    response = client.post(f"/api/v1/appeals/{water.number}/actions/accept",
                           {"expected_version": water.version}, content_type="application/json",
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.content


def test_openapi_documents_error_responses(api):
    from django.test import Client

    body = Client().get("/api/v1/openapi.json").content

    def no_repeated_keys(pairs):
        keys = [key for key, _ in pairs]
        assert len(keys) == len(set(keys)), keys  # Swagger UI refuses a document that repeats a key
        return dict(pairs)

    schema = json.loads(body, object_pairs_hook=no_repeated_keys)
    create = schema["paths"]["/api/v1/appeals"]["post"]["responses"]
    assert {"200", "201", "401", "403", "409", "422"} <= set(create)
    reply = schema["paths"]["/api/v1/appeals/{number}/actions/reply"]["post"]
    assert {"403", "404", "409", "422"} <= set(reply["responses"])
    assert "ReplyIn" in str(reply["requestBody"])


def test_the_routers_of_other_apps_are_mounted(client):
    paths = set(client.get("/api/v1/openapi.json").json()["paths"])
    assert {"/api/v1/supervision/orders", "/api/v1/routing/rules", "/api/v1/appeals/{number}/suggestions"} <= paths
