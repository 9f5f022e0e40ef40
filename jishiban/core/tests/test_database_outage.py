"""When the database cannot be reached every request gets a 503 with a clear Chinese message in
the shape its client expects; a programming error stays a 500. (The real outage, with servers in
other processes and the database taken away and given back, is in test_faults_outage.py.)"""

import json
from xml.etree import ElementTree

import pytest
from django.test import Client, override_settings

pytestmark = [pytest.mark.django_db, pytest.mark.urls("jishiban.core.tests.outage_urls")]


def _client():
    return Client(raise_request_exception=False)


def test_a_workbench_page_explains_in_chinese():
    response = _client().get("/appeals/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    text = response.content.decode()
    assert "服务暂时不可用" in text and "数据库暂时无法访问" in text
    assert 'href="/static/web/workbench.css"' in text  # the site's own style


def test_the_api_answers_its_own_error_body():
    response = _client().get("/api/v1/appeals")
    assert response.status_code == 503 and response["Content-Type"].startswith("application/json")
    assert json.loads(response.content) == {"code": "unavailable", "detail": "数据库暂时无法访问，本次请求未能完成，请稍后重试。"}


def test_open311_answers_its_error_list_in_the_format_asked():
    xml = _client().get("/open311/v2/requests.xml")
    assert xml.status_code == 503
    error = ElementTree.fromstring(xml.content).find("error")  # noqa: S314 (our own answer)
    assert error.findtext("code") == "503" and "数据库" in error.findtext("description")
    data = json.loads(_client().get("/open311/v2/requests.json").content)
    assert data[0]["code"] == 503


@override_settings(LANGUAGE_CODE="en")
def test_in_english_too():
    response = _client().get("/api/v1/appeals")
    assert response.status_code == 503 and json.loads(response.content)["code"] == "unavailable"
    assert "cannot be reached" in json.loads(response.content)["detail"]


def test_other_errors_stay_a_500():
    assert _client().get("/bug/").status_code == 500
