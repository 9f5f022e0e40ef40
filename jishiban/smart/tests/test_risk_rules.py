"""Risk rules live in the database: seeded once, edited in the admin, used by ``assess``."""

import pytest
from django.urls import reverse

from jishiban.smart.models import RiskRule
from jishiban.smart.risk import DEFAULT_RULES, assess
from jishiban.smart.risk_db import seed_default_rules

pytestmark = pytest.mark.django_db


def codes(text):
    return [f.code for f in assess(text)]


def test_default_rules_are_seeded_once_and_edits_survive(db):
    assert set(RiskRule.objects.values_list("code", flat=True)) == {r["code"] for r in DEFAULT_RULES}
    RiskRule.objects.filter(code="epidemic").update(enabled=False, label="疫情（停用）")
    assert seed_default_rules() == 0
    rule = RiskRule.objects.get(code="epidemic")
    assert not rule.enabled and rule.label == "疫情（停用）"


def test_assess_uses_the_rules_in_the_database(db):
    assert codes("家里老人发热") == ["epidemic"]
    RiskRule.objects.filter(code="epidemic").update(enabled=False)
    RiskRule.objects.get(code="violence").save()  # any save clears this process's cache
    assert codes("家里老人发热") == []
    RiskRule.objects.create(code="gas_leak", label="燃气泄漏", terms=["燃气泄漏", "煤气味"], negations=["已修好"])
    assert codes("楼道里有很重的煤气味") == ["gas_leak"]
    assert codes("上周的燃气泄漏已修好燃气泄漏点") == ["gas_leak"]
    assert codes("已修好燃气泄漏") == []


def test_a_new_rule_tags_new_appeals(intake):
    RiskRule.objects.create(code="gas_leak", label="燃气泄漏", terms=["煤气味"])
    appeal = intake("楼道里有很重的煤气味")
    assert "risk:gas_leak" in appeal.tags and appeal.urgent


@pytest.fixture
def admin_client(client, personas):
    client.force_login(personas.admin)
    return client


def test_admin_refuses_a_bad_pattern_naming_the_field(admin_client):
    r = admin_client.post(reverse("admin:smart_riskrule_add"), {
        "code": "x", "label": "测试", "terms": "[]", "patterns": '["("]', "negations": "[]", "negatable": "on",
        "enabled": "on", "sort": "0"})
    assert r.status_code == 200
    assert "正则表达式有误" in r.text
    assert not RiskRule.objects.filter(code="x").exists()
    r = admin_client.post(reverse("admin:smart_riskrule_add"), {
        "code": "y", "label": "测试", "terms": '"跳楼"', "patterns": "[]", "negations": "[]", "sort": "0"})
    assert "须为文字列表" in r.text


def test_admin_saves_a_good_rule(admin_client):
    r = admin_client.post(reverse("admin:smart_riskrule_add"), {
        "code": "flood", "label": "内涝", "terms": '["积水倒灌", "内涝"]', "patterns": "[]", "negations": "[]",
        "negatable": "on", "enabled": "on", "sort": "60"})
    assert r.status_code == 302
    assert codes("小区地下车库积水倒灌") == ["flood"]


def test_admin_pages_of_smart_help_open_in_chinese(admin_client, intake, active_model):
    intake("小区停水了")
    for name in ("classifierversion", "suggestion", "riskrule"):
        page = admin_client.get(reverse(f"admin:smart_{name}_changelist"), HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert page.status_code == 200, name
    page = admin_client.get(reverse("admin:smart_classifierversion_change", args=[active_model.pk]))
    assert page.status_code == 200 and "评估" in page.text and "SHA-256" in page.text


def test_admin_action_activates_a_version_or_says_why_not(admin_client, active_model, code_classifier):
    from jishiban.smart.classify_db import DatabaseModelStore
    from jishiban.smart.models import ClassifierVersion

    DatabaseModelStore().save(code_classifier, note="v2")
    v2 = ClassifierVersion.objects.get(number=2)
    url = reverse("admin:smart_classifierversion_changelist")
    admin_client.post(url, {"action": "activate", "_selected_action": [v2.pk]})
    assert ClassifierVersion.objects.get(is_active=True).number == 2
    ClassifierVersion.objects.filter(number=1).update(blob=b"broken")
    r = admin_client.post(url, {"action": "activate", "_selected_action": [active_model.pk]}, follow=True)
    assert "不能启用 v1" in r.text
    assert ClassifierVersion.objects.get(is_active=True).number == 2


def test_suggestions_in_the_admin_are_limited_to_visible_appeals(client, personas, intake):
    from jishiban.accounts.roles import assign_role_group, ensure_role_groups

    mine = intake("兖州区路灯不亮", county="370812")
    ensure_role_groups()
    user = personas.county_rencheng
    user.is_superuser = False
    user.is_staff = True
    user.save()
    assign_role_group(user)
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="view_suggestion"))
    client.force_login(user)
    page = client.get(reverse("admin:smart_suggestion_changelist"))
    assert page.status_code == 200 and mine.number not in page.text
