"""Authentication against a live server (``requests``): Django's test client skips CSRF, so only a
real client shows what a system without a token, or a browser session, gets.

A write with no token, a wrong, revoked or expired one is the documented 401 with
``WWW-Authenticate: Bearer`` — not django-ninja's CSRF 403, which its session fallback raised
before it looked for a session. A browser session's write still needs its CSRF token.
"""

import re
from datetime import timedelta

import requests
from django.utils import timezone

from jishiban.api.models import ApiToken
from jishiban.api.tokens import create_token, revoke
from jishiban.appeals.models import Appeal
from jishiban.testing import Personas

BODY = {"channel": "12345-web", "content": "小区路灯不亮已经一周", "location": {"address": "任城区某小区"}}


def _post(live, headers=None, session=None):
    return (session or requests).post(f"{live.url}/api/v1/appeals", json=BODY, headers=headers or {}, timeout=30)


def _expired(personas):
    row, token = create_token(personas.operator)
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    return token


def test_writes_without_a_valid_token_are_401_with_www_authenticate(live):
    personas = Personas()
    revoked_row, revoked = create_token(personas.operator)
    revoke(ApiToken.objects.filter(pk=revoked_row.pk))
    for headers in ({}, {"Authorization": "Bearer jsb_wrong"}, {"Authorization": "Basic eDp5"},
                    {"Authorization": f"Bearer {revoked}"}, {"Authorization": f"Bearer {_expired(personas)}"}):
        response = _post(live, headers)
        assert response.status_code == 401, (headers, response.status_code, response.text)
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert response.json()["code"] == "unauthorized" and "CSRF" not in response.text
    assert Appeal.objects.count() == 0
    assert requests.get(f"{live.url}/api/v1/appeals", timeout=30).status_code == 401


def test_a_valid_token_writes_without_csrf(live):
    personas = Personas()
    _row, token = create_token(personas.operator)
    assert _post(live, {"Authorization": f"Bearer {token}"}).status_code == 201


def test_a_browser_session_write_still_needs_its_csrf_token(live):
    Personas()
    browser = requests.Session()
    page = browser.get(f"{live.url}/accounts/login/", timeout=30)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    logged_in = browser.post(f"{live.url}/accounts/login/", data={
        "username": "operator", "password": "pw-for-tests-only", "csrfmiddlewaretoken": csrf},
        headers={"Referer": f"{live.url}/accounts/login/"}, timeout=30)
    assert logged_in.status_code == 200 and "sessionid" in browser.cookies
    refused = _post(live, session=browser)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden" and "CSRF" in refused.json()["detail"]
    assert Appeal.objects.count() == 0
    allowed = _post(live, {"X-CSRFToken": browser.cookies["csrftoken"], "Referer": f"{live.url}/"}, session=browser)
    assert allowed.status_code == 201, allowed.text
