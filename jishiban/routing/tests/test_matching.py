"""Rule matching without a database: precedence, validity, channels, keywords, explanations."""

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from jishiban.routing.matching import Facts, RuleData, category_depth, match, parse_keywords

TODAY = date(2026, 3, 10)
HEATING = ("02", "0204", "020401")  # 水电气暖 / 供热 / 暖气不热


def facts(**kw):
    base = {"category_path": HEATING, "county_code": "370811", "town_code": "370811005",
            "channel_code": "12345-phone", "text": "小区暖气不热，室温只有十二度"}
    return Facts(**{**base, **kw})


def rule(id, **kw):
    return RuleData(id=id, **kw)


def ids(matches):
    return [m.rule.id for m in matches]


def test_more_specific_category_beats_ancestor():
    rules = [rule(1, category_code="02", category_name="水电气暖"),
             rule(2, category_code="020401", category_name="暖气不热"),
             rule(3, category_code="0204", category_name="供热")]
    assert ids(match(rules, facts(), on=TODAY)) == [2, 3, 1]


def test_category_rule_beats_any_category_keyword_rule():
    rules = [rule(1, keywords=("暖气",)), rule(2, category_code="0204")]
    assert ids(match(rules, facts(), on=TODAY)) == [2, 1]


def test_rule_on_another_branch_does_not_apply():
    assert match([rule(1, category_code="0201")], facts(), on=TODAY) == []
    assert category_depth(rule(1, category_code="0201"), facts()) is None


def test_county_specific_beats_city_wide_and_town_beats_county():
    rules = [rule(1, category_code="0204"), rule(2, category_code="0204", county_code="370811"),
             rule(3, category_code="0204", county_code="370811", town_code="370811005")]
    assert ids(match(rules, facts(), on=TODAY)) == [3, 2, 1]


def test_rule_for_another_county_or_town_does_not_apply():
    rules = [rule(1, category_code="0204", county_code="370883"),
             rule(2, category_code="0204", county_code="370811", town_code="370811099")]
    assert match(rules, facts(), on=TODAY) == []
    assert match([rule(3, county_code="370811", category_code="0204")], facts(county_code=None), on=TODAY) == []


def test_keyword_match_beats_no_keyword_at_same_specificity():
    rules = [rule(1, category_code="0204", county_code="370811"),
             rule(2, category_code="0204", county_code="370811", keywords=("管道", "不热"))]
    found = match(rules, facts(), on=TODAY)
    assert ids(found) == [2, 1]
    assert found[0].matched_keywords == ("不热",)


def test_keyword_rule_needs_one_of_its_words_and_none_of_the_excluded():
    any_of = rule(1, category_code="0204", keywords=("漏水", "爆管"))
    excluding = rule(2, category_code="0204", exclude_keywords=("室温",))
    assert match([any_of, excluding], facts(), on=TODAY) == []
    assert ids(match([any_of, excluding], facts(text="暖气管道爆管漏水"), on=TODAY)) == [1, 2]


def test_keywords_ignore_latin_case():
    assert ids(match([rule(1, keywords=("WiFi",))], facts(text="小区wifi信号差"), on=TODAY)) == [1]


def test_explicit_priority_comes_first():
    rules = [rule(1, category_code="020401", county_code="370811", town_code="370811005", keywords=("不热",)),
             rule(2, category_code="02", priority=10)]
    assert ids(match(rules, facts(), on=TODAY)) == [2, 1]


def test_expired_not_yet_valid_and_inactive_rules_are_ignored():
    rules = [rule(1, category_code="0204", valid_until=date(2026, 3, 9)),
             rule(2, category_code="0204", valid_from=date(2026, 3, 11)),
             rule(3, category_code="0204", active=False),
             rule(4, category_code="0204", valid_from=date(2026, 3, 10), valid_until=date(2026, 3, 10))]
    assert ids(match(rules, facts(), on=TODAY)) == [4]


def test_channel_restricted_rule_only_for_that_channel_and_ranks_before_unrestricted():
    rules = [rule(1, category_code="0204"), rule(2, category_code="0204", channel_code="12345-wechat")]
    assert ids(match(rules, facts(), on=TODAY)) == [1]
    assert ids(match(rules, facts(channel_code="12345-wechat"), on=TODAY)) == [2, 1]


def test_ties_go_to_the_newest_rule_then_the_lowest_id():
    rules = [rule(5, category_code="0204", valid_from=date(2025, 1, 1)),
             rule(4, category_code="0204", valid_from=date(2026, 1, 1)),
             rule(3, category_code="0204", valid_from=date(2025, 1, 1))]
    assert ids(match(rules, facts(), on=TODAY)) == [4, 3, 5]


def test_explanation_names_conditions_rule_and_origin():
    found = match([rule(12, category_code="0204", category_name="供暖", county_code="370811", county_name="任城区",
                        origin_note="2026-03 会商决定")], facts(), on=TODAY)
    assert found[0].explanation == "分类 供暖 + 县市区 任城区 → 规则 #12（2026-03 会商决定）"


def test_explanation_of_city_wide_keyword_and_channel_rules():
    city = match([rule(7, category_code="0204", category_name="供热", title="会商决定 #3")], facts(), on=TODAY)
    assert city[0].explanation == "分类 供热 + 全市 → 会商决定 #3"
    words = match([rule(8, keywords=("暖气", "供暖"), channel_code="12345-phone", channel_name="12345热线")],
                  facts(), on=TODAY)
    assert words[0].explanation == "全市 + 渠道 12345热线 + 关键词 暖气 → 规则 #8"
    town = match([rule(9, category_code="0204", category_name="供热", county_code="370811", county_name="任城区",
                       town_code="370811005", town_name="李营街道")], facts(), on=TODAY)
    assert town[0].explanation == "分类 供热 + 县市区 任城区 + 乡镇街道 李营街道 → 规则 #9"


def test_explanation_is_translated_by_the_caller():
    english = {"分类 %(name)s": "category %(name)s", "全市": "city-wide", "规则 #%(id)s": "rule #%(id)s"}
    found = match([rule(1, category_code="0204", category_name="heating")], facts(), on=TODAY,
                  translate=lambda s: english.get(s, s))
    assert found[0].explanation == "category heating + city-wide → rule #1"


def test_parse_keywords_splits_on_chinese_and_latin_separators():
    assert parse_keywords("漏气, 燃气味；煤气、 漏气 ,,") == ("漏气", "燃气味", "煤气")
    assert parse_keywords(None) == ()
    assert parse_keywords(["a", " b ", ""]) == ("a", "b")


# --- properties ------------------------------------------------------------------------------------

rule_strategy = st.builds(
    RuleData,
    id=st.integers(1, 10_000),
    category_code=st.sampled_from([None, "02", "0204", "020401", "0201"]),
    county_code=st.sampled_from([None, "370811", "370883"]),
    town_code=st.sampled_from([None, "370811005"]),
    channel_code=st.sampled_from([None, "12345-phone", "12345-wechat"]),
    keywords=st.sampled_from([(), ("暖气",), ("漏水",)]),
    exclude_keywords=st.sampled_from([(), ("室温",), ("空调",)]),
    priority=st.integers(-2, 2),
    valid_from=st.sampled_from([None, date(2026, 1, 1), date(2026, 4, 1)]),
    valid_until=st.sampled_from([None, date(2026, 3, 1), date(2026, 12, 31)]),
    active=st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(rule_strategy, max_size=12, unique_by=lambda r: r.id), st.randoms())
def test_order_does_not_depend_on_input_order_and_every_match_applies(rules, rnd):
    f = facts()
    found = match(rules, f, on=TODAY)
    shuffled = list(rules)
    rnd.shuffle(shuffled)
    assert ids(match(shuffled, f, on=TODAY)) == ids(found)
    for m in found:
        r = m.rule
        assert r.active and (r.valid_from is None or r.valid_from <= TODAY)
        assert r.valid_until is None or TODAY <= r.valid_until
        assert r.category_code in (None, *f.category_path) and r.channel_code in (None, f.channel_code)
        assert not any(word in f.text for word in r.exclude_keywords)
    priorities = [m.rule.priority for m in found]
    assert priorities == sorted(priorities, reverse=True)


def test_each_later_match_says_why_it_comes_after_the_one_before():
    from jishiban.routing.matching import why_after

    heating = {"category_code": "0204", "county_code": "370811"}
    rules = [rule(1, priority=50, **heating), rule(2, category_code="020401", county_code="370811"),
             rule(3, **heating), rule(4, category_code="0204"), rule(5, keywords=("暖气",), **heating)]
    found = match(rules, facts(), on=TODAY)
    assert ids(found) == [1, 2, 5, 3, 4]
    notes = [why_after(later, earlier) for earlier, later in zip(found, found[1:], strict=False)]
    assert notes == ["优先级 0 低于上一条的 50", "分类较笼统（上一条针对更具体的分类）",
                     "未命中关键词（上一条命中关键词）", "适用范围较大（上一条针对县市区）"]
    same = match([rule(8, category_code="0204"), rule(9, category_code="0204")], facts(), on=TODAY)
    assert why_after(same[1], same[0]) == "其余条件相同，规则编号较大"
