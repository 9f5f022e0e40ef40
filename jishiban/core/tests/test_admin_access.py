"""The admin speaks Chinese and shows each persona only the appeals they may see."""

import pytest
from django.contrib import admin
from django.urls import reverse

from jishiban.accounts.roles import assign_role_group, ensure_role_groups
from jishiban.testing import advance, make_appeal

pytestmark = pytest.mark.django_db


@pytest.fixture
def staffed(personas):
    ensure_role_groups()
    for user in vars(personas).values():
        if hasattr(user, "role"):
            user.is_staff = True
            user.save()
            assign_role_group(user)
    return personas


def _login(client, user):
    client.force_login(user)
    return client


def test_handler_sees_only_their_units_appeals_in_admin(client, staffed):
    mine = advance(make_appeal(content="供水管道破裂"), staffed, "dispatched")
    other = make_appeal(county="370812", content="兖州区路灯不亮", category="030201")
    page = _login(client, staffed.handler).get(reverse("admin:appeals_appeal_changelist"))
    assert page.status_code == 200
    assert mine.number in page.text and other.number not in page.text
    assert client.get(reverse("admin:appeals_appeal_change", args=[other.pk])).status_code == 302  # not found


def test_county_staff_see_their_county_only(client, staffed):
    rencheng = make_appeal()
    yanzhou = make_appeal(county="370812")
    page = _login(client, staffed.county_rencheng).get(reverse("admin:appeals_appeal_changelist"))
    assert rencheng.number in page.text and yanzhou.number not in page.text


def test_admin_is_in_chinese_for_every_model(client, staffed):
    page = _login(client, staffed.admin).get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "诉求件" in page.text and "受理渠道" in page.text and "区划" in page.text
    for model in admin.site._registry:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(model._meta.verbose_name)), model


def test_citizen_is_kept_out_of_the_admin_even_with_staff_status(client, staffed):
    own = make_appeal(citizen_user=staffed.citizen)
    page = _login(client, staffed.citizen).get(reverse("admin:appeals_appeal_changelist"))
    assert page.status_code == 302 and page["Location"] == "/portal/"
    detail = client.get(reverse("admin:appeals_appeal_change", args=[own.pk]))
    assert detail.status_code == 302 and detail["Location"] == "/portal/"
