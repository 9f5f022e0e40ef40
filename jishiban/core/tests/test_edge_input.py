"""Ordinary but odd input never ends in a 500: every interface answers a clear 4xx in Chinese
(English under ``en``) and writes nothing.

Page numbers like ``²`` (``isdigit()`` is true, ``int()`` fails) or 20 digits, negative or huge
offsets and limits, dates at the edge of the calendar (``0001-01-01T00:00:00+14:00`` cannot be
converted to UTC, ``9999-12-31`` has no next day), ``NaN`` coordinates and 20-digit ids.
"""

import json

import pytest
from django.test import Client

from jishiban.api.tokens import create_token
from jishiban.appeals.models import Appeal, AppealEvent
from jishiban.channels.models import Channel
from jishiban.open311.keys import create_key
from jishiban.testing import make_appeal

HUGE = "99999999999999999999"
EDGE_TIMES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"]

OPEN311 = [
    "/open311/v2/requests.json?page=²", f"/open311/v2/requests.json?page={HUGE}",
    f"/open311/v2/requests.json?page_size={HUGE}", f"/open311/v2/servicerequestupdates.json?page={HUGE}",
    "/open311/v2/servicerequestupdates.json?page=²", "/open311/v2/requests.json?start_date=0001-01-01",
    *[f"/open311/v2/requests.json?start_date={t.replace('+', '%2B')}" for t in EDGE_TIMES],
    *[f"/open311/v2/servicerequestupdates.json?end_date={t.replace('+', '%2B')}" for t in EDGE_TIMES],
    "/open311/v2/requests.xml?page=²",
]
API = [
    "/api/v1/appeals?page=²", f"/api/v1/appeals?page={HUGE}", f"/api/v1/appeals?page_size={HUGE}",
    *[f"/api/v1/appeals?received_from={t.replace('+', '%2B')}" for t in EDGE_TIMES],
    "/api/v1/appeals?received_to=9999-12-31", f"/api/v1/attachments/{HUGE}",
    "/api/v1/exports/appeals.csv?from=2026-01-01&to=9999-12-31", "/api/v1/exports/appeals.csv?from=0001-01-01&to=0001-01-02",
    *[f"/api/v1/supervision/{name}?{arg}={value}" for name in ("orders", "callbacks", "public-replies")
      for arg, value in (("offset", "-5"), ("offset", HUGE), ("limit", "-5"), ("limit", HUGE), ("limit", "0"))],
    "/api/v1/supervision/notifications?limit=-1", f"/api/v1/supervision/notifications?limit={HUGE}",
    "/api/v1/supervision/figures?period=9999-12", "/api/v1/supervision/figures?period=0001-01",
    "/api/v1/supervision/reply-rates?period=9999-12", f"/api/v1/supervision/orders/{HUGE}",
    "/api/v1/supervision/decisions?category=020101&on=9999-12-31",
]
PAGES = [
    "/appeals/?date_to=9999-12-31", "/appeals/?date_from=0001-01-01", "/appeals/export.csv?date_to=9999-12-31",
    "/supervision/figures/?period=9999-12", "/supervision/public-replies/?period=9999-12",
    "/admin/appeals/appeal/?received_at__year=9999", "/admin/appeals/appeal/?received_at__year=²",
    "/admin/appeals/appeal/?received_at__year=9999&received_at__month=12&received_at__day=31",
    "/admin/appeals/appeal/?received_at__gte=0001-01-01T00:00:00%2B14:00",
    "/admin/api/apitoken/?revoked_at__gte=9999-12-31T23:59:59-14:00",
]


@pytest.fixture
def stored(personas):
    appeal = make_appeal(channel="12345-web")
    return appeal


def _bearer(user):
    return {"Authorization": f"Bearer {create_token(user)[1]}"}


def _says_why(response, english=False) -> bool:
    text = response.content.decode("utf-8")
    if response["Content-Type"].startswith("application/json"):
        text = json.dumps(response.json(), ensure_ascii=False)
    if english:
        return any(word in text for word in ("must be", "must lie"))
    return "须" in text


@pytest.mark.parametrize("url", OPEN311 + API)
def test_odd_parameters_of_the_apis_are_a_clear_4xx(personas, stored, url):
    client = Client(raise_request_exception=False)
    response = client.get(url, headers=_bearer(personas.admin))
    assert 400 <= response.status_code < 500, (url, response.status_code, response.content[:300])
    if response.status_code != 404:
        assert _says_why(response), response.content[:300]


@pytest.mark.parametrize("url", PAGES)
def test_odd_parameters_of_the_pages_are_a_clear_400(personas, stored, url):
    client = Client(raise_request_exception=False)
    client.force_login(personas.admin)
    response = client.get(url)
    assert response.status_code == 400, (url, response.status_code)
    assert _says_why(response), response.content.decode()[-2000:]


@pytest.mark.parametrize("url", ["/open311/v2/requests.json?page=²", "/api/v1/appeals?received_to=9999-12-31",
                                 "/appeals/?date_to=9999-12-31", "/api/v1/supervision/orders?offset=-5"])
def test_the_messages_speak_english_under_en(personas, stored, url):
    client = Client(raise_request_exception=False)
    client.force_login(personas.admin)
    client.cookies["django_language"] = "en"
    response = client.get(url, headers=_bearer(personas.admin))
    assert 400 <= response.status_code < 500
    assert _says_why(response, english=True), response.content.decode()[:2000]


def test_a_20_digit_pick_on_the_bulk_dispatch_is_refused_and_nothing_dispatched(personas, stored):
    client = Client(raise_request_exception=False)
    client.force_login(personas.dispatcher)
    response = client.post("/dispatch/bulk/", {"pick": [f"{stored.pk}:{stored.version}", f"{HUGE}:1"],
                                               "lead_unit": personas.water.pk, "use": "unit"})
    assert response.status_code == 400 and "pick" in response.content.decode()
    stored.refresh_from_db()
    assert stored.status == "received" and stored.version == 1


@pytest.mark.parametrize("lat, lon", [("NaN", "NaN"), ("nan", "inf"), ("1e400", "116.5")])
def test_open311_coordinates_that_are_no_numbers_are_a_400(personas, lat, lon):
    _row, key = create_key(channel=Channel.objects.get(code="open311"), name="测试")
    response = Client(raise_request_exception=False).post("/open311/v2/requests.json", {
        "api_key": key, "service_code": "020101", "description": "路灯坏了", "lat": lat, "long": lon})
    assert response.status_code == 400 and "lat" in response.json()[0]["description"]
    assert Appeal.objects.count() == 0


@pytest.mark.parametrize("body", [
    '{"channel": "12345-web", "content": "路灯坏了", "location": {"lat": NaN, "lon": NaN}}',
    '{"channel": "12345-web", "content": "路灯坏了", "location": {"lat": Infinity, "lon": 116}}',
    '{"channel": "12345-web", "content": "路灯坏了", "received_at": "0001-01-01T00:00:00+14:00"}',
    '{"channel": "12345-web", "content": "路灯坏了", "received_at": "9999-12-31T23:59:59-14:00"}',
])
def test_api_bodies_with_impossible_numbers_are_a_422_and_write_nothing(personas, body):
    response = Client(raise_request_exception=False).post("/api/v1/appeals", body, content_type="application/json",
                                                          headers=_bearer(personas.operator))
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "validation_error"
    assert Appeal.objects.count() == 0 and AppealEvent.objects.count() == 0


def test_an_action_with_a_20_digit_version_is_a_422(personas, stored):
    response = Client(raise_request_exception=False).post(
        f"/api/v1/appeals/{stored.number}/actions/accept", json.dumps({"expected_version": int(HUGE)}),
        content_type="application/json", headers=_bearer(personas.dispatcher))
    assert response.status_code == 422 and "expected_version" in response.json()["errors"]


@pytest.mark.parametrize("url", ["/api/v1/appeals?text=%00", "/api/v1/appeals/JN%00", "/open311/v2/requests.json?service_code=%00",
                                 "/appeals/?q=%00", "/open311/v2/requests/%00.json"])
def test_nul_in_an_address_is_a_400_before_any_lookup(personas, stored, url):
    """No text column of PostgreSQL can hold NUL: on PostgreSQL these lookups raised."""
    client = Client(raise_request_exception=False)
    client.force_login(personas.admin)
    response = client.get(url, headers=_bearer(personas.admin))
    assert response.status_code == 400 and "NUL" in response.content.decode()


@pytest.mark.parametrize("text", ['"已修复\\u0000"', '"已修复\\ud800"', '"已修复\\u001b"'])
def test_no_api_body_may_carry_characters_no_column_can_store(personas, stored, text):
    """A reply through the API is no intake, yet its text is stored and published: NUL and lone
    surrogates made the write fail (a 500), other controls broke the public XML."""
    from jishiban.testing import advance

    appeal = advance(stored, personas, "accepted")
    body = f'{{"expected_version": {appeal.version}, "result_type": "solved", "text": {text}}}'
    response = Client(raise_request_exception=False).post(
        f"/api/v1/appeals/{appeal.number}/actions/reply", body, content_type="application/json",
        headers=_bearer(personas.handler))
    assert response.status_code == 422 and "text" in response.json()["errors"], response.content
    appeal.refresh_from_db()
    assert appeal.status == "accepted" and appeal.result_text == ""
