"""Vectorised n-gram counting for the classifier.

scikit-learn's ``CountVectorizer`` builds every n-gram as a Python string and looks it up in a
dict, one at a time; for appeal texts (≈1,000 character n-grams each) that loop capped
prediction at a few hundred texts per second on a busy core. Here a whole batch is turned into
one array of Unicode code points, every character n-gram becomes a 64-bit key computed with
numpy (n ≤ 3: the code points packed exactly; n = 4: a 64-bit mix, collisions negligible at
our vocabulary sizes), and the vocabulary is a ``KeyTable`` probed for all keys at once. Words come from rjieba (Rust) and are looked up the same way after one dict
lookup each. The vocabulary is ordered by n-gram length, so "n-grams up to length k" is a column
prefix and two TF-IDF views can share one count matrix.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import repeat

import numpy as np
import rjieba
import scipy.sparse as sp

_SPACES = re.compile(r"\s+")
_M1, _M2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9)
_LEN_TAG = [np.uint64(n) << np.uint64(61) for n in range(8)]


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text.lower()).replace("\x00", " ")


def _codepoints(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(code points of all texts joined by NUL, doc index of each position)."""
    joined = "\x00".join(texts) + "\x00"
    cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    doc = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    return cp, doc


def _ngram_keys(cp: np.ndarray, doc: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(keys, doc of each key, start position) of all n-grams that stay inside one text."""
    m = len(cp) - n + 1
    if m <= 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty.astype(np.uint64), empty, empty
    ok = doc[: m] == doc[n - 1 : n - 1 + m]
    for k in range(n):
        ok &= cp[k : k + m] != 0
    if n <= 3:
        key = cp[:m].copy()
        for k in range(1, n):
            key |= cp[k : k + m] << np.uint64(21 * k)
    else:
        key = np.zeros(m, dtype=np.uint64)
        with np.errstate(over="ignore"):
            for k in range(n):
                key = (key ^ cp[k : k + m]) * _M1
                key ^= key >> np.uint64(29)
            key *= _M2
        key &= np.uint64((1 << 61) - 1)
    key |= _LEN_TAG[n]
    pos = np.flatnonzero(ok)
    return key[ok], doc[: m][ok], pos


_MIX = np.uint64(0x9E3779B97F4A7C15)


class KeyTable:
    """Open-addressing hash table from uint64 keys (never 0) to column numbers, probed with
    vectorised rounds: at a quarter load most keys resolve in the first round, which beats
    ``np.searchsorted``'s sixteen scattered reads per key."""

    def __init__(self, keys: np.ndarray, cols: np.ndarray):
        bits = max(10, int(np.ceil(np.log2(max(len(keys), 1) * 4))))
        self.shift = np.uint64(64 - bits)
        size = 1 << bits
        self.mask = size - 1
        self.keys = np.zeros(size, dtype=np.uint64)
        self.cols = np.full(size, -1, dtype=np.int64)
        slot = self._home(keys)
        pending = np.arange(len(keys))
        self.max_probe = 0
        while len(pending):
            s = (slot[pending] + self.max_probe) & self.mask
            # Among keys aiming at the same free slot, the first one takes it.
            free = self.keys[s] == 0
            cand, first = np.unique(s[free], return_index=True)
            winners = pending[free][first]
            self.keys[cand] = keys[winners]
            self.cols[cand] = cols[winners]
            placed = np.zeros(len(pending), dtype=bool)
            placed[np.flatnonzero(free)[first]] = True
            pending = pending[~placed]
            if len(pending):
                self.max_probe += 1

    def _home(self, keys: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return ((keys * _MIX) >> self.shift).astype(np.int64)

    def lookup(self, q: np.ndarray) -> np.ndarray:
        """Column of each key, -1 where unknown."""
        out = np.full(len(q), -1, dtype=np.int64)
        home = self._home(q)
        todo = np.arange(len(q))
        for probe in range(self.max_probe + 1):
            s = (home[todo] + probe) & self.mask
            k = self.keys[s]
            hit = k == q[todo]
            out[todo[hit]] = self.cols[s[hit]]
            todo = todo[~hit & (k != 0)]
            if not len(todo):
                break
        return out


class CharNgrams:
    """Character 1..max_n-grams (after lower-casing and collapsing whitespace)."""

    def __init__(self, max_n: int = 4, min_df: int = 2):
        self.max_n = max_n
        self.min_df = min_df

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        texts = [_clean(t) for t in texts]
        cp, doc = _codepoints(texts)
        keys_all, names, counts_by_len = [], [], []
        for n in range(1, self.max_n + 1):
            keys, kdoc, pos = _ngram_keys(cp, doc, n)
            order = np.lexsort((kdoc, keys))
            k_sorted, d_sorted = keys[order], kdoc[order]
            new_pair = np.ones(len(order), dtype=bool)
            new_pair[1:] = (k_sorted[1:] != k_sorted[:-1]) | (d_sorted[1:] != d_sorted[:-1])
            uk, first = np.unique(k_sorted, return_index=True)
            df = np.add.reduceat(new_pair.astype(np.int64), first) if len(first) else first
            keep = df >= self.min_df
            uk = uk[keep]
            starts = pos[order[first[keep]]]  # one occurrence of each key, to recover its text
            chars = cp[starts[:, None] + np.arange(n)[None, :]].astype(np.uint32)
            decoded = chars.tobytes().decode("utf-32-le")
            names.extend(decoded[i * n : (i + 1) * n] for i in range(len(uk)))
            keys_all.append(uk)
            counts_by_len.append(len(uk))
        self.keys_ = np.concatenate(keys_all)  # sorted within each length block
        self.names_ = names
        self.block_ends_ = np.cumsum(counts_by_len)
        self._table = KeyTable(self.keys_, np.arange(len(self.keys_), dtype=np.int64))
        return self._transform_clean(texts)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self._transform_clean([_clean(t) for t in texts])

    def _transform_clean(self, texts: list[str]) -> sp.csr_matrix:
        cp, doc = _codepoints(texts)
        rows, cols = [], []
        for n in range(1, self.max_n + 1):
            keys, kdoc, _pos = _ngram_keys(cp, doc, n)
            col = self._table.lookup(keys)
            hit = col >= 0
            rows.append(kdoc[hit])
            cols.append(col[hit])
        return _csr(np.concatenate(rows), np.concatenate(cols), len(texts), len(self.keys_))

    def columns_up_to(self, n: int) -> int:
        return int(self.block_ends_[n - 1])


class WordNgrams:
    """rjieba words and word bigrams."""

    def __init__(self, min_df: int = 2):
        self.min_df = min_df

    @staticmethod
    def _words(text: str) -> list[str]:
        return [w for w in rjieba.cut(text.lower()) if w.strip()]

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        tokenised = [self._words(t) for t in texts]
        df: dict[str, int] = {}
        for words in tokenised:
            for w in set(words):
                df[w] = df.get(w, 0) + 1
        vocab = sorted(w for w, c in df.items() if c >= self.min_df)
        self.word_ids_ = {w: i for i, w in enumerate(vocab)}
        uni, bdoc, bkeys = self._ids(tokenised)
        pair = np.unique(np.stack([bkeys, bdoc]), axis=1)
        bk, bdf = np.unique(pair[0], return_counts=True)
        self.bigrams_ = bk[bdf >= self.min_df]
        self.names_ = vocab + [f"{vocab[int(k) // len(vocab)]} {vocab[int(k) % len(vocab)]}" for k in self.bigrams_]
        return self._matrix(len(texts), uni, bdoc, bkeys)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self._matrix(len(texts), *self._ids([self._words(t) for t in texts]))

    def _ids(self, tokenised: list[list[str]]):
        get = self.word_ids_.get
        lengths = np.fromiter(map(len, tokenised), dtype=np.int64, count=len(tokenised))
        flat = [w for words in tokenised for w in words]
        ids = np.fromiter(map(get, flat, repeat(-1)), dtype=np.int64, count=len(flat))
        doc = np.repeat(np.arange(len(tokenised), dtype=np.int64), lengths)
        same = doc[:-1] == doc[1:]
        both = (ids[:-1] >= 0) & (ids[1:] >= 0) & same
        v = max(len(self.word_ids_), 1)
        bkeys = ids[:-1][both] * v + ids[1:][both]
        return (doc, ids), doc[:-1][both], bkeys

    def _matrix(self, n_docs: int, uni, bdoc, bkeys) -> sp.csr_matrix:
        doc, ids = uni
        known = ids >= 0
        rows, cols = [doc[known]], [ids[known]]
        if len(self.bigrams_) and len(bkeys):
            idx = np.searchsorted(self.bigrams_, bkeys)
            idx[idx >= len(self.bigrams_)] = 0
            hit = self.bigrams_[idx] == bkeys
            rows.append(bdoc[hit])
            cols.append(idx[hit] + len(self.word_ids_))
        return _csr(np.concatenate(rows), np.concatenate(cols), n_docs, len(self.word_ids_) + len(self.bigrams_))


def _csr(rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int) -> sp.csr_matrix:
    X = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n_rows, n_cols))
    X.sum_duplicates()
    return X
