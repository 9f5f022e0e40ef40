"""The address forms citizens write that the resolver used to lose (issue 15): a typo in the
county right before a correctly written town, colloquial short forms, a functional zone with a
town it does not manage, and landmarks, including names other cities also use."""

import pytest

from jishiban.smart.geocode.fuzzy import near_homophones
from jishiban.smart.geocode.gazetteer import default_gazetteer
from jishiban.smart.geocode.resolver import AddressResolver

GAZ = default_gazetteer()
COUNTY = {c.name: c.code for c in GAZ.counties.values()}
TOWN = {t.name: t.code for t in GAZ.towns.values()}


@pytest.fixture(scope="module")
def resolver():
    return AddressResolver()


def answer(resolver, text):
    r = resolver.resolve(text)
    return r, (r.county_code, r.town_code)


@pytest.mark.parametrize(("text", "county", "town", "typo"), [
    ("凉山拳铺有人半夜倒垃圾", "梁山县", "拳铺镇", "凉山"),
    ("汶尚康驿那边路灯不亮", "汶上县", "康驿镇", "汶尚"),
    ("微三韩庄那边的码头", "微山县", "韩庄镇", "微三"),
    ("俺们是凉山拳铺上的", "梁山县", "拳铺镇", "凉山"),
    ("泗说星村集上占道经营", "泗水县", "星村镇", "泗说"),
    ("曲夫时庄的小区停水", "曲阜市", "时庄街道", "曲夫"),
    ("太白胡许庄那片", "太白湖新区", "许庄街道", "太白胡"),
    ("汶尚康驿镇的养殖场", "汶上县", "康驿镇", "汶尚"),
])
def test_a_typo_in_the_county_keeps_the_town_after_it(resolver, text, county, town, typo):
    r, got = answer(resolver, text)
    assert got == (COUNTY[county], TOWN[town])
    assert any(typo in e and "错别字" in e for e in r.evidence)


@pytest.mark.parametrize("text", ["梁水拳铺", "黄山拳铺的茶叶"])
def test_a_string_that_is_no_near_county_does_not_unlock_a_bare_town(resolver, text):
    assert answer(resolver, text)[1] == (None, None)


def test_near_homophones_follow_the_loose_dialect_rules():
    assert near_homophones("山", "三") and near_homophones("水", "说") and near_homophones("梁", "凉")
    assert not near_homophones("山", "园")


@pytest.mark.parametrize(("text", "county", "town"), [
    ("微山夏镇那边下水道堵了", "微山县", "夏镇街道"),
    ("邹城太平这块有个砖厂冒黑烟", "邹城市", "太平镇"),
    ("金乡胡集那片的大蒜冷库", "金乡县", "胡集镇"),
    ("俺们是嘉祥孟姑集上的", "嘉祥县", "孟姑集镇"),
    ("俺家是鱼台张黄的", "鱼台县", "张黄镇"),
])
def test_colloquial_short_forms_give_the_town(resolver, text, county, town):
    assert answer(resolver, text)[1] == (COUNTY[county], TOWN[town])


@pytest.mark.parametrize(("text", "written", "unit", "town"), [
    ("高新区许庄街道某小区供暖不热", "高新区", "太白湖新区", "许庄街道"),
    ("经开区黄屯有家厂子夜里施工", "经开区", "济宁高新技术产业开发区", "黄屯街道"),
    ("兖州王因街道的村里修路", "兖州", "济宁高新技术产业开发区", "王因街道"),
    ("任城区柳行那边噪音扰民", "任城区", "济宁高新技术产业开发区", "柳行街道"),
])
def test_a_zone_with_a_town_it_does_not_manage_gives_the_towns_managing_unit(resolver, text, written, unit, town):
    r, got = answer(resolver, text)
    assert got == (COUNTY[unit], TOWN[town])
    assert any(written in e and unit in e for e in r.evidence)
    assert r.confidence < 0.8  # suggested, never filled in automatically


def test_a_zone_with_its_own_town_says_the_statistical_county(resolver):
    r, got = answer(resolver, "经开区疃里那边")
    assert got == (COUNTY["济宁经济技术开发区"], TOWN["疃里镇"])
    assert any("嘉祥县" in e for e in r.evidence)


def test_a_county_with_a_town_of_another_county_keeps_the_county(resolver):
    # No zone involved: which of the two is wrong cannot be told, so only the county is given.
    assert answer(resolver, "邹城市尼山镇")[1] == (COUNTY["邹城市"], None)


@pytest.mark.parametrize(("text", "county", "town"), [
    ("梁公林附近修路尘土大", "曲阜市", "防山镇"),
    ("上九山村的民宿乱收费", "邹城市", "石墙镇"),
    ("去伏羲庙的路坑坑洼洼", "微山县", "两城镇"),
    ("分水龙王庙旁边堆满垃圾", "汶上县", "南旺镇"),
    ("济医附院门口乱停车", "任城区", None),
    ("济宁市博物馆停车场收费", "太白湖新区", None),
    ("太阳纸业排污有异味", "兖州区", None),
])
def test_new_landmarks(resolver, text, county, town):
    assert answer(resolver, text)[1] == (COUNTY[county], TOWN.get(town))


@pytest.mark.parametrize("text", ["甘肃天水伏羲庙门票太贵", "北京孔庙国子监"])
def test_a_weak_landmark_yields_to_another_city(resolver, text):
    r, got = answer(resolver, text)
    assert got == (None, None)
    assert any("其他地方" in e for e in r.evidence)


def test_a_landmark_that_says_jining_is_not_weak(resolver):
    # 商厦门口 contains 厦门; 济宁贵和 still names Jining.
    assert answer(resolver, "济宁贵和商厦门口出租车乱停")[1] == (COUNTY["任城区"], None)
