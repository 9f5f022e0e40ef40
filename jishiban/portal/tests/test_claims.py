"""Appeals handed in before a phone sign-in: offered to the account to confirm ("这些是您提交的
吗？"), never attached silently; only the portal's own, with that number, of the last
``CLAIM_DAYS`` days; an answer is kept and not asked again."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from jishiban.appeals.models import Appeal
from jishiban.testing import make_appeal

from .helpers import hand_in
from .test_sign_in import _code_sent

pytestmark = pytest.mark.django_db

PHONE = "13612345678"


def _sign_in(client, phone=PHONE) -> str:
    assert client.post("/portal/sign-in/", {"step": "send", "phone": phone}).status_code == 200
    response = client.post("/portal/sign-in/", {"step": "check", "otp": _code_sent(phone)})
    assert response.status_code == 302
    return response["Location"]


def _earlier(days_ago: int, **overrides) -> Appeal:
    overrides.setdefault("phone", PHONE)
    appeal, _code = hand_in(Client(), **overrides)
    Appeal.objects.filter(pk=appeal.pk).update(received_at=timezone.now() - timedelta(days=days_ago))
    return Appeal.objects.get(pk=appeal.pk)


def test_sign_in_asks_about_the_earlier_appeals_and_attaches_nothing_by_itself(client, reference_data):
    first = _earlier(3, content="小区门口的路灯坏了一个多月，晚上很黑")
    second = _earlier(20, content="楼下饭店油烟直排，家里窗户都不敢开")
    assert _sign_in(client) == "/portal/mine/earlier/"
    page = client.get("/portal/mine/earlier/").content.decode()
    assert "这些是您提交的吗？" in page and first.number in page and second.number in page
    assert not Appeal.objects.filter(pk__in=[first.pk, second.pk], citizen_user__isnull=False).exists()
    assert first.number not in client.get("/portal/mine/").content.decode()


def test_only_the_ticked_appeals_join_the_account_and_the_others_are_not_asked_again(client, reference_data):
    from jishiban.portal.models import ClaimDecision

    mine, not_mine = _earlier(2), _earlier(5, content="楼下饭店油烟直排，家里窗户都不敢开")
    _sign_in(client)
    response = client.post("/portal/mine/earlier/", {"offered": [mine.pk, not_mine.pk], "mine": [mine.pk]})
    assert response.status_code == 302 and response["Location"] == "/portal/mine/"
    mine.refresh_from_db()
    not_mine.refresh_from_db()
    assert mine.citizen_user is not None and mine.citizen_user.phone == PHONE and not_mine.citizen_user is None
    assert mine.events.filter(action="attach-account", actor=mine.citizen_user).exists()
    assert dict(ClaimDecision.objects.values_list("appeal_id", "attached")) == {mine.pk: True, not_mine.pk: False}
    page = client.get("/portal/mine/").content.decode()
    assert mine.number in page and not_mine.number not in page and "data-to-claim" not in page
    assert client.get(f"/portal/appeals/{mine.number}/").status_code == 200
    assert _sign_in(Client()) == "/portal/mine/"  # nothing left to ask about


def test_old_hotline_anonymous_and_other_phones_appeals_are_not_offered(client, reference_data, personas):
    from jishiban.portal import claims

    recent = _earlier(29)
    too_old = _earlier(31)
    other_phone = _earlier(1, phone="13700007777")
    anonymous = _earlier(1, anonymous="on", name="", phone="")
    hotline = make_appeal(citizen_phone=PHONE)  # a number an operator noted for a call
    _sign_in(client)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(phone=PHONE)
    assert list(claims.candidates(user)) == [recent]
    # A forged or stale id is ignored: only what the rule offers can be attached.
    claims.decide(user, mine=[too_old.pk, other_phone.pk, anonymous.pk, hotline.pk],
                  offered=[too_old.pk, other_phone.pk, anonymous.pk, hotline.pk])
    assert not Appeal.objects.filter(pk__in=[too_old.pk, other_phone.pk, anonymous.pk, hotline.pk],
                                     citizen_user=user).exists()


def test_the_window_is_a_setting(client, reference_data, settings):
    settings.JISHIBAN = {**settings.JISHIBAN, "PORTAL": {"CLAIM_DAYS": 60}}
    older = _earlier(45)
    assert _sign_in(client) == "/portal/mine/earlier/"
    assert older.number in client.get("/portal/mine/earlier/").content.decode()
