"""Repeated stratified group cross-validation of the category classifier on teddy2020.

Rows: the titles-only rows of train_titles.csv and the full-text rows of train_full.csv and
sample_with_time.csv. A message is grouped by its normalised title, so the titles-only row
of a message whose full text is in sample_with_time.csv (327 of 332) always sits in the same
fold as the full text: a test message's title is never in its training data.

A fifth of the messages with a full text (``crc32(group) % 100 < FINAL_PERCENT``) is set apart
as the final check and never enters the cross-validation; methods are chosen on the
cross-validated mean only, and the final figure is computed once, for the chosen method.
The figure that predicts unseen messages is the one on full-text test rows (the held-back
messages are title + text); titles-only test rows are reported beside it.
"""

from __future__ import annotations

import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

from jishiban.smart.classify.data import load_labelled

ROOT = Path(__file__).resolve().parents[1]
FINAL_PERCENT = 20
_NON_WORD = re.compile(r"\W+")


def shared_dir() -> Path:
    return Path(os.environ.get("JISHIBAN_SHARED_DATA") or ROOT.parent / "shared" / "data")


@dataclass
class Pool:
    docs: list  # str (title only) or (title, body)
    labels: np.ndarray
    groups: np.ndarray  # group number per row
    full: np.ndarray  # bool: row has a body
    group_keys: list[str]
    source: np.ndarray  # 0 train_titles, 1 train_full, 2 sample_with_time

    def subset(self, idx: np.ndarray) -> Pool:
        return Pool([self.docs[i] for i in idx], self.labels[idx], self.groups[idx], self.full[idx],
                    self.group_keys, self.source[idx])

    def texts_for_embedding(self) -> list[str]:
        return [f"{d[0]}。{d[1]}" if isinstance(d, tuple) else d for d in self.docs]


def load_pool() -> Pool:
    base = shared_dir() / "teddy2020"
    if not (base / "train_full.csv").exists():
        raise SystemExit(f"teddy2020 data not found under {base} (set JISHIBAN_SHARED_DATA)")
    parts = [
        load_labelled([str(base / "train_titles.csv")], ["留言主题"], "一级标签"),
        load_labelled([str(base / "train_full.csv")], ["留言主题", "留言详情"], "一级标签"),
        load_labelled([str(base / "sample_with_time.csv")], ["留言主题", "留言详情"], "一级分类"),
    ]
    docs, labels, keys, source = [], [], [], []
    for n, part in enumerate(parts):
        for d, y in zip(part.docs, part.labels, strict=True):
            docs.append(d)
            labels.append(y)
            source.append(n)
            keys.append(_NON_WORD.sub("", d[0] if isinstance(d, tuple) else d).lower())
    uniq = {k: i for i, k in enumerate(dict.fromkeys(keys))}
    full = np.array([isinstance(d, tuple) and bool(d[1]) for d in docs])
    return Pool(docs, np.array(labels), np.array([uniq[k] for k in keys]), full, list(uniq),
                np.array(source))


def final_split(pool: Pool) -> tuple[np.ndarray, np.ndarray]:
    """(cross-validation rows, final-check rows): whole groups with a full text, by CRC."""
    full_groups = set(pool.groups[pool.full].tolist())
    final_groups = {g for g in full_groups if zlib.crc32(pool.group_keys[g].encode()) % 100 < FINAL_PERCENT}
    is_final = np.array([g in final_groups for g in pool.groups])
    return np.flatnonzero(~is_final), np.flatnonzero(is_final)


def folds(pool: Pool, repeats: int = 5, k: int = 5):
    """Yield (repeat, fold, train_idx, test_idx) over ``pool``."""
    # Stratify on label × has-a-body so every test fold gets its share of full texts.
    strata = np.array([f"{y}|{int(f)}" for y, f in zip(pool.labels, pool.full, strict=True)])
    for r in range(repeats):
        cv = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=r)
        for f, (tr, te) in enumerate(cv.split(np.zeros(len(strata)), strata, pool.groups)):
            yield r, f, tr, te
