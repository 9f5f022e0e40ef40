import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from jishiban.smart.geocode.evalset import (
    HANDWRITTEN_FIFTH,
    HANDWRITTEN_FOURTH,
    HANDWRITTEN_FRESH,
    HANDWRITTEN_THIRD,
    evaluate,
    generate_cases,
    handwritten_cases,
)
from jishiban.smart.geocode.gazetteer import default_gazetteer, default_landmarks, load_landmarks
from jishiban.smart.geocode.grid import GridIndex
from jishiban.smart.geocode.resolver import AddressResolver


@pytest.fixture(scope="module")
def resolver():
    return AddressResolver()


@pytest.mark.parametrize(
    ("text", "county", "town"),
    [
        ("山东省济宁市任城区李营街道前进村12号路灯坏了", "370811", "370811005"),
        ("任城那边的李营街道", "370811", "370811005"),
        ("兖州鼓楼街道", "370812", "370812001"),
        ("邹城", "370883", None),
        ("曲阜孔府附近", "370881", None),
        ("兖洲区鼓楼街道", "370812", "370812001"),
        ("济宁高新区柳行街道", "370871", "370871002"),
        ("高新区某小区供暖不热", "370871", None),
        ("太白湖南张街道", "3708TB", "370811006"),
        ("经开区唐口街道", "3708JK", "370811018"),
        ("我住在唐口这边", "3708JK", "370811018"),
        ("长沟镇", "370811", "370811102"),
    ],
)
def test_resolves_county_and_town(resolver, text, county, town):
    r = resolver.resolve(text)
    assert (r.county_code, r.town_code) == (county, town)
    assert r.confidence > 0
    assert r.evidence


def test_town_managed_by_a_zone_reports_the_managing_zone(resolver):
    r = resolver.resolve("任城区许庄街道")
    assert r.county_code == "3708TB"
    assert any("太白湖新区" in e and "任城区" in e for e in r.evidence)


@pytest.mark.parametrize("text", ["济南市高新区舜华路", "成都市高新区天府大道", "河北省沧州市太平镇", "北京市朝阳区",
                                  "苏州高新区的公司拖欠工资，我是济宁人"])
def test_other_cities_give_no_jining_county(resolver, text):
    assert resolver.resolve(text).county_code is None


@pytest.mark.parametrize("text", ["小区物业不作为", "今天天气不好", "南站出口出租车拒载", "高楼层水压不足", "梁山伯与祝英台", ""])
def test_no_place_gives_nulls(resolver, text):
    r = resolver.resolve(text)
    assert (r.county_code, r.town_code, r.confidence) == (None, None, 0.0)


def test_city_only_gives_no_county(resolver):
    r = resolver.resolve("济宁市民反映公交问题")
    assert r.county_code is None
    assert r.evidence


def test_community_is_read_after_the_town(resolver):
    assert resolver.resolve("曲阜市尼山镇鲁源村").community_name == "鲁源村"


def test_generated_evalset_meets_the_targets(resolver):
    cases = generate_cases()
    assert len(cases) >= 500
    assert generate_cases() == cases  # deterministic
    result = evaluate(resolver, cases)
    assert result["county_accuracy"] >= 0.97
    assert result["town_accuracy"] >= 0.90
    assert result["no_place_county_guesses"] == 0


@pytest.mark.parametrize(("text", "county", "town"), [
    ("汶尚县南旺镇的运河边", "370830", "370830102"),  # homophone typo in the county keeps the town
    ("泗水县高裕镇的山林", "370831", "370831110"),  # homophone typo in the town, county named
    ("梁山县寿张集的集市", "370832", "370832109"),  # bare town right after its county
    ("兖州大安那片", "370812", "370812101"),  # an ordinary word (大安) as a town after its county
    ("俺们是泗水泉林上的", "370831", "370831101"),
    ("经济技术开发区唐口的道路", "3708JK", "370811018"),
    ("尼山圣境附近停车难", "370881", "370881105"),  # landmark with its town
    ("济宁学院附近", "370881", None),
])
def test_citizens_forms_keep_county_and_town(resolver, text, county, town):
    r = resolver.resolve(text)
    assert (r.county_code, r.town_code) == (county, town), r.evidence


@pytest.mark.parametrize("text", ["曲阜师范大学日照校区的宿舍", "滨州市邹平市和平社区", "化宇镇的冷库",
                                  "老城区的路灯坏了", "我们这个大城市", "东城区供暖不热", "泰山推拿店收费太高"])
def test_places_elsewhere_and_unanchored_guesses_give_no_town(resolver, text):
    r = resolver.resolve(text)
    assert r.town_code is None
    assert r.county_code is None


def test_handwritten_cases_meet_the_targets(resolver):
    result = evaluate(resolver, handwritten_cases())
    assert result["county_accuracy"] >= 0.97, result["errors"]
    assert result["town_accuracy"] >= 0.90, result["errors"]
    assert result["no_place_county_guesses"] == 0


@pytest.mark.parametrize("path", [HANDWRITTEN_FRESH, HANDWRITTEN_THIRD, HANDWRITTEN_FOURTH, HANDWRITTEN_FIFTH],
                         ids=["second", "third", "fourth", "fifth"])
def test_later_handwritten_sets_meet_the_targets(resolver, path):
    cases = handwritten_cases(None, path=path)
    assert {c.kind for c in cases} >= {"typo", "colloquial", "zone_town", "landmark", "no_place"}
    result = evaluate(resolver, cases)
    assert result["county_accuracy"] >= 0.97, result["errors"]
    assert result["town_accuracy"] >= 0.90, result["errors"]
    assert result["no_place_county_guesses"] == 0


@pytest.mark.parametrize(("text", "alias", "county"), [
    ("三孔里面导游强制购物", "三孔", "曲阜市"),
    ("兖矿东滩煤矿职工宿舍楼漏雨", "东滩煤矿", "邹城市"),
    ("山推厂门口大货车乱停", "山推厂", "济宁高新技术产业开发区"),
    ("王杰烈士纪念馆的台阶坏了", "王杰烈士纪念馆", "金乡县"),
])
def test_new_landmarks_resolve_to_their_unit(resolver, text, alias, county):
    r = resolver.resolve(text)
    assert r.county_name == county
    assert any(alias in e for e in r.evidence), r.evidence


@pytest.mark.parametrize(("text", "zone", "town"), [
    ("经开区疃里镇的养殖场", "济宁经济技术开发区", "疃里镇"),
    ("疃里镇的集市", "济宁经济技术开发区", "疃里镇"),
    ("太白湖石桥镇渔民安置", "太白湖新区", "石桥镇"),
])
def test_zone_and_town_says_which_unit_manages_the_town(resolver, text, zone, town):
    r = resolver.resolve(text)
    assert (r.county_name, r.town_name) == (zone, town)
    assert any(f"{town}由{zone}管理" in e for e in r.evidence), r.evidence


def test_zone_aliases_live_with_the_zones_in_the_regions_data():
    gaz = default_gazetteer()
    aliases = {a["alias"]: code for code, c in gaz.counties.items() for a in c.aliases}
    assert aliases["经开区"] == aliases["济宁经开区"] == "3708JK"
    assert aliases["太白湖"] == aliases["北湖新区"] == "3708TB"
    assert aliases["高新区"] == "370871"


def test_every_landmark_names_its_unit_kind_and_source():
    landmarks = default_landmarks()
    assert len(landmarks) >= 100
    assert len({lm.alias for lm in landmarks}) == len(landmarks)
    kinds = {lm.kind for lm in landmarks}
    assert kinds >= {"景区", "文物寺庙", "高校", "车站", "医院", "湖岛", "老街"}
    gaz = default_gazetteer()
    for lm in landmarks:
        assert lm.source and lm.county in gaz.counties
        assert lm.town is None or gaz.towns[lm.town].county == lm.county


def test_a_landmark_file_with_an_unknown_town_is_refused(tmp_path):
    bad = tmp_path / "landmarks.tsv"
    bad.write_text("某寺\t曲阜市\t不存在镇\t-\t文物寺庙\t说明\t来源\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 1"):
        load_landmarks(bad)


def test_a_campus_resolves_to_its_own_unit(resolver):
    assert resolver.resolve("济宁医学院附属医院太白湖院区停车难").county_code == "3708TB"
    assert resolver.resolve("济宁医学院附属医院挂号难").county_code == "370811"


def square(x0, y0, size):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]]}


def test_grid_index_finds_the_containing_grid():
    grid = GridIndex([
        {"id": "A", "geometry": square(116.0, 35.0, 1.0)},
        {"id": "B", "geometry": square(116.2, 35.2, 0.1)},
        {"type": "Feature", "properties": {"id": "C"}, "geometry": square(117.0, 35.0, 1.0)},
    ])
    assert grid.locate(35.5, 116.5) == "A"
    assert grid.locate(35.25, 116.25) == "B"  # nested: the smaller grid wins
    assert grid.locate(35.5, 117.5) == "C"
    assert grid.locate(10.0, 10.0) is None
    assert grid.locate(35.5, 117.0) == "A"  # shared border: same area, lower id
    assert grid.locate_many([(35.5, 116.5), (10.0, 10.0)]) == ["A", None]


def test_grid_index_refuses_bad_features():
    with pytest.raises(ValueError):
        GridIndex([{"geometry": square(0, 0, 1)}])
    with pytest.raises(ValueError):
        GridIndex([{"id": 1, "geometry": {"type": "Point", "coordinates": [0, 0]}}])


def test_address_command_resolves_text():
    out = StringIO()
    call_command("address", "resolve", "兖州区鼓楼街道", stdout=out)
    data = json.loads(out.getvalue())
    assert data["county_code"] == "370812"
    assert set(data) >= {"county_code", "county_name", "town_code", "town_name", "confidence", "evidence"}


def test_address_command_csv_prints_json_lines_with_row_index(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("地址,x\n济宁市任城区李营街道,1\n济南市高新区,2\n", encoding="utf-8-sig")
    out = StringIO()
    call_command("address", "resolve", "--csv", str(path), "--text-column", "地址", "--json", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["index"] for line in lines] == [0, 1]
    assert lines[0]["town_code"] == "370811005"
    assert lines[1]["county_code"] is None


def test_address_command_unknown_column(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("地址\n任城区\n", encoding="utf-8")
    with pytest.raises(CommandError, match="住址"):
        call_command("address", "resolve", "--csv", str(path), "--text-column", "住址", stdout=StringIO())
