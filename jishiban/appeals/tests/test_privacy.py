"""Citizen identity: masked by default, confidential appeals hidden, every reveal logged."""

import pytest

from jishiban.appeals.models import PersonalDataAccess
from jishiban.appeals.privacy import citizen_display, mask_id_number, mask_phone, mask_public, reveal
from jishiban.testing import advance, make_appeal

pytestmark = pytest.mark.django_db


def test_masks_keep_a_hint():
    assert mask_phone("13912345678") == "139****5678"
    assert mask_id_number("370811199001011234") == "3708**********1234"


def test_ordinary_appeal_shows_masked_phone_to_staff(personas):
    appeal = make_appeal(citizen_id_number="370811199001011234")
    shown = citizen_display(personas.dispatcher, appeal)
    assert shown == {"name": "张三", "phone": "139****5678", "id_number": "3708**********1234", "hidden": False}
    assert citizen_display(personas.analyst, appeal)["name"] == "张*"


def test_confidential_appeal_hides_identity_except_supervisor_and_lead_unit(personas):
    appeal = advance(make_appeal(appeal_type="report", content="举报偷排污水"), personas, "dispatched")
    assert appeal.confidential
    for who in ("dispatcher", "operator", "analyst", "leader", "county_rencheng", "other_handler"):
        shown = citizen_display(getattr(personas, who), appeal)
        assert shown["hidden"] and shown["name"] == "（保密）" and shown["phone"] == ""
        with pytest.raises(PermissionError):
            reveal(getattr(personas, who), appeal, "citizen_phone")
    assert not citizen_display(personas.supervisor, appeal)["hidden"]
    assert not citizen_display(personas.handler, appeal)["hidden"]


def test_reveal_is_logged(personas):
    appeal = make_appeal()
    assert reveal(personas.dispatcher, appeal, "citizen_phone") == "13912345678"
    log = PersonalDataAccess.objects.get()
    assert (log.user, log.appeal, log.field) == (personas.dispatcher, appeal, "citizen_phone")


def test_anonymous_appeal_shows_nothing(personas):
    appeal = make_appeal(anonymous=True)
    assert citizen_display(personas.supervisor, appeal)["name"] == "匿名"
    with pytest.raises(PermissionError):
        reveal(personas.supervisor, appeal, "citizen_phone")


@pytest.mark.parametrize("text,hidden,shown", [
    ("电话13912345678", "13912345678", "139****5678"),
    ("电话139.1234.5678", "1234", "139****5678"),
    ("电话 +86 139 1234 5678", "1234", "139****5678"),
    ("座机0537.2345678", "2345678", "5678"),
    ("身份证370811198506121233", "19850612", "3708**********1233"),
    ("身份证370811199001011234（校验位错）", "19900101", "3708"),
    ("卡号6222021234567890128", "0212345678901", "6222"),
    ("车牌鲁H12345", "鲁H12345", "鲁H·***45"),
])
def test_public_text_masks_every_kind_of_personal_number(text, hidden, shown):
    masked = mask_public(text)
    assert hidden not in masked and shown in masked


def test_public_text_keeps_ordinary_numbers_and_masks_the_citizens_name(reference_data):
    appeal = make_appeal(citizen_name="王小明")
    text = "王小明反映：2026年11月27日起停水3天，诉求件 JN2026112700001，1.5 吨"
    assert mask_public(text, appeal) == "王**反映：2026年11月27日起停水3天，诉求件 JN2026112700001，1.5 吨"
    assert mask_public(None) == "" and mask_public("") == ""
