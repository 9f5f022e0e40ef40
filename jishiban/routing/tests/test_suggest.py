"""``suggest_units``: the catalogue first, then meeting decisions, learned units, the domain map;
each suggestion with its explanation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jishiban.organisations.models import Organisation
from jishiban.regions.models import Region
from jishiban.routing.models import DispatchRule
from jishiban.routing.services import Advisor, seed_catalogue, suggest_units
from jishiban.taxonomy.models import Category
from jishiban.testing import make_appeal

pytestmark = pytest.mark.django_db


def org(code):
    return Organisation.objects.get(code=code)


def town_of(county_code):
    return Region.objects.filter(parent__code=county_code, level=3).order_by("code").first()


@pytest.fixture
def seeded(reference_data):
    return seed_catalogue()


def test_county_own_unit_without_any_rule(reference_data):
    """GIVEN an empty catalogue WHEN 邹城市 reports 停水 (with a town) THEN 邹城市水务局, not the town."""
    town = town_of("370883")
    appeal = make_appeal(county="370883", town=town.code, category="020101")
    [only] = suggest_units(appeal)
    assert only.lead_unit.code == "370883-water" and only.source == "domain"
    assert only.explanation == "分类 停水 的职能领域 + 县市区 邹城市 → 本县市区单位 邹城市水务局"


def test_county_own_unit_through_the_seeded_catalogue(seeded):
    appeal = make_appeal(county="370883", category="020101")
    first = suggest_units(appeal)[0]
    rule = DispatchRule.objects.get(seed_key="domain:020101:370883")
    assert (first.lead_unit.code, first.source, first.rule_id, first.score) == ("370883-water", "catalogue", rule.pk, 1.0)
    assert first.explanation == f"分类 停水 + 县市区 邹城市 → 规则 #{rule.pk}（初始目录）"


def test_county_without_own_unit_gets_the_city_unit(seeded):
    appeal = make_appeal(county="3708TB", category="020201", content="小区停电一整天")
    first = suggest_units(appeal)[0]
    assert first.lead_unit.code == "ent-power"
    assert "全市" in first.explanation


def test_town_affairs_go_to_the_town_unit(seeded):
    town = town_of("370883")
    appeal = make_appeal(county="370883", town=town.code, category="110101", content="村务不公开，账目不清")
    first = suggest_units(appeal)[0]
    assert first.lead_unit.code == f"town-{town.code}" and first.source == "domain"
    assert town.name in first.explanation
    assert suggest_units(make_appeal(county="370883", category="110101", content="村务不公开")) == []  # no town


def test_heating_in_rencheng_goes_to_the_heating_company_with_the_housing_bureau(seeded):
    appeal = make_appeal(county="370811", category="020401", content="暖气不热，室温只有十三度")
    first, *rest = suggest_units(appeal)
    assert first.lead_unit.code == "ent-heating"
    assert [u.code for u in first.co_units] == ["370811-housing"]
    assert "分类 供热 + 县市区 任城区" in first.explanation
    assert all(s.lead_unit.code != "ent-heating" for s in rest)  # one suggestion per unit


def test_gas_leak_goes_to_the_gas_company(seeded):
    appeal = make_appeal(county="370883", category="020301", content="楼道里有很大的燃气味")
    assert suggest_units(appeal)[0].lead_unit.code == "ent-gas"


def test_uncategorised_outage_goes_to_the_county_power_company_by_keyword(seeded):
    appeal = make_appeal(county="370883", category=None, content="我们村从昨晚开始停电，到现在还没来电")
    first = suggest_units(appeal)[0]
    assert first.lead_unit.code == "370883-power"
    assert "关键词 停电" in first.explanation
    excluded = make_appeal(county="370883", category=None, content="物业拉闸停电，要求交物业费")
    assert all(s.lead_unit.code != "370883-power" for s in suggest_units(excluded))


def test_water_meter_keyword_rule_beats_the_plain_rule(seeded):
    appeal = make_appeal(county="370811", category="020101", content="水表坏了以后一直停水")
    first, second = suggest_units(appeal)[:2]
    assert first.lead_unit.code == "ent-water" and "关键词 水表" in first.explanation
    assert second.lead_unit.code == "370811-water"


def test_expired_and_switched_off_rules_are_ignored(reference_data, personas):
    category = Category.objects.get(code="020101")
    today = timezone.localdate()
    DispatchRule.objects.create(category=category, lead_unit=org("city-urban"), valid_until=today - timedelta(days=1))
    DispatchRule.objects.create(category=category, lead_unit=org("city-health"), valid_from=today + timedelta(days=1))
    DispatchRule.objects.create(category=category, lead_unit=org("city-police"), is_active=False)
    codes = [s.lead_unit.code for s in suggest_units(make_appeal(category="020101"))]
    assert codes == ["370811-water"]


def test_rules_to_inactive_units_are_skipped(reference_data):
    gone = org("370811-urban")
    DispatchRule.objects.create(category=Category.objects.get(code="020101"), lead_unit=gone)
    Organisation.objects.filter(pk=gone.pk).update(is_active=False)
    assert [s.lead_unit.code for s in suggest_units(make_appeal(category="020101"))] == ["370811-water"]


def test_channel_rule_applies_only_to_its_channel(reference_data):
    from jishiban.channels.models import Channel

    channel = Channel.objects.exclude(code="12345-phone").first()
    DispatchRule.objects.create(category=Category.objects.get(code="020101"), channel=channel,
                                lead_unit=org("ent-water"))
    assert suggest_units(make_appeal(category="020101"))[0].lead_unit.code == "370811-water"
    other = make_appeal(category="020101", channel=channel.code)
    assert suggest_units(other)[0].lead_unit.code == "ent-water"


def test_limit_and_as_dict(seeded):
    appeal = make_appeal(county="370811", category="020101", content="水表坏了以后一直停水")
    assert len(suggest_units(appeal, limit=1)) == 1
    data = suggest_units(appeal)[0].as_dict()
    assert data["lead_unit"]["code"] == "ent-water" and data["source"] == "catalogue"
    assert data["co_units"] == [{"code": "370811-water", "name": "任城区水务局"}]


def test_advisor_shares_lookups_between_appeals(seeded, django_assert_max_num_queries):
    appeals = [make_appeal(county="370883", category="020101") for _ in range(5)]
    advisor = Advisor()
    suggest_units(appeals[0], advisor=advisor)
    with django_assert_max_num_queries(6):  # the category chain and units per row, no rule lookups
        for appeal in appeals[1:]:
            assert suggest_units(appeal, advisor=advisor)[0].lead_unit.code == "370883-water"


def test_seed_is_idempotent_and_keeps_edits(seeded):
    count = DispatchRule.objects.count()
    assert seeded["created"] == count > 100
    rule = DispatchRule.objects.get(seed_key="domain:020101:370883")
    DispatchRule.objects.filter(pk=rule.pk).update(is_active=False)
    again = seed_catalogue()
    assert again["created"] == 0 and again["existing"] == count
    assert DispatchRule.objects.count() == count and not DispatchRule.objects.get(pk=rule.pk).is_active
    assert not DispatchRule.objects.filter(seed_key__startswith="domain:110101").exists()  # town affairs
    assert not DispatchRule.objects.filter(category__code="120101").exists()  # two telecom operators


def test_prepared_advisor_suggests_the_same_with_two_queries_for_a_page(reference_data, django_assert_max_num_queries):
    """GIVEN a queue page of appeals in different counties, towns and categories (no catalogue:
    learned statistics and the domain decide) WHEN the advisor reads the page at once THEN each
    suggestion is what a fresh advisor gives and no row costs a query of its own."""
    from jishiban.routing.models import LearnedRoute

    LearnedRoute.objects.create(category=Category.objects.get(code="020101"), county=Region.objects.get(code="370811"),
                                unit=org("370811-water"), dispatched=9, kept=8, refreshed_at=timezone.now())
    cases = [("370811", "020101"), ("370883", "020101"), ("370811", None), ("370883", "020101"),
             ("370829", "020101")]
    appeals = [make_appeal(county=county, category=category) for county, category in cases]
    appeals.append(make_appeal(county="370883", town=town_of("370883").code, category="020101"))
    expected = [[s.as_dict() for s in suggest_units(a)] for a in appeals]
    advisor = Advisor(preload=False)
    advisor.prepare(appeals)
    with django_assert_max_num_queries(len(appeals)):  # catalogue look-ups only, none for learned/domain
        got = [[s.as_dict() for s in suggest_units(a, advisor=advisor)] for a in appeals]
    assert got == expected
    assert expected[0][0]["source"] == "learned" and expected[1][0]["lead_unit"]["code"] == "370883-water"
