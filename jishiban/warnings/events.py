"""Hot events from near-duplicate pairs: pure grouping, shared by the live scan and the
benchmark replay. The pairs come from smart help's duplicate index (the one duplicate method);
this module only joins them into groups (union–find: two appeals are in one group when a chain
of duplicate pairs links them) and picks each group's most central appeal (the largest sum of
pair scores; its title names the event)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Group:
    members: tuple
    centre: Hashable


def groups(ids: Iterable[Hashable], pairs: Iterable[tuple[Hashable, Hashable, float]], *, need: int) -> list[Group]:
    """The groups of at least ``need`` of ``ids`` linked by ``pairs`` (pairs naming an id outside
    ``ids`` are ignored), largest first."""
    ids = list(ids)
    parent = {i: i for i in ids}
    weight: Counter = Counter()

    def root(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, score in pairs:
        if a in parent and b in parent and a != b:
            weight[a] += score
            weight[b] += score
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[ra] = rb
    found: dict = {}
    for i in ids:
        found.setdefault(root(i), []).append(i)
    out = [Group(tuple(m), max(m, key=lambda i: (weight[i], str(i)))) for m in found.values() if len(m) >= need]
    out.sort(key=lambda g: -len(g.members))
    return out


def known_key(members, open_events: dict, new_key: str) -> str:
    """A group touching an open event joins it; otherwise it is a new event."""
    for m in members:
        if m in open_events:
            return open_events[m]
    return new_key
