import pytest

from jishiban.smart.risk import DEFAULT_RULES, Rule, assess


def codes(text, rules=None):
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
    (flag,) = assess("楼上邻居说要跳楼")
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
