"""Signing in with a phone number and a one-time code; "my appeals"; saved addresses."""

import re

import pytest

from jishiban.accounts.models import Role
from jishiban.portal.models import SavedAddress
from jishiban.supervision.models import Kind, Notification

from .helpers import hand_in

pytestmark = pytest.mark.django_db

PHONE = "13612345678"


def _code_sent(phone: str) -> str:
    note = Notification.objects.filter(kind=Kind.PORTAL_CODE, phone=phone).latest("id")
    return re.search(r"验证码 (\d{6})", note.text).group(1)


def _sign_in(client, phone=PHONE):
    assert client.post("/portal/sign-in/", {"step": "send", "phone": phone}).status_code == 200
    response = client.post("/portal/sign-in/", {"step": "check", "otp": _code_sent(phone)})
    assert response.status_code == 302 and response["Location"] == "/portal/mine/"
    return client


def test_a_phone_and_its_code_sign_a_citizen_in_and_their_appeals_are_listed(client, reference_data):
    _sign_in(client)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(phone=PHONE)
    assert user.role == Role.CITIZEN and not user.has_usable_password()
    appeal, _code = hand_in(client, phone=PHONE)
    assert appeal.citizen_user == user
    page = client.get("/portal/mine/").content.decode()
    assert appeal.number in page
    again = _sign_in(client.__class__())  # the same phone later: the same account
    assert get_user_model().objects.filter(phone=PHONE).count() == 1
    assert appeal.number in again.get("/portal/mine/").content.decode()
    assert client.__class__().get("/portal/mine/")["Location"] == "/portal/sign-in/"


def test_a_wrong_code_or_a_landline_is_explained(client, reference_data):
    response = client.post("/portal/sign-in/", {"step": "send", "phone": "0537-2345678"})
    assert response.status_code == 422 and "请填写 11 位手机号" in response.content.decode()
    client.post("/portal/sign-in/", {"step": "send", "phone": PHONE})
    response = client.post("/portal/sign-in/", {"step": "check", "otp": "000000" if _code_sent(PHONE) != "000000"
                                                 else "111111"})
    assert response.status_code == 422 and "验证码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_staff_members_phone_opens_a_citizen_account_only(client, personas):
    personas.handler.phone = PHONE
    personas.handler.save()
    _sign_in(client)
    assert int(client.session["_auth_user_id"]) != personas.handler.pk
    assert client.get("/inbox/")["Location"] == "/portal/"


def test_saved_addresses_are_offered_on_the_form_and_belong_to_their_citizen(client, personas):
    _sign_in(client)
    response = client.post("/portal/mine/addresses/", {"label": "家", "address": "任城区古槐街道幸福小区3号楼",
                                                       "county": "370811"})
    assert response.status_code == 302
    saved = SavedAddress.objects.get()
    assert saved.county.code == "370811"
    form = client.get("/portal/").content.decode()
    assert 'data-use-address="任城区古槐街道幸福小区3号楼"' in form and 'data-county="370811"' in form
    assert f'value="{PHONE}"' in form  # the account's phone is filled in
    refused = client.post("/portal/mine/addresses/", {"label": "", "address": ""})
    assert refused.status_code == 422 and "请填写名称" in refused.content.decode()
    stranger = client.__class__()
    stranger.force_login(personas.citizen)
    stranger.post(f"/portal/mine/addresses/{saved.pk}/delete/")
    assert SavedAddress.objects.filter(pk=saved.pk).exists()
    client.post(f"/portal/mine/addresses/{saved.pk}/delete/")
    assert not SavedAddress.objects.exists()
