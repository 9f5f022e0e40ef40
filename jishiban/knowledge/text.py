"""Search terms and freshness of knowledge entries: pure, no Django.

Terms are smart help's own words (``smart.dedupe.features``: NFKC, punctuation dropped, rjieba
words without stopwords), so an entry and the appeal being typed are cut the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from jishiban.smart.dedupe.features import normalise, topic_words

MAX_TERM = 40
TITLE_WEIGHT = 3  # a word of the title says more about the entry than one of its body
DUE_SOON_DAYS = 14


def terms(text: str) -> set[str]:
    """The search words of ``text``; a long word also gives its two-character ends, so
    "停水通知" in an entry meets "停水" in a call."""
    words = {w for w in topic_words(normalise(text)) if len(w) <= MAX_TERM}
    return words | {piece for w in words if len(w) >= 4 for piece in (w[:2], w[-2:])}


def weighted_terms(title: str, body: str, extra: str = "") -> dict[str, int]:
    """term → weight for an entry: title (and category) words count more than body words."""
    weights = dict.fromkeys(terms(body), 1)
    for word in terms(f"{title} {extra}"):
        weights[word] = TITLE_WEIGHT
    return weights


def score(matched: dict[str, int], asked: int) -> float:
    """How well an entry answers a text of ``asked`` words, given its matched term weights."""
    if not asked:
        return 0.0
    return sum(matched.values()) / (asked + 2)


@dataclass(frozen=True)
class Freshness:
    state: str  # fresh | due_soon | overdue
    days_left: int


def freshness(review_due: dt.date, today: dt.date) -> Freshness:
    left = (review_due - today).days
    if left < 0:
        return Freshness("overdue", left)
    if left <= DUE_SOON_DAYS:
        return Freshness("due_soon", left)
    return Freshness("fresh", left)
