"""Dispatch-catalogue rule matching, pure Python (no Django), tested without a database.

A rule says "appeals of this category (or a sub-category) in this county/town, from this
channel, whose text contains one of these words and none of those, go to this unit". Given
the rules and the facts of one appeal, ``match`` returns the rules that apply, best first,
each with the reason in words:

    分类 供暖 + 县市区 任城区 → 规则 #12（2026-03 会商决定）

Precedence (the first difference decides):

1. explicit ``priority`` (higher first): a responsibility-meeting decision or a curated rule
   overrides what the domain map seeded;
2. the rule's category nearest the appeal's (a rule on 暖气不热 beats one on its parent 供热,
   which beats a rule for any category);
3. the region: town-specific, then county-specific, then city-wide;
4. a rule that matched on keywords beats one without keywords;
5. a channel-restricted rule beats an unrestricted one;
6. the newest ``valid_from``, then the lowest id (stable).

Rules outside their validity dates (``valid_from`` … ``valid_until``, both inclusive) or
inactive are ignored; a channel-restricted rule applies only to appeals from that channel.

Words shown to people are marked with ``gettext_noop`` and passed through ``translate`` when
explaining, so the caller (Django) can translate them without this module importing Django.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date


def gettext_noop(text: str) -> str:
    """Marks a message for extraction; translated later by the ``translate`` argument."""
    return text


CATEGORY = gettext_noop("分类 %(name)s")
COUNTY = gettext_noop("县市区 %(name)s")
TOWN = gettext_noop("乡镇街道 %(name)s")
CITY_WIDE = gettext_noop("全市")
CHANNEL = gettext_noop("渠道 %(name)s")
KEYWORDS = gettext_noop("关键词 %(words)s")
ANY_CATEGORY = gettext_noop("不限分类")
RULE = gettext_noop("规则 #%(id)s")

_SPLIT = re.compile(r"[,，、;；\s]+")


def parse_keywords(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """``"漏气, 燃气味；煤气"`` → ``("漏气", "燃气味", "煤气")``: split on commas (also full-width),
    enumeration commas, semicolons and spaces; duplicates and blanks dropped, order kept."""
    if value is None:
        return ()
    parts = _SPLIT.split(value) if isinstance(value, str) else [str(v) for v in value]
    seen: dict[str, None] = {}
    for part in parts:
        word = part.strip()
        if word and word.casefold() not in {w.casefold() for w in seen}:
            seen[word] = None
    return tuple(seen)


@dataclass(frozen=True)
class RuleData:
    """One catalogue rule as plain data. ``None`` in a condition means "any"."""

    id: int
    lead: object = None  # opaque to the matcher (the caller's unit key)
    category_code: str | None = None
    category_name: str = ""
    county_code: str | None = None
    county_name: str = ""
    town_code: str | None = None
    town_name: str = ""
    channel_code: str | None = None
    channel_name: str = ""
    keywords: tuple[str, ...] = ()
    exclude_keywords: tuple[str, ...] = ()
    priority: int = 0
    valid_from: date | None = None
    valid_until: date | None = None
    active: bool = True
    title: str = ""  # how the explanation names the rule; default "规则 #id"
    origin_note: str = ""  # e.g. "2026-03 会商决定", shown in brackets after the title


@dataclass(frozen=True)
class Facts:
    """What routing knows about an appeal."""

    category_path: tuple[str, ...] = ()  # category codes from the root to the appeal's own
    county_code: str | None = None
    town_code: str | None = None
    channel_code: str | None = None
    text: str = ""


@dataclass(frozen=True)
class Match:
    rule: RuleData
    explanation: str
    matched_keywords: tuple[str, ...] = ()
    rank: tuple = field(default=(), compare=False, repr=False)


def is_valid_on(rule: RuleData, on: date) -> bool:
    if not rule.active:
        return False
    if rule.valid_from is not None and on < rule.valid_from:
        return False
    return rule.valid_until is None or on <= rule.valid_until


def category_depth(rule: RuleData, facts: Facts) -> int | None:
    """1 + the position of the rule's category in the appeal's path (deeper = more specific),
    0 for a rule on any category, ``None`` when the rule's category is not on the path."""
    if rule.category_code is None:
        return 0
    try:
        return facts.category_path.index(rule.category_code) + 1
    except ValueError:
        return None


def region_level(rule: RuleData, facts: Facts) -> int | None:
    """2 town, 1 county, 0 city-wide; ``None`` when the rule is for another place."""
    if rule.town_code is not None:
        return 2 if rule.town_code == facts.town_code else None
    if rule.county_code is not None:
        return 1 if rule.county_code == facts.county_code else None
    return 0


def keyword_hits(rule: RuleData, facts: Facts) -> tuple[str, ...] | None:
    """The rule's keywords found in the text (``()`` for a rule without keywords); ``None``
    when the rule needs a keyword that is absent or an excluded word is present."""
    text = facts.text.casefold()
    if any(word.casefold() in text for word in rule.exclude_keywords):
        return None
    if not rule.keywords:
        return ()
    hits = tuple(word for word in rule.keywords if word.casefold() in text)
    return hits or None


def match(
    rules: Iterable[RuleData], facts: Facts, *, on: date, translate: Callable[[str], str] = gettext_noop,
) -> list[Match]:
    """The rules of ``rules`` that apply to ``facts`` on ``on``, best first (see the module
    docstring for the order), each explained."""
    found = []
    for rule in rules:
        if not is_valid_on(rule, on):
            continue
        if rule.channel_code is not None and rule.channel_code != facts.channel_code:
            continue
        depth = category_depth(rule, facts)
        if depth is None:
            continue
        level = region_level(rule, facts)
        if level is None:
            continue
        hits = keyword_hits(rule, facts)
        if hits is None:
            continue
        rank = (
            -rule.priority, -depth, -level, 0 if hits else 1, 0 if rule.channel_code else 1,
            -(rule.valid_from.toordinal() if rule.valid_from else 0), rule.id,
        )
        found.append(Match(rule, explain(rule, hits, translate=translate), hits, rank))
    found.sort(key=lambda m: m.rank)
    return found


def explain(rule: RuleData, hits: tuple[str, ...] = (), *, translate: Callable[[str], str] = gettext_noop) -> str:
    """``分类 供暖 + 县市区 任城区 + 关键词 漏气 → 规则 #12（2026-03 会商决定）``."""
    t = translate
    parts = []
    if rule.category_code is not None:
        parts.append(t(CATEGORY) % {"name": rule.category_name or rule.category_code})
    if rule.town_code is not None:
        if rule.county_code is not None:
            parts.append(t(COUNTY) % {"name": rule.county_name or rule.county_code})
        parts.append(t(TOWN) % {"name": rule.town_name or rule.town_code})
    elif rule.county_code is not None:
        parts.append(t(COUNTY) % {"name": rule.county_name or rule.county_code})
    else:
        parts.append(t(CITY_WIDE))
    if rule.channel_code is not None:
        parts.append(t(CHANNEL) % {"name": rule.channel_name or rule.channel_code})
    if hits:
        parts.append(t(KEYWORDS) % {"words": "、".join(hits)})
    if rule.category_code is None and not hits:
        parts.insert(0, t(ANY_CATEGORY))
    title = rule.title or t(RULE) % {"id": rule.id}
    text = f"{' + '.join(parts)} → {title}"
    return f"{text}（{rule.origin_note}）" if rule.origin_note else text


# Why a match comes after the one before it: the first part of the rank that differs.
AFTER_PRIORITY = gettext_noop("优先级 %(mine)s 低于上一条的 %(theirs)s")
AFTER_CATEGORY = gettext_noop("分类较笼统（上一条针对更具体的分类）")
AFTER_REGION = gettext_noop("适用范围较大（上一条针对%(where)s）")
AFTER_KEYWORDS = gettext_noop("未命中关键词（上一条命中关键词）")
AFTER_CHANNEL = gettext_noop("不限渠道（上一条限定本渠道）")
AFTER_DATE = gettext_noop("生效较早（上一条更新）")
AFTER_ID = gettext_noop("其余条件相同，规则编号较大")
_REGION_WORDS = {2: gettext_noop("乡镇街道"), 1: gettext_noop("县市区")}


def why_after(found: Match, previous: Match, *, translate: Callable[[str], str] = gettext_noop) -> str:
    """Why ``found`` ranks below ``previous`` (both from one ``match``), in words."""
    t = translate
    for index, (mine, theirs) in enumerate(zip(found.rank, previous.rank, strict=False)):
        if mine == theirs:
            continue
        if index == 0:
            return t(AFTER_PRIORITY) % {"mine": -mine, "theirs": -theirs}
        if index == 1:
            return t(AFTER_CATEGORY)
        if index == 2:
            return t(AFTER_REGION) % {"where": t(_REGION_WORDS.get(-theirs, CITY_WIDE))}
        if index == 3:
            return t(AFTER_KEYWORDS)
        if index == 4:
            return t(AFTER_CHANNEL)
        if index == 5:
            return t(AFTER_DATE)
        break
    return t(AFTER_ID)
