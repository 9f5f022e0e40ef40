"""Finding a handling unit by what a dispatcher types (pure: no Django).

A unit is found by its name or short name (住建局), their pinyin in full (zhujianju) or by
initials (zjj), its county (任城, rencheng), its functional domain (``water``) or its code.
Words separated by spaces must all match (``rc zjj``: 任城区住建局). Pinyin comes from
pypinyin, read phrase by phrase so that polyphonic characters take their usual reading
(行政 xingzheng, 银行 yinhang).

``UnitIndex(entries).search(query)`` returns ``(key, rank)`` best first; the caller filters by
what the user may dispatch to and by what is still active.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

# Ranks, best first: the name itself, a name beginning with the words, pinyin initials or full
# pinyin beginning with them, the words anywhere in a name or its pinyin, the county or domain.
EXACT, NAME_PREFIX, PINYIN_PREFIX, CONTAINS, PLACE = range(5)
_SPACE = re.compile(r"[\s,，、/]+")
_HAN = re.compile(r"[\u3400-\u9fff]")


@lru_cache(maxsize=4096)
def pinyin_forms(text: str) -> tuple[str, str]:
    """``(full, initials)`` of ``text`` in lower case without tones or spaces:
    ``住建局`` → ``("zhujianju", "zjj")``. Characters without a reading (letters, digits) are kept."""
    from pypinyin import Style, lazy_pinyin

    full = lazy_pinyin(text, style=Style.NORMAL, errors="default")
    initials = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")
    return "".join(full).lower().replace(" ", ""), "".join(initials).lower().replace(" ", "")


@dataclass(frozen=True)
class UnitEntry:
    """What the index knows about one unit; ``key`` is whatever the caller needs back (the id)."""

    key: int
    name: str
    short_name: str = ""
    code: str = ""
    county: str = ""  # the county (or functional zone) it serves; empty for city units
    domain: str = ""  # the domain code (``water``)
    names: tuple[str, ...] = field(default=(), init=False, compare=False)
    pinyin: tuple[tuple[str, str], ...] = field(default=(), init=False, compare=False)
    place: tuple[str, ...] = field(default=(), init=False, compare=False)

    def __post_init__(self):
        names = tuple(dict.fromkeys(n.lower() for n in (self.name, self.short_name) if n))
        place = [self.county.lower(), *pinyin_forms(self.county)] if self.county else []
        place += [w.lower() for w in (self.domain, self.code) if w]
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "pinyin", tuple(pinyin_forms(n) for n in names))
        object.__setattr__(self, "place", tuple(place))


def normalise(query: str) -> list[str]:
    """The words of ``query``: lower case, split at spaces and list punctuation."""
    return [w for w in _SPACE.split((query or "").strip().lower()) if w]


def word_rank(entry: UnitEntry, word: str) -> int | None:
    """How well one typed word names ``entry`` (a rank above), ``None`` when it does not."""
    if word in entry.names:
        return EXACT
    if any(n.startswith(word) for n in entry.names):
        return NAME_PREFIX
    if not _HAN.search(word):
        if any(initials.startswith(word) or full.startswith(word) for full, initials in entry.pinyin):
            return PINYIN_PREFIX
        if any(word in initials or word in full for full, initials in entry.pinyin):
            return CONTAINS
    if any(word in n for n in entry.names):
        return CONTAINS
    if any(word in p for p in entry.place):
        return PLACE
    return None


class UnitIndex:
    """The units a dispatcher may look for, searchable in memory (a city has a few hundred)."""

    def __init__(self, entries):
        self.entries: list[UnitEntry] = list(entries)

    def search(self, query: str) -> list[tuple[int, int]]:
        """``(key, rank)`` of every unit matching all words of ``query``, best rank first (the
        worst word decides), then by the order the entries were given. An empty query matches none."""
        words = normalise(query)
        if not words:
            return []
        found = []
        for position, entry in enumerate(self.entries):
            ranks = [word_rank(entry, w) for w in words]
            if None in ranks:
                continue
            found.append((max(ranks), position, entry.key))
        found.sort()
        return [(key, rank) for rank, _position, key in found]
