"""Cross-validated choice of the duplicate thresholds on the labelled teddy2020 pairs.

The scan (``scan_pairs``, the live-intake logic with the live windows) is replayed once with
thresholds that accept every candidate, so each labelled pair is either *not generated* (no
setting can find it) or generated with its signals. Deciding is then ``score_pair(signals, t)``
for any ``Thresholds`` t, offline. Repeated stratified 5-fold cross-validation over the pairs
picks t on four folds (the grid point with the best F1 among those with precision ≥ the
target on those folds) and measures precision and recall on the fifth; the figures are the mean
and spread of the test folds. The live thresholds are then chosen the same way on all pairs.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
from sklearn.model_selection import RepeatedStratifiedKFold

from jishiban.smart.dedupe.index import DUPLICATE, REPEAT, DuplicateIndex, Thresholds, score_pair
from jishiban.smart.dedupe.scan import Record, scan_pairs

ACCEPT_ALL = dict(duplicate=-1.0, duplicate_lexical=-1.0, min_topic_for_duplicate=-1.0, related=-1.0)


def generated_signals(records: list[Record], labelled: set[tuple], *, window_days: float, repeat_window_days: float,
                      emb=None, encoder=None) -> dict[tuple, object]:
    """{(a, b): Signals} of the labelled pairs the scan generates as candidates."""
    index = DuplicateIndex(window_days=window_days, repeat_window_days=repeat_window_days, encoder=encoder,
                           semantic_window=max(len(records), 1), thresholds=Thresholds(**ACCEPT_ALL))
    out = {}
    for p in scan_pairs(records, index, limit_per_item=10_000, encode_batch=(lambda _t: emb) if emb is not None else None):
        for key in ((p.id_a, p.id_b), (p.id_b, p.id_a)):
            if key in labelled:
                out[key] = p.signals
    return out


GRID = {
    "duplicate": [0.5, 0.55, 0.6, 0.65, 0.7],
    "min_topic_for_duplicate": [0.1, 0.15, 0.2],
    "topic_weight": [0.2, 0.3, 0.4],
    "semantic_low": [0.88, 0.9, 0.92],
    "semantic_high": [0.95, 0.97],
}


def grid(base: Thresholds) -> list[Thresholds]:
    keys = list(GRID)
    return [dataclasses.replace(base, **dict(zip(keys, values, strict=True))) for values in itertools.product(*GRID.values())]


def decide(sig, t: Thresholds) -> bool:
    return sig is not None and score_pair(sig, t)[1] == DUPLICATE


def pr(pred: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    tp = int((pred & (y == 1)).sum())
    return (tp / pred.sum() if pred.sum() else 1.0), (tp / (y == 1).sum() if (y == 1).sum() else 1.0)


def choose(decisions: np.ndarray, y: np.ndarray, idx: np.ndarray, target_precision: float) -> int:
    best, best_key = 0, (-1.0, -1.0)
    for g in range(decisions.shape[0]):
        p, r = pr(decisions[g, idx], y[idx])
        key = (float(p >= target_precision), 2 * p * r / (p + r) if p + r else 0.0)
        if key > best_key:
            best, best_key = g, key
    return best


def cross_validate(sigs: list, y: np.ndarray, strata: list[str], candidates: list[Thresholds], *,
                   repeats: int = 5, folds: int = 5, target_precision: float = 0.92) -> dict:
    decisions = np.array([[decide(s, t) for s in sigs] for t in candidates])
    ps, rs = [], []
    cv = RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats, random_state=0)
    strat = [f"{label}|{s}" for label, s in zip(y, strata, strict=True)]
    for tr, te in cv.split(np.zeros(len(y)), _collapse(strat, folds)):
        g = choose(decisions, y, tr, target_precision)
        p, r = pr(decisions[g, te], y[te])
        ps.append(p)
        rs.append(r)
    final = choose(decisions, y, np.arange(len(y)), target_precision)
    ps_arr, rs_arr = np.array(ps), np.array(rs)
    return {"precision_mean": round(float(ps_arr.mean()), 4), "precision_sd": round(float(ps_arr.std(ddof=1)), 4),
            "recall_mean": round(float(rs_arr.mean()), 4), "recall_sd": round(float(rs_arr.std(ddof=1)), 4),
            "folds": len(ps), "chosen_on_all": {k: getattr(candidates[final], k) for k in GRID},
            "all_pairs_with_chosen": dict(zip(("precision", "recall"), map(lambda v: round(v, 4),
                                                                             pr(decisions[final], y)), strict=True))}


def _collapse(strata: list[str], folds: int) -> list[str]:
    """Strata too small to spread over the folds fall back to their label."""
    counts = {s: strata.count(s) for s in set(strata)}
    return [s if counts[s] >= folds else s.split("|")[0] for s in strata]


__all__ = ["REPEAT", "cross_validate", "generated_signals", "grid"]
