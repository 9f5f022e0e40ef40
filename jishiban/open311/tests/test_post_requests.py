"""POST requests.{json,xml}: an Open311 form goes through the intake pipeline."""


import pytest
from django.test import Client

from jishiban.appeals.models import Appeal, AppealEvent
from jishiban.open311.keys import revoke_key
from jishiban.open311.models import ServiceAttribute
from jishiban.taxonomy.models import Category

from .conftest import BASE, STREETLIGHT, parse_xml, valid_form

ATTRS = {"attribute[pole_number]": "RC-0231", "attribute[kind]": "1"}


def post(client, form, fmt="json"):
    return client.post(f"{BASE}/requests.{fmt}", form)


def test_post_creates_an_appeal_on_the_keys_channel_and_returns_its_number(client, api_key, streetlight_attributes):
    """GIVEN a valid key WHEN a client posts a request THEN one appeal is made through the pipeline."""
    key, raw = api_key
    response = post(client, valid_form(raw, **ATTRS, **{"attribute[hazards][]": ["wire", "dark"]},
                                       media_url="https://img.example.com/1.jpg", device_id="dev-9",
                                       account_id="acc-7"))
    assert response.status_code == 200, response.content
    body = response.json()
    appeal = Appeal.objects.get()
    assert body[0]["service_request_id"] == appeal.number
    assert body[0]["account_id"] == "acc-7" and body[0]["token"]
    assert "工作日内答复" in body[0]["service_notice"]
    assert appeal.channel.code == "open311" and appeal.category.code == STREETLIGHT
    assert appeal.citizen_name == "张三" and appeal.citizen_phone == "13912345678"
    assert str(appeal.lat) == "35.414500" and str(appeal.lon) == "116.587200"
    assert appeal.status == "received" and appeal.appeal_type == "help" and not appeal.confidential
    extras = appeal.extras["open311"]
    assert extras["attributes"] == {"pole_number": "RC-0231", "kind": "1", "hazards": ["wire", "dark"]}
    assert extras["media_url"] == "https://img.example.com/1.jpg" and extras["api_key"] == key.prefix
    assert appeal.extras["email"] == "citizen@example.com"
    assert raw not in str(appeal.extras)
    assert AppealEvent.objects.filter(appeal=appeal, action="receive").count() == 1


def test_post_answers_in_xml_with_service_requests_request(client, api_key):
    response = post(client, valid_form(api_key[1]), fmt="xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
    root = parse_xml(response.content)
    assert root.tag == "service_requests"
    assert root.find("request/service_request_id").text == Appeal.objects.get().number
    assert root.find("request/account_id").text is None


def test_retried_identical_post_returns_the_same_request(client, api_key):
    form = valid_form(api_key[1])
    first, second = post(client, form), post(client, form)
    assert first.json()[0]["service_request_id"] == second.json()[0]["service_request_id"]
    assert Appeal.objects.count() == 1


def test_post_is_exempt_from_csrf(api_key):
    client = Client(enforce_csrf_checks=True)
    assert post(client, valid_form(api_key[1])).status_code == 200


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_missing_or_wrong_key_is_refused_with_403(client, api_key, fmt):
    raw = api_key[1]
    for bad in (None, "", "nonsense", raw[:-2] + "xx", "deadbeef." + raw.split(".", 1)[1]):
        response = post(client, valid_form(raw, api_key=bad), fmt=fmt)
        assert response.status_code == 403
        if fmt == "json":
            assert response.json()[0]["code"] == 403
        else:
            root = parse_xml(response.content)
            assert root.tag == "errors" and root.find("error/code").text == "403"
            assert root.find("error/description").text
    assert Appeal.objects.count() == 0


def test_revoked_key_gets_403(client, api_key):
    key, raw = api_key
    assert post(client, valid_form(raw)).status_code == 200
    revoke_key(key.prefix)
    response = post(client, valid_form(raw, description="另一处路灯不亮"))
    assert response.status_code == 403
    assert Appeal.objects.count() == 1


def test_key_of_an_inactive_channel_gets_403(client, api_key):
    key, raw = api_key
    key.channel.is_active = False
    key.channel.save()
    assert post(client, valid_form(raw)).status_code == 403


def test_key_use_is_recorded(client, api_key):
    key, raw = api_key
    post(client, valid_form(raw))
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_missing_fields_are_all_listed_with_400(client, api_key):
    form = valid_form(api_key[1], service_code="", description="  ", lat=None, long=None, address_string=None)
    response = post(client, form)
    assert response.status_code == 400
    descriptions = " ".join(e["description"] for e in response.json())
    assert {e["code"] for e in response.json()} == {400}
    assert "service_code" in descriptions and "description" in descriptions
    assert "lat/long" in descriptions and "address_string" in descriptions and "address_id" in descriptions
    assert Appeal.objects.count() == 0


def test_missing_location_in_xml(client, api_key):
    response = post(client, valid_form(api_key[1], lat=None, long=None, address_string=None), fmt="xml")
    assert response.status_code == 400
    root = parse_xml(response.content)
    assert "address_id" in root.find("error/description").text


@pytest.mark.parametrize("location", [
    {"lat": None, "long": None},  # address_string alone
    {"lat": None, "long": None, "address_string": None, "address_id": "RC-ADDR-778"},
])
def test_address_string_or_address_id_is_enough(client, api_key, location):
    response = post(client, valid_form(api_key[1], **location))
    assert response.status_code == 200, response.content
    appeal = Appeal.objects.get()
    assert appeal.lat is None
    if "address_id" in location:
        assert appeal.extras["open311"]["address_id"] == "RC-ADDR-778"


@pytest.mark.parametrize("fields,needle", [
    ({"service_code": "999999"}, "999999"),
    ({"service_code": "0302"}, "0302"),  # a group, not a service
    ({"lat": "95", "long": "116.5"}, "lat"),
    ({"lat": "35.4", "long": None}, "long"),
    ({"email": "not-an-email"}, "email"),
    ({"media_url": "ftp://x/y.jpg"}, "media_url"),
    ({"phone": "call me"}, "phone"),
])
def test_bad_values_get_400_naming_the_field(client, api_key, fields, needle):
    response = post(client, valid_form(api_key[1], **fields))
    assert response.status_code == 400
    assert needle in " ".join(e["description"] for e in response.json())
    assert Appeal.objects.count() == 0


def test_attributes_are_validated_against_the_service_definition(client, api_key, streetlight_attributes):
    form = valid_form(api_key[1], **{
        "attribute[kind]": "9", "attribute[lamps_out]": "three", "attribute[noticed_at]": "yesterday",
        "attribute[hazards][]": ["wire", "fire"],
    })
    response = post(client, form)
    assert response.status_code == 400
    text = " ".join(e["description"] for e in response.json())
    for code in ("pole_number", "kind", "lamps_out", "noticed_at", "hazards"):
        assert code in text
    assert Appeal.objects.count() == 0


def test_valid_attributes_and_undefined_ones_are_kept(client, api_key, streetlight_attributes):
    form = valid_form(api_key[1], **ATTRS, **{"attribute[lamps_out]": "3", "attribute[noticed_at]": "2026-11-26T20:00:00+08:00",
                                              "attribute[fixmystreet_id]": "4711"})
    assert post(client, form).status_code == 200
    kept = Appeal.objects.get().extras["open311"]["attributes"]
    assert kept["lamps_out"] == "3" and kept["fixmystreet_id"] == "4711"


def test_unknown_jurisdiction_is_404(client, api_key):
    response = post(client, valid_form(api_key[1], jurisdiction_id="atlantis"))
    assert response.status_code == 404 and response.json()[0]["code"] == 404
    assert Appeal.objects.count() == 0


def test_token_resolves_to_the_request_id(client, api_key):
    body = post(client, valid_form(api_key[1])).json()[0]
    number, token = body["service_request_id"], body["token"]
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}/tokens/{token}.{fmt}", {"jurisdiction_id": "jining"})
        assert response.status_code == 200
        if fmt == "json":
            assert response.json() == [{"service_request_id": number, "token": token}]
        else:
            root = parse_xml(response.content)
            assert root.tag == "service_requests" and root.find("request/service_request_id").text == number


def test_forged_token_is_404(client, api_key):
    token = post(client, valid_form(api_key[1])).json()[0]["token"]
    number = token.split(":")[0]
    assert client.get(f"{BASE}/tokens/{number}:forged.json").status_code == 404
    assert client.get(f"{BASE}/tokens/{number}.xml").status_code == 404


def test_wrong_method_is_405_in_open311_shape(client, reference_data):
    response = client.post(f"{BASE}/services.json")
    assert response.status_code == 405 and response["Allow"] == "GET"
    assert response.json()[0]["code"] == 405


def test_a_new_attribute_rule_applies_at_once(client, api_key):
    """GIVEN a service without attributes WHEN an admin adds a required one THEN the next POST needs it."""
    assert post(client, valid_form(api_key[1])).status_code == 200
    ServiceAttribute.objects.create(category=Category.objects.get(code=STREETLIGHT), code="pole_number",
                                    datatype="string", required=True, description="灯杆编号")
    response = post(client, valid_form(api_key[1], description="另一处路灯不亮"))
    assert response.status_code == 400 and "pole_number" in response.json()[0]["description"]
    category = Category.objects.get(code=STREETLIGHT)
    category.is_active = False
    category.save()
    response = post(client, valid_form(api_key[1], description="第三处路灯不亮", **{"attribute[pole_number]": "1"}))
    assert response.status_code == 400 and STREETLIGHT in response.json()[0]["description"]
