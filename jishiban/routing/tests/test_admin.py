"""The catalogue in the Django admin (zh-hans): registered, edited through the services,
readable by dispatchers, refused to other roles."""

import pytest
from django.contrib import admin
from django.urls import reverse

from jishiban.organisations.models import Organisation
from jishiban.routing.models import DispatchRule, LearnedRoute
from jishiban.taxonomy.models import Category

pytestmark = pytest.mark.django_db


def test_models_are_registered_with_chinese_names():
    assert DispatchRule in admin.site._registry and LearnedRoute in admin.site._registry
    assert str(DispatchRule._meta.verbose_name_plural) == "派单目录"
    assert str(LearnedRoute._meta.verbose_name) == "历史派单统计"


def _form(**over):
    data = {"category": Category.objects.get(code="020301").pk, "lead_unit": Organisation.objects.get(code="ent-gas").pk,
            "keywords": "漏气、燃气味", "exclude_keywords": "", "priority": "3", "origin": "manual", "note": "",
            "valid_from": "2026-01-01", "valid_until": "", "is_active": "on", "co_units": []}
    return {**data, **over}


def test_supervisor_adds_a_rule_in_the_admin(client, personas):
    client.force_login(personas.supervisor)
    index = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "派单目录" in index.text
    response = client.post(reverse("admin:routing_dispatchrule_add"), _form())
    assert response.status_code == 302, response.context["adminform"].form.errors
    rule = DispatchRule.objects.get()
    assert rule.keyword_list == ("漏气", "燃气味") and rule.created_by == personas.supervisor
    page = client.get(reverse("admin:routing_dispatchrule_changelist"))
    assert page.status_code == 200 and "济宁燃气公司" in page.text


def test_admin_form_shows_the_services_errors(client, personas):
    client.force_login(personas.admin)
    response = client.post(reverse("admin:routing_dispatchrule_add"),
                           _form(category="", keywords="", valid_until="2025-01-01"))
    assert response.status_code == 200 and not DispatchRule.objects.exists()
    errors = response.context["adminform"].form.errors
    assert "category" in errors and errors["valid_until"] == ["失效日期不能早于生效日期"]


def test_admin_switches_a_rule_off_through_the_service(client, personas):
    rule = DispatchRule.objects.create(category=Category.objects.get(code="020301"),
                                       lead_unit=Organisation.objects.get(code="ent-gas"))
    client.force_login(personas.admin)
    response = client.post(reverse("admin:routing_dispatchrule_change", args=[rule.pk]), _form(is_active=""))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert not rule.is_active and rule.updated_by == personas.admin


def test_dispatcher_reads_but_may_not_add(client, personas):
    client.force_login(personas.dispatcher)
    assert client.get(reverse("admin:routing_dispatchrule_changelist")).status_code == 200
    assert client.get(reverse("admin:routing_dispatchrule_add")).status_code == 403
    assert client.post(reverse("admin:routing_dispatchrule_add"), _form()).status_code == 403
    assert not DispatchRule.objects.exists()


@pytest.mark.parametrize("who", ["operator", "analyst", "leader"])
def test_other_staff_do_not_see_the_catalogue(client, personas, who):
    client.force_login(getattr(personas, who))
    assert client.get(reverse("admin:routing_dispatchrule_changelist")).status_code == 403
    assert client.get(reverse("admin:routing_learnedroute_changelist")).status_code == 403
