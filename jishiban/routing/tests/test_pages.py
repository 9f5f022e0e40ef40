"""The catalogue pages: supervisors and administrators edit, dispatchers read, others 403."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jishiban.organisations.models import Organisation
from jishiban.regions.models import Region
from jishiban.routing.models import DispatchRule, LearnedRoute
from jishiban.routing.services import seed_catalogue
from jishiban.supervision.models import DispatchDecision
from jishiban.taxonomy.models import Category
from jishiban.testing import make_appeal

pytestmark = pytest.mark.django_db

READERS = ("dispatcher", "supervisor", "admin")
EDITORS = ("supervisor", "admin")
# Citizens are kept on the portal's pages (portal/tests/test_citizen_account.py).
REFUSED = ("operator", "analyst", "leader", "county_rencheng", "handler", "dept_head", "grid_worker")


@pytest.fixture
def rule(reference_data):
    rule = DispatchRule.objects.create(category=Category.objects.get(code="0204"),
                                       county=Region.objects.get(code="370811"),
                                       lead_unit=Organisation.objects.get(code="ent-heating"), keywords="暖气，不热")
    rule.co_units.set([Organisation.objects.get(code="370811-housing")])
    return rule


def get(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


def form_data(**over):
    data = {"category": Category.objects.get(code="020301").pk, "county": "", "town": "", "channel": "",
            "keywords": "漏气, 燃气味", "exclude_keywords": "", "lead_unit": Organisation.objects.get(code="ent-gas").pk,
            "co_units": [Organisation.objects.get(code="370811-housing").pk], "priority": "5", "origin": "manual",
            "meeting": "", "note": "燃气泄漏抢修", "valid_from": "", "valid_until": ""}
    return {**data, **over}


@pytest.mark.parametrize("who", READERS)
def test_readers_see_list_detail_learned_and_try(client, personas, rule, who):
    user = getattr(personas, who)
    page = get(client, user, "routing:rules")
    assert page.status_code == 200 and "济宁热力公司" in page.text and "任城区住房和城乡建设局" in page.text
    assert ("新建规则" in page.text) == (who in EDITORS)
    detail = get(client, user, "routing:rule_detail", rule.pk)
    assert detail.status_code == 200 and "暖气" in detail.text
    assert get(client, user, "routing:learned").status_code == 200
    assert get(client, user, "routing:try").status_code == 200
    if who in EDITORS:
        assert "主办单位" in get(client, user, "routing:rule_new").text
        assert "暖气" in get(client, user, "routing:rule_edit", rule.pk).text


@pytest.mark.parametrize("who", REFUSED)
def test_everyone_else_is_refused(client, personas, rule, who):
    user = getattr(personas, who)
    for name, args in (("routing:rules", ()), ("routing:rule_detail", (rule.pk,)), ("routing:rule_new", ()),
                       ("routing:rule_edit", (rule.pk,)), ("routing:learned", ()), ("routing:try", ())):
        assert get(client, user, name, *args).status_code == 403, name
    assert client.post(reverse("routing:rule_active", args=[rule.pk]), {"active": "0"}).status_code == 403


def test_anonymous_is_sent_to_login(client, rule):
    response = client.get(reverse("routing:rules"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_dispatcher_may_not_create_edit_or_deactivate(client, personas, rule):
    client.force_login(personas.dispatcher)
    assert client.get(reverse("routing:rule_new")).status_code == 403
    assert client.post(reverse("routing:rule_new"), form_data()).status_code == 403
    assert client.post(reverse("routing:rule_edit", args=[rule.pk]), form_data()).status_code == 403
    assert client.post(reverse("routing:rule_active", args=[rule.pk]), {"active": "0"}).status_code == 403
    rule.refresh_from_db()
    assert rule.is_active and DispatchRule.objects.count() == 1


def test_supervisor_creates_a_rule(client, personas, reference_data):
    client.force_login(personas.supervisor)
    response = client.post(reverse("routing:rule_new"), form_data())
    rule = DispatchRule.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("routing:rule_detail", args=[rule.pk])
    assert rule.lead_unit.code == "ent-gas" and rule.keyword_list == ("漏气", "燃气味") and rule.priority == 5
    assert rule.created_by == personas.supervisor and rule.origin == "manual"
    assert rule.valid_from == timezone.localdate()
    assert [u.code for u in rule.co_units.all()] == ["370811-housing"]


def test_errors_name_the_fields_and_nothing_is_written(client, personas, reference_data):
    client.force_login(personas.supervisor)
    other_town = Region.objects.filter(parent__code="370883", level=3).first()
    today = timezone.localdate()
    response = client.post(reverse("routing:rule_new"), form_data(
        lead_unit="", county=Region.objects.get(code="370811").pk, town=other_town.pk,
        valid_from=today.isoformat(), valid_until=(today - timedelta(days=1)).isoformat()))
    assert response.status_code == 200 and not DispatchRule.objects.exists()
    errors = response.context["form"].errors
    assert errors["lead_unit"] == ["请选择主办单位"]
    assert "不属于" in errors["town"][0] and errors["valid_until"] == ["失效日期不能早于生效日期"]
    response = client.post(reverse("routing:rule_new"), form_data(category="", keywords=""))
    assert "请选择分类，或填写关键词" in response.context["form"].errors["category"][0]
    response = client.post(reverse("routing:rule_new"), form_data(origin="meeting"))
    assert response.context["form"].errors["meeting"] == ["来源为会商决定时，请选择会商"]


def test_supervisor_edits_and_deactivates_then_reactivates(client, personas, rule):
    client.force_login(personas.supervisor)
    response = client.post(reverse("routing:rule_edit", args=[rule.pk]), form_data(
        category=rule.category_id, county=rule.county_id, lead_unit=rule.lead_unit_id, keywords="暖气",
        exclude_keywords="空调"))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.keyword_list == ("暖气",) and rule.exclude_list == ("空调",) and rule.updated_by == personas.supervisor
    client.post(reverse("routing:rule_active", args=[rule.pk]), {"active": "0"})
    rule.refresh_from_db()
    assert not rule.is_active
    listing = client.get(reverse("routing:rules"))
    assert reverse("routing:rule_detail", args=[rule.pk]) not in listing.text
    assert reverse("routing:rule_detail", args=[rule.pk]) in client.get(reverse("routing:rules"),
                                                                         {"state": "inactive"}).text
    client.post(reverse("routing:rule_active", args=[rule.pk]), {"active": "1"})
    rule.refresh_from_db()
    assert rule.is_active


def test_meeting_rule_links_the_decision_and_keeps_decision_fields(client, personas, reference_data):
    decision = DispatchDecision.objects.create(category=Category.objects.get(code="020101"), lead_unit=personas.water,
                                               legal_basis="三定方案", valid_from=timezone.localdate())
    rule = DispatchRule.objects.get(decision=decision)
    client.force_login(personas.supervisor)
    detail = client.get(reverse("routing:rule_detail", args=[rule.pk]))
    assert f"会商决定 #{decision.pk}" in detail.text and reverse("supervision:decisions") in detail.text
    response = client.post(reverse("routing:rule_edit", args=[rule.pk]), form_data(
        category=rule.category_id, lead_unit=personas.urban.pk, keywords="", co_units=[], priority="60",
        origin="meeting"))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.lead_unit == personas.water and rule.priority == 60  # the decision's unit is kept


def test_try_page_shows_suggestions_with_explanations(client, personas, reference_data):
    seed_catalogue()
    appeal = make_appeal(county="370883", category="020101")
    client.force_login(personas.dispatcher)
    page = client.get(reverse("routing:try"), {"number": appeal.number})
    assert "邹城市水务局" in page.text and "分类 停水 + 县市区 邹城市" in page.text
    missing = client.get(reverse("routing:try"), {"number": "JN000"})
    assert "没有找到编号为 JN000 的诉求件" in missing.text


def test_learned_page_lists_the_statistics(client, personas, reference_data):
    LearnedRoute.objects.create(category=Category.objects.get(code="130101"), county=Region.objects.get(code="370811"),
                                unit=personas.water, dispatched=5, kept=4, returned=1, refreshed_at=timezone.now())
    page = get(client, personas.dispatcher, "routing:learned")
    assert "惠民政策咨询" in page.text and "济宁市城乡水务局" in page.text
