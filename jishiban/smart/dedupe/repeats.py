"""Repeat detection: the same citizen, or the same address, raising the same matter again.

Uses the duplicate index's candidates, so "the same matter" means exactly what duplicate
detection means; only candidates sharing the caller or the address count.
"""

from __future__ import annotations

from dataclasses import dataclass

from jishiban.smart._i18n import gettext as _
from jishiban.smart.dedupe.index import DUPLICATE, REPEAT, DuplicateIndex


@dataclass(frozen=True)
class RepeatFlag:
    count: int  # earlier appeals on the same matter, this one not included
    by_caller: tuple
    by_address: tuple
    reason: str


def check_repeat(index: DuplicateIndex, text: str, *, at=None, caller=None, address=None,
                 threshold: int = 2, exclude=()) -> RepeatFlag | None:
    """A flag when at least ``threshold`` earlier appeals in the window are the same matter
    from the same caller or about the same address; ``None`` otherwise."""
    if not caller and not address:
        return None
    cands = index.query(text, at=at, caller=caller, address=address, exclude=exclude, limit=200)
    same = [c for c in cands if c.relation in (DUPLICATE, REPEAT)]
    by_caller = tuple(c.id for c in same if c.signals.same_caller)
    by_address = tuple(c.id for c in same if c.signals.same_address and not c.signals.same_caller)
    count = len(by_caller) + len(by_address)
    if count < threshold:
        return None
    return RepeatFlag(count, by_caller, by_address, repeat_reason(len(by_caller), len(by_address)))


def repeat_reason(by_caller: int, by_address: int) -> str:
    parts = []
    if by_caller:
        parts.append(_("同一来电人已就此事反映%d次") % by_caller)
    if by_address:
        parts.append(_("同一地址已就此事反映%d次") % by_address)
    return "；".join(parts)
