"""Error pages are styled Chinese pages that say what happened and where to go; a refusal says it
is a refusal, and what is outside a user's scope reads the same as what does not exist."""

import pytest
from django.test import Client
from django.urls import path

from jishiban.testing import make_appeal


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom)]


@pytest.mark.django_db
def test_a_refused_page_says_it_is_a_refusal(personas):
    client = Client()
    client.force_login(personas.handler)
    response = client.get("/dispatch/")
    body = response.content.decode()
    assert response.status_code == 403 and "没有权限" in body and "已拒绝" in body
    assert "Forbidden" not in body and "workbench.css" in body


@pytest.mark.django_db
def test_an_appeal_outside_the_scope_reads_as_not_found_in_chinese(personas):
    appeal = make_appeal()
    client = Client()
    client.force_login(personas.other_handler)
    response = client.get(f"/appeals/{appeal.pk}/")
    body = response.content.decode()
    assert response.status_code == 404 and "没有找到" in body and "查看范围" in body
    assert "Not Found" not in body
    missing = client.get("/appeals/999999999/")
    assert missing.status_code == 404 and _main(missing.content.decode()) == _main(body)


def _main(html: str) -> str:
    return html[html.index("<main"):html.index("</main>")]


@pytest.mark.urls(__name__)
def test_a_server_error_is_a_chinese_page(settings):
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/boom/")
    body = response.content.decode()
    assert response.status_code == 500 and "系统出错" in body and "Server Error" not in body
