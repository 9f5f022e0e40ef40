import pytest

from jishiban.smart.risk import DEFAULT_RULES, Rule, assess


def codes(text, rules=DEFAULT_RULES):
    return [f.code for f in assess(text, rules)]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("几十名村民集体上访，还要去堵路", "group_incident"),
        ("他说不想活了，要去跳楼", "threat_to_life"),
        ("工地拖欠我们三个月工资", "wage_arrears"),
        ("有人持刀在小区门口打人", "violence"),
        ("家里老人发热，担心是传染病", "epidemic"),
    ],
)
def test_default_rules_raise_their_flag(text, code):
    assert code in codes(text)


@pytest.mark.parametrize("text", ["孩子没有发热，只是咳嗽", "并未发生堵路", "本人没发烧"])
def test_negated_mentions_do_not_flag(text):
    assert codes(text) == []


def test_question_form_is_not_a_negation():
    assert codes("是不是有人在堵路") == ["group_incident"]


def test_flag_carries_label_and_evidence():
    (flag,) = assess("楼上邻居说要跳楼", DEFAULT_RULES)
    assert flag.label == "生命安全风险"
    assert "跳楼" in flag.evidence
    assert flag.terms == ("跳楼",)


def test_rules_are_plain_data_and_round_trip():
    rules = [Rule.from_data(r) for r in DEFAULT_RULES]
    assert [Rule.from_data(r.to_data()) for r in rules] == rules


def test_custom_rule_from_data():
    rules = [{"code": "gas", "label": "燃气", "terms": ["燃气泄漏"], "patterns": [r"煤气.{0,2}味"]}]
    assert codes("楼道里有煤气的味道", rules) == ["gas"]


def test_bad_rule_is_refused():
    with pytest.raises(ValueError):
        Rule.from_data({"code": "x", "patterns": ["("]})
    with pytest.raises(ValueError):
        Rule.from_data({"code": "", "terms": ["a"]})


def test_a_rule_can_add_its_own_negation_words():
    rules = [{"code": "wage", "label": "欠薪", "terms": ["拖欠工资"], "negations": ["已结清"]}]
    assert codes("老板拖欠工资", rules) == ["wage"]
    assert codes("之前的拖欠工资已结清拖欠工资问题", rules) == ["wage"]
    assert codes("已结清拖欠工资", rules) == []


def test_without_rules_assess_asks_the_provider():
    from jishiban.smart import risk

    before = risk._provider
    risk.set_rules_provider(lambda: [{"code": "gas", "label": "燃气", "terms": ["燃气泄漏"]}])
    try:
        assert [f.code for f in assess("燃气泄漏了，有人要跳楼")] == ["gas"]
    finally:
        risk.set_rules_provider(before)


def test_evidence_never_cuts_a_number_in_half():
    from jishiban.smart.privacy import mask_text

    (flag,) = assess("邻居说不想活了要跳楼，联系电话13912345678，请快来", DEFAULT_RULES)
    assert "13912345678" in flag.evidence
    assert "139****5678" in mask_text(flag.evidence)
