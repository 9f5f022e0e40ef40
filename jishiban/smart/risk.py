"""Risk flags on appeal text from configurable word lists and patterns.

Rules are plain data (``dict``/JSON) so the integration can keep them in the database and
let supervisors edit them; ``DEFAULT_RULES`` is the starting set. A rule::

    {"code": "threat_to_life", "label": "生命安全风险",
     "terms": ["自杀", "轻生", "跳楼"],          # plain substrings
     "patterns": ["不想活了?"],                  # regular expressions (optional)
     "negatable": true,                           # honour 没有/不是/未… before the term
     "negations": ["已解决"]}                      # extra cues for this rule (optional)

Negation is deliberately cheap: a hit is ignored when a negation cue stands within a few
characters before it in the same clause (``没有发热``, ``并未堵路``), unless the cue is itself
part of a known risk phrase. ``assess`` returns one ``Flag`` per rule that has at least one
hit that is not negated, with the snippet around the first hit as evidence.

``assess(text)`` without rules uses the rules of ``set_rules_provider`` (the Django app
installs one that reads the ``RiskRule`` table) or, without a provider, ``DEFAULT_RULES``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from jishiban.smart._i18n import gettext, gettext_noop

DEFAULT_RULES: list[dict] = [
    {
        "code": "group_incident",
        "label": gettext_noop("群体性事件风险"),
        "terms": ["群体性", "集体上访", "堵路", "拉横幅", "围堵", "聚集上访", "集体讨要"],
        "patterns": [r"(?:几十|上百|数十|数百)(?:名|个|位)?(?:村民|业主|工人|群众)"],
        "negatable": True,
    },
    {
        "code": "threat_to_life",
        "label": gettext_noop("生命安全风险"),
        "terms": ["自杀", "轻生", "跳楼", "跳河", "喝农药", "以死相逼", "寻死"],
        "patterns": [r"不想活了?", r"活不下去"],
        "negatable": True,
    },
    {
        "code": "wage_arrears",
        "label": gettext_noop("拖欠工资"),
        "terms": ["讨薪", "欠薪", "拖欠工资", "拖欠农民工工资", "不发工资", "工资不发", "讨要工资"],
        "patterns": [r"拖欠.{0,6}工资", r"工资.{0,4}(?:拖欠|未发|没发)"],
        "negatable": True,
    },
    {
        "code": "violence",
        "label": gettext_noop("暴力风险"),
        "terms": ["打人", "持刀", "殴打", "砍人", "行凶", "暴力威胁"],
        "patterns": [r"被.{0,4}打伤"],
        "negatable": True,
    },
    {
        "code": "epidemic",
        "label": gettext_noop("疫情防控"),
        "terms": ["疫情", "发热", "发烧", "核酸", "传染", "新冠", "隔离"],
        "patterns": [],
        "negatable": True,
    },
]

# Multi-character cues may stand a few characters before the term ("并未发生堵路"); a lone
# 不/没/未/无/别 only directly before it ("没发热"), which keeps "不想活了要跳楼" a hit.
NEGATION_CUES = ("没有", "并未", "并没有", "未曾", "不是", "并非", "否认", "从未", "不存在")
SHORT_NEGATION_CUES = ("没", "未", "无", "不", "别")
_NEGATION_WINDOW = 4
_SHORT_WINDOW = 1
_CLAUSE_BREAK = re.compile(r"[，。！？；,.!?;\n]")
_SNIPPET = 12


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    terms: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    negatable: bool = True
    negations: tuple[str, ...] = ()
    _compiled: re.Pattern | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_data(cls, data: Mapping) -> Rule:
        """Build a rule from plain data; raises ``ValueError`` on a bad rule or pattern."""
        code = str(data.get("code") or "").strip()
        if not code:
            raise ValueError("risk rule without a code")
        terms = tuple(t for t in (data.get("terms") or ()) if t)
        patterns = tuple(p for p in (data.get("patterns") or ()) if p)
        if not terms and not patterns:
            raise ValueError(f"risk rule {code!r} has neither terms nor patterns")
        alternatives = [re.escape(t) for t in sorted(terms, key=len, reverse=True)]
        for p in patterns:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"risk rule {code!r}: bad pattern {p!r}: {exc}") from exc
            alternatives.append(f"(?:{p})")
        return cls(
            code=code,
            label=str(data.get("label") or code),
            terms=terms,
            patterns=patterns,
            negatable=bool(data.get("negatable", True)),
            negations=tuple(str(n) for n in (data.get("negations") or ()) if n),
            _compiled=re.compile("|".join(alternatives)),
        )

    def to_data(self) -> dict:
        return {
            "code": self.code,
            "label": self.label,
            "terms": list(self.terms),
            "patterns": list(self.patterns),
            "negatable": self.negatable,
            "negations": list(self.negations),
        }


@dataclass(frozen=True)
class Flag:
    code: str
    label: str
    evidence: str
    terms: tuple[str, ...] = ()


_provider: Callable[[], Iterable[Mapping | Rule]] | None = None


def set_rules_provider(provider: Callable[[], Iterable[Mapping | Rule]] | None) -> None:
    """Where ``assess(text)`` takes its rules when none are given (``None``: ``DEFAULT_RULES``)."""
    global _provider
    _provider = provider


def load_rules(rules: Iterable[Mapping | Rule] | None = None) -> list[Rule]:
    """Rules from plain data (``None`` → the provider's rules, or ``DEFAULT_RULES``)."""
    if rules is None:
        rules = _provider() if _provider is not None else DEFAULT_RULES
    return [r if isinstance(r, Rule) else Rule.from_data(r) for r in rules]


def _is_a_not_a(left: str, pos: int) -> bool:
    """是不是 / 有没有: a question, not a denial."""
    return 0 < pos < len(left) - 1 and left[pos - 1] == left[pos + 1]


def is_negated(text: str, start: int, window: int = _NEGATION_WINDOW, extra: tuple[str, ...] = ()) -> bool:
    """True when a negation cue (the common ones, or a rule's ``extra`` cues) stands shortly
    before ``start`` in the same clause."""
    longest = max((len(c) for c in extra), default=0)
    left = text[max(0, start - window - max(4, longest)) : start]
    breaks = list(_CLAUSE_BREAK.finditer(left))
    if breaks:
        left = left[breaks[-1].end() :]
    for cues, limit in ((NEGATION_CUES + tuple(extra), window), (SHORT_NEGATION_CUES, _SHORT_WINDOW)):
        for cue in cues:
            pos = left.rfind(cue)
            if pos < 0 or _is_a_not_a(left, pos):
                continue
            if len(left) - (pos + len(cue)) <= limit:
                return True
    return False


def _word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _snippet(text: str, start: int, end: int) -> str:
    """The hit with some context; never cuts through a run of digits/letters, so a phone or
    ID number in the snippet stays whole and can be masked (``privacy.mask_text``)."""
    a, b = max(0, start - _SNIPPET), min(len(text), end + _SNIPPET)
    while 0 < a < len(text) and _word_char(text[a - 1]) and _word_char(text[a]):
        a -= 1
    while 0 < b < len(text) and _word_char(text[b - 1]) and _word_char(text[b]):
        b += 1
    return ("…" if a > 0 else "") + text[a:b] + ("…" if b < len(text) else "")


def assess(text: str, rules: Iterable[Mapping | Rule] | None = None) -> list[Flag]:
    """Risk flags raised by ``text`` (one per rule, in rule order)."""
    if not text:
        return []
    flags: list[Flag] = []
    for rule in load_rules(rules):
        assert rule._compiled is not None
        hits = [
            m
            for m in rule._compiled.finditer(text)
            if not (rule.negatable and is_negated(text, m.start(), extra=rule.negations))
        ]
        if hits:
            first = hits[0]
            terms = tuple(dict.fromkeys(m.group(0) for m in hits))
            flags.append(Flag(rule.code, gettext(rule.label), _snippet(text, first.start(), first.end()), terms))
    return flags
