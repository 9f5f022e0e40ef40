"""Names written with one wrong character, as a pinyin input method produces them (汶尚县 for
汶上县, 化宇镇 for 化雨镇).

Only names that end in an administrative suffix (县/区/市/镇/乡/街道) are matched: the suffix
anchors the guess, and the body must differ from a real name in exactly one character. A
homophone (same pinyin, tones ignored; pypinyin's readings, heteronyms included) is a typo
from an input method; another character is accepted for county names only, at a lower weight.
The index maps "body with one wildcard + suffix" to names, so a lookup is a few dict probes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

SUFFIXES = ("街道", "县", "区", "市", "镇", "乡")


@lru_cache(maxsize=4096)
def readings(ch: str) -> frozenset[str]:
    from pypinyin import Style, pinyin

    return frozenset(pinyin(ch, style=Style.NORMAL, heteronym=True)[0])


def homophones(a: str, b: str) -> bool:
    return a == b or bool(readings(a) & readings(b))


def _loose(reading: str) -> str:
    """The reading as a dialect speaker's pinyin input treats it: zh/ch/sh = z/c/s, l = n,
    -ing = -in, -eng = -en (微三 for 微山, 泗说 for 泗水)."""
    r = reading
    if r[:2] in ("zh", "ch", "sh"):
        r = r[0] + r[2:]
    if r.startswith("l"):
        r = "n" + r[1:]
    for a, b in (("ing", "in"), ("eng", "en")):
        if r.endswith(a):
            r = r[: -len(a)] + b
    return r


def near_homophones(a: str, b: str) -> bool:
    """Homophones, or readings equal under the loose rules of ``_loose``."""
    return homophones(a, b) or bool({_loose(r) for r in readings(a)} & {_loose(r) for r in readings(b)})


@dataclass(frozen=True)
class Guess:
    start: int
    end: int
    surface: str
    name: str  # the real name
    homophone: bool


class FuzzyNames:
    """``names`` are real names with one of ``SUFFIXES`` (bodies of 2–4 characters)."""

    def __init__(self, names):
        self._index: dict[str, list[str]] = {}
        for name in names:
            suffix = next((s for s in SUFFIXES if name.endswith(s)), None)
            body = name[: -len(suffix)] if suffix else ""
            if not 2 <= len(body) <= 4:
                continue
            for i in range(len(body)):
                self._index.setdefault(body[:i] + "?" + body[i + 1 :] + suffix, []).append(name)
                readings(body[i])  # pypinyin's tables load here (~0.5 s), when the resolver is built

    def find(self, text: str, covered: list[tuple[int, int]]) -> list[Guess]:
        """Guesses in ``text`` that overlap none of the ``covered`` spans, longest first."""
        out: list[Guess] = []
        taken = list(covered)
        for suffix in SUFFIXES:
            at = text.find(suffix)
            while at >= 0:
                end = at + len(suffix)
                for length in (4, 3, 2):
                    start = at - length
                    if start < 0 or any(s < end and start < e for s, e in taken):
                        continue
                    guess = self._match(text, start, at, suffix)
                    if guess:
                        out.append(guess)
                        taken.append((start, end))
                        break
                at = text.find(suffix, at + 1)
        return out

    def _match(self, text: str, start: int, at: int, suffix: str) -> Guess | None:
        body = text[start:at]
        found: dict[str, bool] = {}
        for i in range(len(body)):
            for name in self._index.get(body[:i] + "?" + body[i + 1 :] + suffix, ()):
                if name[i] != body[i]:
                    found[name] = homophones(name[i], body[i])
        if not found:
            return None
        best = [n for n, h in found.items() if h] or list(found)
        if len(best) != 1:
            return None  # two real names one character away: no guess
        name = best[0]
        return Guess(start, at + len(suffix), body + suffix, name, found[name])
