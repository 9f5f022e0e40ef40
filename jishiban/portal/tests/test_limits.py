"""Rate limits per address and per phone: a clear Chinese refusal that keeps what was typed."""

import pytest

from jishiban.appeals.models import Appeal

from .helpers import form_data

pytestmark = pytest.mark.django_db


def _limits(settings, **rules):
    settings.JISHIBAN = {**settings.JISHIBAN, "PORTAL": {"LIMITS": rules}}


def test_submissions_per_address_are_limited(client, reference_data, settings):
    _limits(settings, **{"submit-ip": (2, 3600)})
    assert client.post("/portal/", form_data(phone="13900000001")).status_code == 302
    assert client.post("/portal/", form_data(phone="13900000002")).status_code == 302
    response = client.post("/portal/", form_data(phone="13900000003", content="第三次提交的内容要保留"))
    page = response.content.decode()
    assert response.status_code == 429
    assert "操作过于频繁（1 小时内最多 2 次）" in page and "第三次提交的内容要保留" in page
    assert Appeal.objects.count() == 2


def test_submissions_per_phone_are_limited_in_any_written_form(client, reference_data, settings):
    _limits(settings, **{"submit-phone": (1, 86400)})
    assert client.post("/portal/", form_data(phone="13900000009")).status_code == 302
    response = client.post("/portal/", form_data(phone="+86 139-0000-0009"))
    assert response.status_code == 429 and "1 天内最多 1 次" in response.content.decode()


def test_guessing_query_codes_is_limited(client, reference_data, settings):
    _limits(settings, **{"follow-ip": (3, 3600)})
    for _i in range(3):
        assert "没有找到" in client.post("/portal/follow/", {"code": "ABCDE-FGHJK"}).content.decode()
    response = client.post("/portal/follow/", {"code": "ABCDE-FGHJK"})
    assert response.status_code == 429 and "操作过于频繁" in response.content.decode()


def test_a_retry_of_a_stored_submission_is_not_counted(client, reference_data, settings):
    _limits(settings, **{"submit-ip": (1, 3600)})
    data = form_data()
    first = client.post("/portal/", data)
    again = client.post("/portal/", data)
    assert again.status_code == 302 and again["Location"] == first["Location"]
