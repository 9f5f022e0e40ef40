"""GET requests.{json,xml} and requests/{id}: the public list shows only what may be public."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jishiban.appeals import services
from jishiban.supervision.models import PublicReply
from jishiban.supervision.services import public_replies
from jishiban.testing import advance, make_appeal

from .conftest import BASE, parse_xml

FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
          "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
          "address", "address_id", "zipcode", "lat", "long", "media_url"]
SECRET_ID = "370811199001011234"


def ids(response):
    return [r["service_request_id"] for r in response.json()]


@pytest.fixture
def published(personas):
    """Appeals of public channels (open311, 12345-web) and of a private one (12345-phone)."""
    now = timezone.now()
    return {
        "open311": make_appeal(channel="open311", content="路灯不亮，联系我 13912345678，身份证 " + SECRET_ID,
                               citizen_name="王小明", category="030201", address="任城区太白楼路 8 号",
                               lat="35.4145", lon="116.5872", received_at=now - timedelta(hours=3)),
        "web": make_appeal(channel="12345-web", content="王小明反映：小区停水三天", citizen_name="王小明",
                           received_at=now - timedelta(days=2)),
        "phone": make_appeal(channel="12345-phone", content="电话反映停水", received_at=now - timedelta(hours=1)),
        "confidential": make_appeal(channel="12345-web", content="举报某单位违规排污", appeal_type="report",
                                    received_at=now - timedelta(hours=2)),
        "old": make_appeal(channel="open311", content="去年的路灯问题", category="030201",
                           received_at=now - timedelta(days=120)),
    }


def test_list_shows_only_public_channels_and_never_confidential_appeals(client, published):
    response = client.get(f"{BASE}/requests.json")
    assert response.status_code == 200
    assert ids(response) == [published["open311"].number, published["web"].number]  # newest first, 90 days


def test_requests_carry_every_spec_field_in_order(client, published):
    record = client.get(f"{BASE}/requests.json").json()[0]
    assert list(record) == FIELDS
    assert record["service_code"] == "030201" and record["service_name"] == "路灯不亮"
    assert record["status"] == "open" and record["lat"] == pytest.approx(35.4145)
    assert record["requested_datetime"].endswith("+08:00")
    root = parse_xml(client.get(f"{BASE}/requests.xml").content)
    assert root.tag == "service_requests"
    first = root.findall("request")[0]
    assert [child.tag for child in first] == FIELDS
    assert first.find("long").text == "116.5872"


def test_identity_and_personal_data_never_leave(client, published):
    for fmt in ("json", "xml"):
        body = client.get(f"{BASE}/requests.{fmt}").content.decode()
        assert "13912345678" not in body and SECRET_ID not in body
        assert "王小明" not in body and "张三" not in body
        assert "139****5678" in body
    record = client.get(f"{BASE}/requests/{published['web'].number}.json").json()[0]
    assert record["description"].startswith("王**反映")


def test_published_reply_is_status_notes_masked_and_the_request_closed(client, personas, published):
    appeal = advance(published["open311"], personas, "accepted")
    services.reply(appeal, by=personas.handler, result_type="solved", text="已修复，如有问题请致电 13800001111 王小明")
    record = client.get(f"{BASE}/requests/{appeal.number}.json").json()[0]
    assert record["status"] == "closed"
    assert record["status_notes"] is None  # the unit's reply waits for review
    public_replies.publish(PublicReply.objects.get(appeal=appeal), by=personas.supervisor)
    record = client.get(f"{BASE}/requests/{appeal.number}.json").json()[0]
    assert record["status_notes"] == "已修复，如有问题请致电 138****1111 王**"
    assert record["agency_responsible"] == personas.water.name
    appeal.refresh_from_db()
    assert record["expected_datetime"] == timezone.localtime(appeal.reply_deadline).isoformat()


def test_reopened_request_is_open_again_without_the_old_reply(client, personas, published):
    appeal = advance(published["open311"], personas, "replied")
    services.reopen(appeal, by=personas.supervisor, reason="群众不满意")
    record = client.get(f"{BASE}/requests/{appeal.number}.json").json()[0]
    assert record["status"] == "open" and record["status_notes"] is None


def test_invalid_request_is_closed_without_its_text(client, personas, published):
    services.invalidate(published["web"], by=personas.dispatcher, reason="骚扰电话")
    record = client.get(f"{BASE}/requests/{published['web'].number}.json").json()[0]
    assert record["status"] == "closed" and record["description"] is None
    assert "骚扰" not in str(record)


def test_status_filter(client, personas, published):
    advance(published["web"], personas, "replied")
    assert ids(client.get(f"{BASE}/requests.json", {"status": "closed"})) == [published["web"].number]
    assert ids(client.get(f"{BASE}/requests.json", {"status": "open"})) == [published["open311"].number]
    assert len(ids(client.get(f"{BASE}/requests.json", {"status": "open,closed"}))) == 2


def test_service_code_and_date_filters(client, published):
    assert ids(client.get(f"{BASE}/requests.json", {"service_code": "030201"})) == [published["open311"].number]
    assert ids(client.get(f"{BASE}/requests.json", {"service_code": "030201,020101"})) == [
        published["open311"].number, published["web"].number]
    start = (timezone.now() - timedelta(days=200)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (timezone.now() - timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(client.get(f"{BASE}/requests.json", {"start_date": start, "end_date": end})) == [published["old"].number]
    since = timezone.localtime(timezone.now() - timedelta(days=1)).replace(microsecond=0).isoformat()
    assert ids(client.get(f"{BASE}/requests.json", {"start_date": since})) == [published["open311"].number]


def test_service_request_id_list_overrides_other_filters(client, published):
    wanted = [published["old"].number, published["web"].number, published["phone"].number,
              published["confidential"].number]
    response = client.get(f"{BASE}/requests.json", {"service_request_id": ",".join(wanted), "status": "closed"})
    assert set(ids(response)) == {published["old"].number, published["web"].number}


def test_paging_extension(client, reference_data):
    numbers = [make_appeal(channel="open311", content=f"第 {i} 处路灯不亮", category="030201").number for i in range(5)]
    newest_first = numbers[::-1]
    page1 = ids(client.get(f"{BASE}/requests.json", {"page_size": 2}))
    page3 = ids(client.get(f"{BASE}/requests.json", {"page_size": 2, "page": 3}))
    page4 = ids(client.get(f"{BASE}/requests.json", {"page_size": 2, "page": 4}))
    assert page1 == newest_first[:2] and page3 == newest_first[4:] and page4 == []


def test_public_channels_are_configurable(client, settings, published):
    settings.OPEN311 = {"PUBLIC_CHANNELS": ["12345-phone"]}
    assert ids(client.get(f"{BASE}/requests.json")) == [published["phone"].number]


@pytest.mark.parametrize("number_key", ["phone", "confidential"])
def test_private_or_confidential_request_detail_is_404(client, published, number_key):
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}/requests/{published[number_key].number}.{fmt}")
        assert response.status_code == 404


def test_request_detail_in_xml(client, published):
    root = parse_xml(client.get(f"{BASE}/requests/{published['open311'].number}.xml").content)
    assert root.tag == "service_requests" and len(root.findall("request")) == 1
    assert root.find("request/service_request_id").text == published["open311"].number


@pytest.mark.parametrize("query,needle", [
    ({"start_date": "last tuesday"}, "start_date"),
    ({"end_date": "2026-13-45"}, "end_date"),
    ({"start_date": "2026-11-20", "end_date": "2026-11-01"}, "start_date"),
    ({"status": "pending"}, "status"),
    ({"page": "0"}, "page"),
    ({"page_size": "5000"}, "page_size"),
    ({"jurisdiction_id": "springfield"}, "jurisdiction_id"),
])
def test_bad_query_parameters_get_open311_errors(client, reference_data, query, needle):
    status = 404 if "jurisdiction_id" in query else 400
    response = client.get(f"{BASE}/requests.json", query)
    assert response.status_code == status
    assert response.json()[0]["code"] == status and needle in response.json()[0]["description"]
    root = parse_xml(client.get(f"{BASE}/requests.xml", query).content)
    assert root.tag == "errors" and root.find("error/code").text == str(status)
    assert needle in root.find("error/description").text


def test_unencoded_plus_in_a_date_is_understood(client, published):
    since = timezone.localtime(timezone.now() - timedelta(days=1)).replace(microsecond=0).isoformat()
    response = client.get(f"{BASE}/requests.json?start_date={since}")  # "+08:00" arrives as " 08:00"
    assert response.status_code == 200 and ids(response) == [published["open311"].number]


def test_unknown_endpoint_is_an_open311_404(client, db):
    response = client.get(f"{BASE}/nothing.xml")
    assert response.status_code == 404
    assert parse_xml(response.content).tag == "errors"


def test_list_queries_do_not_grow_with_the_page(client, personas, django_assert_max_num_queries):
    for i in range(12):
        appeal = make_appeal(channel="open311", content=f"第 {i} 处路灯不亮", category="030201")
        if i % 3 == 0:
            advance(appeal, personas, "replied")
    with django_assert_max_num_queries(3):
        assert len(client.get(f"{BASE}/requests.xml").content) > 0
    with django_assert_max_num_queries(4):
        assert len(client.get(f"{BASE}/servicerequestupdates.json").json()) == 12 + 4 * 3


def test_public_gets_allow_other_origins(client, reference_data):
    assert client.get(f"{BASE}/services.json")["Access-Control-Allow-Origin"] == "*"
