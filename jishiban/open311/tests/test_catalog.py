"""discovery, services and services/{code}: the category tree's leaves as Open311 services."""


import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jishiban.open311.models import ServiceAttribute
from jishiban.taxonomy.models import Category

from .conftest import BASE, STREETLIGHT, parse_xml


def test_discovery_in_both_formats(client, reference_data):
    body = client.get(f"{BASE}/discovery.json").json()
    assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
    endpoint = body["endpoints"][0]
    assert endpoint["url"] == "http://testserver/open311/v2" and endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = parse_xml(client.get(f"{BASE}/discovery.xml").content)
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]
    assert root.find("endpoints/endpoint/specification").text == "http://wiki.open311.org/GeoReport_v2"


def test_services_are_the_active_leaf_categories(client, streetlight_attributes):
    Category.objects.filter(code="020102").update(is_active=False, keywords="水质，浑浊")
    Category.objects.filter(code="020101").update(keywords="停水，断水,没水")
    services = client.get(f"{BASE}/services.json").json()
    codes = [s["service_code"] for s in services]
    leaves = Category.objects.filter(level=3, is_active=True)
    assert sorted(codes) == sorted(leaves.values_list("code", flat=True))
    assert "020102" not in codes and "0201" not in codes
    water = next(s for s in services if s["service_code"] == "020101")
    assert water == {"service_code": "020101", "service_name": "停水", "description": "水电气暖 / 供水 / 停水",
                     "metadata": False, "type": "realtime", "keywords": "停水, 断水, 没水", "group": "供水"}
    assert next(s for s in services if s["service_code"] == STREETLIGHT)["metadata"] is True


def test_services_xml(client, streetlight_attributes):
    root = parse_xml(client.get(f"{BASE}/services.xml").content)
    assert root.tag == "services"
    light = next(s for s in root.findall("service") if s.find("service_code").text == STREETLIGHT)
    assert [c.tag for c in light] == ["service_code", "service_name", "description", "metadata", "type",
                                      "keywords", "group"]
    assert light.find("metadata").text == "true" and light.find("group").text == "市政设施"


def test_service_definition_json(client, streetlight_attributes):
    body = client.get(f"{BASE}/services/{STREETLIGHT}.json").json()
    assert body["service_code"] == STREETLIGHT
    assert [a["code"] for a in body["attributes"]] == ["pole_number", "lamps_out", "noticed_at", "kind", "details",
                                                       "hazards"]
    kind = body["attributes"][3]
    assert kind == {"variable": True, "code": "kind", "datatype": "singlevaluelist", "required": True,
                    "datatype_description": None, "order": 4, "description": "故障类型",
                    "values": [{"key": "1", "name": "全部不亮"}, {"key": "2", "name": "闪烁"}]}


def test_service_definition_xml(client, streetlight_attributes):
    root = parse_xml(client.get(f"{BASE}/services/{STREETLIGHT}.xml").content)
    assert root.tag == "service_definition" and root.find("service_code").text == STREETLIGHT
    attributes = root.findall("attributes/attribute")
    assert len(attributes) == 6
    hazards = attributes[5]
    assert hazards.find("datatype").text == "multivaluelist" and hazards.find("required").text == "false"
    assert [v.find("key").text for v in hazards.findall("values/value")] == ["wire", "tilt", "dark"]


def test_service_without_attributes_has_an_empty_definition(client, reference_data):
    assert client.get(f"{BASE}/services/020101.json").json() == {"service_code": "020101", "attributes": []}


@pytest.mark.parametrize("code", ["999999", "0201"])
def test_unknown_service_is_404_in_both_formats(client, reference_data, code):
    response = client.get(f"{BASE}/services/{code}.json")
    assert response.status_code == 404 and response.json()[0]["code"] == 404
    root = parse_xml(client.get(f"{BASE}/services/{code}.xml").content)
    assert root.tag == "errors" and root.find("error/code").text == "404"


def test_unknown_jurisdiction_is_404_and_the_demo_one_is_accepted(client, reference_data):
    assert client.get(f"{BASE}/services.json", {"jurisdiction_id": "jining"}).status_code == 200
    response = client.get(f"{BASE}/services.xml", {"jurisdiction_id": "elsewhere"})
    assert response.status_code == 404
    assert "jurisdiction_id" in parse_xml(response.content).find("error/description").text


def test_changeset_follows_attribute_edits(client, streetlight_attributes):
    attribute = streetlight_attributes[0]
    attribute.description = "灯杆上的编号"
    attribute.save()
    expected = timezone.localtime(attribute.updated_at).replace(microsecond=0).isoformat()
    assert client.get(f"{BASE}/discovery.json").json()["changeset"] == expected


@pytest.mark.parametrize("fields,field", [
    ({"category_code": "0302"}, "category"),
    ({"datatype": "singlevaluelist", "values": []}, "values"),
    ({"datatype": "string", "values": [{"key": "1", "name": "x"}]}, "values"),
    ({"datatype": "singlevaluelist", "values": [{"key": "1"}, {"key": "1"}]}, "values"),
    ({"datatype": "singlevaluelist", "values": ["1", "2"]}, "values"),
])
def test_attribute_definitions_are_checked(reference_data, fields, field):
    category = Category.objects.get(code=fields.pop("category_code", STREETLIGHT))
    attribute = ServiceAttribute(category=category, code="x", description="说明", **fields)
    with pytest.raises(ValidationError) as err:
        attribute.full_clean()
    assert field in err.value.message_dict
