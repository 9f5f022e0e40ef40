"""Finding a unit by what a dispatcher types: names, short names, pinyin in full or by
initials, county, domain (pure: no database)."""

from jishiban.organisations.search import NAME_PREFIX, PINYIN_PREFIX, UnitEntry, UnitIndex, pinyin_forms

UNITS = UnitIndex([
    UnitEntry(1, "济宁市住房和城乡建设局", "市住建局", "city-housing", domain="housing"),
    UnitEntry(2, "任城区住房和城乡建设局", "任城区住建局", "370811-housing", county="任城区", domain="housing"),
    UnitEntry(3, "任城区综合行政执法局", "任城区综合执法局", "370811-urban", county="任城区", domain="urban"),
    UnitEntry(4, "许庄街道", "许庄街道", "town-370811002", county="任城区", domain="town"),
    UnitEntry(5, "兖州区住房和城乡建设局", "兖州区住建局", "370812-housing", county="兖州区", domain="housing"),
    UnitEntry(6, "中国银行济宁分行", "", "ent-bank"),
])


def keys(query):
    return [key for key, _rank in UNITS.search(query)]


def test_pinyin_initials_and_full_pinyin_find_the_housing_bureaus():
    assert pinyin_forms("住建局") == ("zhujianju", "zjj")
    assert set(keys("zjj")) == set(keys("zhujianju")) == set(keys("住建")) == {1, 2, 5}
    assert keys("ZJJ") == keys("zjj")


def test_every_word_must_match_so_a_county_narrows_the_search():
    assert keys("rc zjj") == [2]
    assert keys("任城 住建") == [2]
    assert keys("yanzhou zhujian") == [5]


def test_a_name_beginning_with_the_words_ranks_before_one_containing_them():
    ranked = UNITS.search("任城区")
    assert ranked[0][1] == NAME_PREFIX and {k for k, r in ranked if r == NAME_PREFIX} == {2, 3}
    assert dict(UNITS.search("rcq"))[2] == PINYIN_PREFIX
    assert keys("任城区住建局")[0] == 2  # the short name itself first


def test_town_units_are_found_by_their_county_and_polyphones_read_as_in_the_phrase():
    assert 4 in keys("任城区") and 4 in keys("rencheng")
    assert keys("xzjd") == [4]
    assert keys("xingzheng") == [3]  # 行政, not hangzheng
    assert keys("yinhang") == [6]  # 银行, not yinxing


def test_domain_and_code_find_units_and_nonsense_or_nothing_finds_none():
    assert set(keys("housing")) == {1, 2, 5}
    assert keys("370811-urban") == [3]
    assert keys("qqqq") == [] and keys("") == [] and keys("   ") == []
