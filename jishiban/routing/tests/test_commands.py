"""``jishiban routing seed|suggest|learn``."""

import pytest
from django.core.management import CommandError, call_command

from jishiban.routing.models import DispatchRule
from jishiban.testing import make_appeal

pytestmark = pytest.mark.django_db


def test_seed_then_suggest_prints_units_and_explanations(reference_data, capsys):
    call_command("routing", "seed")
    assert "新建" in capsys.readouterr().out and DispatchRule.objects.exists()
    call_command("routing", "seed")
    assert "新建 0 条规则" in capsys.readouterr().out
    appeal = make_appeal(county="370811", category="020401", content="暖气不热")
    call_command("routing", "suggest", appeal.number)
    out = capsys.readouterr().out
    assert appeal.number in out and "水电气暖 / 供热 / 暖气不热" in out
    assert "1. 主办 济宁热力公司（ent-heating），协办 任城区住房和城乡建设局  [派单目录 1.00]" in out
    assert "分类 供热 + 县市区 任城区 → 规则 #" in out


def test_suggest_without_any_suggestion_says_why(reference_data, capsys):
    appeal = make_appeal(county="370811", category="130101", content="咨询政策")
    call_command("routing", "suggest", appeal.number)
    assert "暂无派单建议" in capsys.readouterr().out


def test_suggest_unknown_number_fails_with_the_number(reference_data):
    with pytest.raises(CommandError, match="JN404"):
        call_command("routing", "suggest", "JN404")
