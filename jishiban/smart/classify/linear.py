"""A LinearSVC with per-class sigmoid (Platt) calibration, predicted without scikit-learn's
per-call validation (which cost ~10 ms for a single text).

Training: the SVC is fitted once on all rows. The calibration sigmoids are fitted on
out-of-fold decision values from a stratified subsample of at most ``max_calibration_rows``
rows, so large training sets pay for ``folds`` small fits rather than ``folds`` full ones.
Prediction: decision = X·Wᵀ + b; p_k = σ(a_k·d_k + c_k); rows normalised to sum to one (the
same one-vs-rest normalisation as ``CalibratedClassifierCV``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC


@dataclass
class CalibratedLinear:
    coef: np.ndarray  # (n_classes, n_features)
    intercept: np.ndarray  # (n_classes,)
    slope: np.ndarray  # (n_classes,) sigmoid a_k
    offset: np.ndarray  # (n_classes,) sigmoid c_k

    def decision(self, X: sp.csr_matrix) -> np.ndarray:
        return np.asarray(X @ self.coef.T) + self.intercept

    def predict_proba(self, X: sp.csr_matrix) -> np.ndarray:
        p = expit(self.decision(X) * self.slope + self.offset)
        total = p.sum(axis=1, keepdims=True)
        empty = total[:, 0] == 0
        p[empty] = 1.0 / p.shape[1]
        total[empty] = 1.0
        return p / total


def _svc(X, y, n_classes: int, C: float, class_weight) -> tuple[np.ndarray, np.ndarray]:
    """(coef, intercept) with one row per class 0..n_classes-1, whatever classes y holds."""
    model = LinearSVC(C=C, class_weight=class_weight).fit(X, y)
    present = model.classes_.astype(int)
    coef = np.zeros((n_classes, X.shape[1]))
    intercept = np.full(n_classes, -1e3)  # an unseen class never wins a fold
    if len(present) == 2:
        coef[present[1]], intercept[present[1]] = model.coef_[0], model.intercept_[0]
        coef[present[0]], intercept[present[0]] = -model.coef_[0], -model.intercept_[0]
    else:
        coef[present], intercept[present] = model.coef_, model.intercept_
    return coef, intercept


def _subsample(y: np.ndarray, limit: int, rng: np.random.Generator) -> np.ndarray:
    if len(y) <= limit:
        return np.arange(len(y))
    frac = limit / len(y)
    picks = []
    for cls in np.unique(y):
        idx = np.flatnonzero(y == cls)
        picks.append(rng.permutation(idx)[: max(1, int(np.ceil(len(idx) * frac)))])
    return np.sort(np.concatenate(picks))


def fit_calibrated_svc(X: sp.csr_matrix, y: np.ndarray, n_classes: int, *, C: float = 1.0, class_weight=None,
                       folds: int = 3, max_calibration_rows: int = 20_000, seed: int = 0,
                       progress: Callable[[float], None] | None = None) -> CalibratedLinear:
    """``y`` holds class numbers 0..n_classes-1. ``progress(fraction_done)`` after the main fit
    and each calibration fold (each fold fits on about 2/3 of the calibration rows)."""
    say = progress or (lambda _done: None)
    coef, intercept = _svc(X, y, n_classes, C, class_weight)
    share = min(len(y), max_calibration_rows) / max(len(y), 1) * 2 / 3  # one fold's work vs. the main fit
    total = 1 + folds * share
    say(1 / total)
    slope, offset = np.ones(n_classes), np.zeros(n_classes)
    rng = np.random.default_rng(seed)
    sub = _subsample(y, max_calibration_rows, rng)
    ys = y[sub]
    folds = int(min(folds, np.bincount(ys, minlength=n_classes)[np.unique(ys)].min()))
    if folds >= 2:
        Xs = X[sub]
        dec = np.zeros((len(sub), n_classes))
        for n, (tr, te) in enumerate(StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(ys)), ys)):
            c, b = _svc(Xs[tr], ys[tr], n_classes, C, class_weight)
            dec[te] = np.asarray(Xs[te] @ c.T) + b
            say((1 + (n + 1) * share) / total)
        for k in range(n_classes):
            target = ys == k
            if target.all() or not target.any():
                continue
            lr = LogisticRegression(C=1e4).fit(dec[:, k : k + 1], target)
            slope[k], offset[k] = lr.coef_[0, 0], lr.intercept_[0]
    return CalibratedLinear(coef, intercept, slope, offset)


def tfidf(X: sp.csr_matrix, idf: np.ndarray, sublinear: bool) -> sp.csr_matrix:
    """Counts → l2-normalised tf-idf rows (as ``TfidfTransformer``, without its validation)."""
    X = X.astype(np.float64, copy=True)
    if sublinear:
        np.log(X.data, out=X.data)
        X.data += 1.0
    X.data *= idf[X.indices]
    lengths = np.diff(X.indptr)
    # bincount, not add.reduceat: reduceat fails on a matrix without entries or ending in an empty row.
    rows = np.repeat(np.arange(X.shape[0]), lengths)
    norms = np.sqrt(np.bincount(rows, weights=X.data**2, minlength=X.shape[0]))
    norms[norms == 0] = 1.0
    X.data /= np.repeat(norms, lengths)
    return X
