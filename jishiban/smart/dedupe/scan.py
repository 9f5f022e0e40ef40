"""Offline duplicate scan of a batch of records, with exactly the live-intake logic.

Records are replayed in time order (file order when there is no time): each is looked up in a
``DuplicateIndex`` holding the earlier ones, then added. A proposed pair is therefore
(earlier, later), as a dispatcher would have seen it at intake.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field

from jishiban.smart.dedupe import features as fx
from jishiban.smart.dedupe.index import DUPLICATE, DuplicateIndex, Signals


@dataclass(frozen=True)
class Record:
    id: Hashable
    text: str
    at: dt.datetime | None = None
    caller: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class Pair:
    id_a: Hashable
    id_b: Hashable
    score: float
    reason: str
    relation: str = DUPLICATE
    signals: Signals | None = field(default=None, repr=False, compare=False)


def scan_pairs(
    records: Iterable[Record],
    index: DuplicateIndex | None = None,
    *,
    include_related: bool = False,
    limit_per_item: int = 10,
    encode_batch: Callable[[list[str]], object] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[Pair]:
    """Yield proposed pairs. ``encode_batch`` precomputes embeddings in one batch (much faster
    than one call per record) when the index has an encoder."""
    recs = list(records)
    order = sorted(range(len(recs)), key=lambda i: (recs[i].at is None, recs[i].at or dt.datetime.min.replace(tzinfo=dt.UTC), i))
    if index is None:
        index = DuplicateIndex()
    embeddings = None
    if encode_batch is not None and index.encoder is not None:
        embeddings = encode_batch([r.text for r in recs])
    for n, i in enumerate(order):
        r = recs[i]
        emb = None if embeddings is None else embeddings[i]
        f = fx.item_features(r.text, r.caller, r.address)  # once, for the lookup and the add
        for c in index.query(r.text, at=r.at, caller=r.caller, address=r.address,
                             limit=limit_per_item, include_related=include_related, embedding=emb, features=f):
            yield Pair(c.id, r.id, c.score, c.reason, c.relation, c.signals)
        index.add(r.id, r.text, at=r.at, caller=r.caller, address=r.address, embedding=emb, features=f)
        if progress is not None and (n + 1) % 500 == 0:
            progress(n + 1, len(recs))
