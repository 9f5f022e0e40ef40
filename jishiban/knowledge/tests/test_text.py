"""The pure core: search words and freshness (no database)."""

import datetime as dt

from jishiban.knowledge import text


def test_long_words_meet_short_words_of_a_call():
    entry = text.terms("计划停水通知与恢复供水时间查询")
    call = text.terms("我家停水了，什么时候恢复")
    assert {"停水", "恢复"} <= entry & call


def test_title_words_weigh_more_than_body_words():
    weights = text.weighted_terms("预付卡退费", "保留购卡凭证向市场监管部门投诉")
    assert weights["预付卡"] > weights["凭证"]


def test_freshness_states():
    today = dt.date(2026, 12, 1)
    assert text.freshness(dt.date(2026, 11, 30), today).state == "overdue"
    assert text.freshness(dt.date(2026, 12, 10), today).state == "due_soon"
    assert text.freshness(dt.date(2027, 3, 1), today).state == "fresh"
