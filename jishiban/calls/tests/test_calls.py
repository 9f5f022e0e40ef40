"""Incoming calls: the CTI's endpoint (token, idempotent on call id), the seat, the pop-up with
the caller's history, and the appeal taken from the call linked to its recording."""

import pytest
from django.test import Client
from django.urls import reverse

from jishiban.api.tokens import create_token
from jishiban.appeals.models import Appeal
from jishiban.calls import services
from jishiban.calls.models import Call
from jishiban.testing import make_appeal

pytestmark = pytest.mark.django_db

CALL = {"call_id": "cti-0001", "caller": "13912345678", "seat": "8001",
        "recording_url": "https://cti.example/rec/0001.wav"}


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _post(token, body):
    return Client().post("/api/v1/calls", body, content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {token}")


def test_cti_posts_a_call_once_whatever_its_retries(personas):
    _row, token = create_token(personas.operator, name="CTI")
    first = _post(token, CALL)
    assert first.status_code == 201 and first.json()["popped"] is False
    again = _post(token, CALL)
    assert again.status_code == 200
    assert Call.objects.count() == 1


def test_a_retry_adds_the_recording_the_first_post_lacked(personas):
    _row, token = create_token(personas.operator)
    _post(token, {**CALL, "recording_url": ""})
    assert _post(token, CALL).json()["recording_url"] == CALL["recording_url"]


def test_bad_calls_are_refused_in_chinese(personas):
    _row, token = create_token(personas.operator)
    response = _post(token, {**CALL, "caller": "abc", "seat": "座席 1", "recording_url": "ftp://x"})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) >= {"caller", "seat", "recording_url"}
    assert "来电号码格式不正确" in errors["caller"][0]
    assert not Call.objects.exists()


def test_only_the_cti_account_posts_calls(personas):
    _row, token = create_token(personas.handler)
    assert _post(token, CALL).status_code == 403
    assert Client().post("/api/v1/calls", CALL, content_type="application/json").status_code == 401


def test_the_operator_at_the_seat_gets_the_call_with_history(personas):
    make_appeal(citizen_phone="13912345678")
    services.sign_in(personas.operator, "8001")
    services.record_call(by=personas.operator, **CALL)
    page = _client(personas.operator).get(reverse("calls:poll")).content.decode()
    assert 'data-call-caller="13912345678"' in page
    assert "近90天 1 件诉求" in page
    # another operator at another seat sees nothing
    services.sign_in(personas.supervisor, "8002")
    assert "data-call" not in _client(personas.supervisor).get(reverse("calls:poll")).content.decode()


def test_a_seat_role_without_identity_rights_gets_no_full_number(personas, monkeypatch):
    """Every seat role sees identities today; should one not, the number is masked in the text
    and absent from the markup (the script has nothing to fill)."""
    from jishiban.calls import views

    monkeypatch.setattr(views, "sees_identity", lambda user: False)
    services.sign_in(personas.operator, "8001")
    services.record_call(by=personas.operator, **CALL)
    page = _client(personas.operator).get(reverse("calls:poll")).content.decode()
    assert "data-call=" in page and "13912345678" not in page
    assert "data-call-caller" not in page


def test_one_seat_one_operator(personas):
    services.sign_in(personas.operator, "8001")
    services.sign_in(personas.supervisor, "8001")
    c = _client(personas.operator)
    assert "签入座席" in c.get(reverse("calls:seat")).content.decode()
    response = c.post(reverse("calls:seat_sign"), {"seat": "!!"})
    assert response.status_code == 422 and "座席号须为" in response.content.decode()
    assert _client(personas.handler).get(reverse("calls:poll")).status_code == 403


def test_the_appeal_taken_from_the_call_links_its_recording(personas):
    services.sign_in(personas.operator, "8001")
    call, _created = services.record_call(by=personas.operator, **CALL)
    c = _client(personas.operator)
    response = c.post(reverse("web:intake"), {
        "citizen_phone": "13912345678", "channel": "12345-phone", "appeal_type": "complaint", "category": "020101",
        "content": "停水两天", "county": "370811", "mode": "dispatch", services.POSTED_FIELD: call.pk})
    assert response.status_code == 302
    appeal = Appeal.objects.get(citizen_phone="13912345678")
    call.refresh_from_db()
    assert call.appeal == appeal and call.operator == personas.operator
    page = c.get(reverse("web:appeal_detail", args=[appeal.pk])).content.decode()
    assert CALL["recording_url"] in page and "收听录音" in page
    # taken: it pops no more
    assert "data-call" not in c.get(reverse("calls:poll")).content.decode()


def test_a_call_of_another_seat_is_not_linked(personas):
    services.sign_in(personas.operator, "8001")
    call, _created = services.record_call(by=personas.operator, **{**CALL, "seat": "9009"})
    _client(personas.operator).post(reverse("web:intake"), {
        "citizen_phone": "13912345678", "channel": "12345-phone", "appeal_type": "complaint", "category": "020101",
        "content": "停水两天", "county": "370811", "mode": "dispatch", services.POSTED_FIELD: call.pk})
    call.refresh_from_db()
    assert call.appeal is None


def test_dismissing_a_call(personas):
    services.sign_in(personas.operator, "8001")
    call, _created = services.record_call(by=personas.operator, **CALL)
    c = _client(personas.operator)
    c.post(reverse("calls:dismiss", args=[call.pk]))
    assert "data-call" not in c.get(reverse("calls:poll")).content.decode()


def test_on_another_page_a_waiting_call_opens_the_call_desk(personas):
    c = _client(personas.operator)
    assert "elsewhere=1" not in c.get(reverse("web:appeal_list")).content.decode()  # no seat, no polling
    c.post(reverse("calls:seat_sign"), {"seat": "8001"})
    assert "elsewhere=1" in c.get(reverse("web:appeal_list")).content.decode()
    assert "elsewhere=1" not in c.get(reverse("web:intake")).content.decode()  # the desk polls itself
    quiet = c.get(reverse("calls:poll"), {"elsewhere": "1"})
    assert quiet.status_code == 204 and "HX-Redirect" not in quiet
    services.record_call(by=personas.operator, **CALL)
    ringing = c.get(reverse("calls:poll"), {"elsewhere": "1"})
    assert ringing["HX-Redirect"] == reverse("web:intake")
