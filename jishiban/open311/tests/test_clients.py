"""Real clients against a real server: FixMyStreet's Open311 client and the ``georeport`` package.

The FixMyStreet client below makes exactly the HTTP calls of perllib/Open311.pm (form POST to
``requests.xml``, ``tokens/{token}.xml``, ``servicerequestupdates.xml`` with start/end dates) and
reads the XML the way its XML::Simple settings do (group tags forced to lists, root dropped).
"""

from __future__ import annotations

from datetime import UTC, timedelta
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest
from django.utils import timezone
from georeport import GeoReport

from jishiban.appeals import services
from jishiban.appeals.models import Appeal
from jishiban.channels.models import Channel
from jishiban.open311.keys import create_key
from jishiban.supervision.models import PublicReply
from jishiban.supervision.services import public_replies
from jishiban.testing import Personas

from .conftest import STREETLIGHT, parse_xml

GROUP_TAGS = {"services": "service", "attributes": "attribute", "values": "value", "service_requests": "request",
              "errors": "error", "service_request_updates": "request_update"}
FORCE_ARRAY = set(GROUP_TAGS.values())


def xml_simple(xml: bytes) -> dict:
    """XMLin(ForceArray => group tags, KeyAttr => {}, GroupTags, SuppressEmpty => undef)."""

    def convert(element):
        children = list(element)
        if not children:
            return element.text if element.text and element.text.strip() else None
        result: dict = {}
        for child in children:
            value = convert(child)
            if child.tag in GROUP_TAGS and isinstance(value, dict):
                value = value.get(GROUP_TAGS[child.tag], [])
            if child.tag in FORCE_ARRAY:
                result.setdefault(child.tag, []).append(value)
            else:
                result[child.tag] = value
        return result

    return convert(parse_xml(xml))


class FixMyStreetOpen311:
    """The calls and parsing of FixMyStreet's perllib/Open311.pm."""

    def __init__(self, endpoint: str, jurisdiction: str, api_key: str):
        self.endpoint, self.jurisdiction, self.api_key = endpoint, jurisdiction, api_key
        self.error = ""

    def _request(self, method: str, path: str, params: dict) -> bytes | None:
        params = dict(params)
        if self.jurisdiction:
            params["jurisdiction_id"] = self.jurisdiction
        if method == "POST" and self.api_key:
            params["api_key"] = self.api_key
        url = self.endpoint + path
        if method == "GET":
            request = Request(f"{url}?{urlencode(params)}")
        else:
            request = Request(url, data=urlencode(params, doseq=True).encode(), method="POST",
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urlopen(request, timeout=10) as response:
                return response.read()
        except HTTPError as exc:
            errors = xml_simple(exc.read()).get("error", [])
            self.error = "".join(f"{e['code']}: {e['description']}\n" for e in errors)
            return None

    def get_service_list(self):
        return xml_simple(self._request("GET", "services.xml", {}))

    def get_service_meta_info(self, code):
        return xml_simple(self._request("GET", f"services/{code}.xml", {}))

    def send_service_request(self, params: dict):
        response = self._request("POST", "requests.xml", params)
        if response:
            obj = xml_simple(response)
            if obj["request"][0].get("service_request_id"):
                return obj["request"][0]["service_request_id"]
            if obj["request"][0].get("token"):
                return self.get_service_request_id_from_token(obj["request"][0]["token"])
        return 0

    def get_service_request_id_from_token(self, token):
        obj = xml_simple(self._request("GET", f"tokens/{token}.xml", {}))
        return obj["request"][0]["service_request_id"] if obj and obj["request"][0].get("service_request_id") else 0

    def get_service_requests(self, report_ids):
        return xml_simple(self._request("GET", "requests.xml", {"service_request_id": ",".join(report_ids)}))

    def get_service_request_updates(self, start_date, end_date):
        params = {"api_key": self.api_key or "", "start_date": start_date, "end_date": end_date}
        return xml_simple(self._request("GET", "servicerequestupdates.xml", params)).get("request_update")


def w3cdtf(moment) -> str:
    """DateTime::Format::W3CDTF->format_datetime of a UTC DateTime."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_fixmystreet_open311_client_works_unchanged(live, streetlight_attributes):
    personas = Personas()
    _key, raw = create_key(channel=Channel.objects.get(code="open311"), name="FixMyStreet")
    fms = FixMyStreetOpen311(f"{live.url}/open311/v2/", "jining", raw)

    services_list = fms.get_service_list()["service"]
    light = next(s for s in services_list if s["service_code"] == STREETLIGHT)
    assert light["metadata"] == "true" and light["group"] == "市政设施"
    meta = fms.get_service_meta_info(STREETLIGHT)
    assert [a["code"] for a in meta["attributes"]][:2] == ["pole_number", "lamps_out"]
    assert [v["key"] for v in meta["attributes"][3]["values"]] == ["1", "2"]

    params = {
        "lat": "35.414500", "long": "116.587200", "email": "fms-user@example.org",
        "description": "路灯不亮\n\n太白楼路口三盏路灯不亮\n\nhttps://fms.example.org/report/4711\n",
        "service_code": STREETLIGHT, "first_name": "Ming", "last_name": "Wang", "phone": "13912345678",
        "attribute[pole_number]": "RC-0231", "attribute[kind]": "1", "attribute[fixmystreet_id]": "4711",
        "attribute[title]": "路灯不亮", "attribute[report_url]": "https://fms.example.org/report/4711",
    }
    before = timezone.now() - timedelta(seconds=5)
    number = fms.send_service_request(params)
    appeal = Appeal.objects.get(number=number)
    assert appeal.citizen_name == "Ming Wang" and appeal.extras["open311"]["attributes"]["fixmystreet_id"] == "4711"
    assert fms.send_service_request(params) == number  # a resend is the same request

    fetched = fms.get_service_requests([number])["request"]
    assert fetched[0]["service_request_id"] == number and fetched[0]["status"] == "open"
    assert "13912345678" not in str(fetched) and "Wang" not in str(fetched)

    appeal = services.dispatch(appeal, by=personas.dispatcher, lead_unit=personas.urban)
    appeal = services.accept(appeal, by=personas.other_handler)
    services.reply(appeal, by=personas.other_handler, result_type="solved", text="已更换灯泡，恢复照明")
    window = (w3cdtf(before), w3cdtf(timezone.now() + timedelta(seconds=5)))
    assert fms.get_service_request_updates(*window)[-1]["description"] == "承办单位已答复，答复内容经审核后公开"
    public_replies.publish(PublicReply.objects.get(appeal=appeal), by=personas.supervisor)

    updates = fms.get_service_request_updates(*window)
    assert [u["service_request_id"] for u in updates] == [number] * 4
    assert [u["status"] for u in updates] == ["open", "open", "open", "closed"]
    assert updates[-1]["description"] == "已更换灯泡，恢复照明"
    assert all(u["update_id"] and u["updated_datetime"].endswith("+08:00") for u in updates)
    assert len({u["update_id"] for u in updates}) == 4

    fms.api_key = "deadbeef.not-a-key"
    assert fms.send_service_request({**params, "description": "另一个问题"}) == 0
    assert fms.error.startswith("403: ")
    fms.api_key = raw
    assert fms.send_service_request({**params, "service_code": "", "description": "x"}) == 0
    assert fms.error.startswith("400: ") and "service_code" in fms.error


def test_georeport_package_in_json_and_xml(live, streetlight_attributes):
    _key, raw = create_key(channel=Channel.objects.get(code="open311"))
    fms = FixMyStreetOpen311(f"{live.url}/open311/v2/", "jining", raw)
    first = fms.send_service_request({"service_code": STREETLIGHT, "lat": "35.41", "long": "116.58",
                                      "description": "路灯闪烁", "attribute[pole_number]": "RC-1",
                                      "attribute[kind]": "2"})
    second = fms.send_service_request({"service_code": "030202", "address_string": "红星路 12 号",
                                       "description": "路面塌陷一个大坑"})
    start = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

    for fmt in ("json", "xml"):
        client = GeoReport(f"{live.url}/open311/v2", jurisdiction="jining", output_format=fmt)
        codes = [s["service_code"] for s in client.get_service_list()]
        assert STREETLIGHT in codes and "030202" in codes
        definition = client.get_service_definition(STREETLIGHT)
        attributes = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
        assert attributes[0]["code"] == "pole_number"
        listed = client.get_service_requests(start_date=start, status="open")
        assert {r["service_request_id"] for r in listed} == {first, second}
        only = client.get_service_requests(service_code="030202")
        only = [only] if isinstance(only, dict) else only  # xmltodict: one element is not a list
        assert [r["service_request_id"] for r in only] == [second]
        single = client.get_service_request(first)
        assert single["service_request_id"] == first and single["service_code"] == STREETLIGHT
        assert str(single["lat"]) == "35.41"

    with pytest.raises(Exception, match="404"):
        GeoReport(f"{live.url}/open311/v2", jurisdiction="nowhere").get_service_list()
