"""Appeal classification on teddy2020: repeated stratified group cross-validation, the final
check on a split no method was chosen on, the baseline, and speed.

    .venv/bin/python bench/smart_classifier.py [--repeats 5] [--folds 5] [--final] [--big 100000] [--skip-cv]

Rows, groups, folds and the final split are defined in bench/_classify_cv.py: titles-only rows
(train_titles.csv) and full-text rows (train_full.csv, sample_with_time.csv), grouped by message
so a titles-only row never sits in a test fold apart from the full text of the same message; a
fifth of the full-text messages is kept out of the cross-validation for the final check.
Figures are macro-F1 and top-3 accuracy on the full-text rows of each test fold (the unseen
messages are title + text), mean and spread over folds and over repeats. ``--final`` trains on
all cross-validation rows and measures once on the final split. Shared data is read from
$JISHIBAN_SHARED_DATA or ../shared/data.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402
from _classify_cv import Pool, final_split, folds, load_pool  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from jishiban.smart.classify.model import AppealClassifier, compose  # noqa: E402


def ours(train: Pool, test: Pool) -> tuple[np.ndarray, list[str]]:
    model = AppealClassifier().fit(train.docs, train.labels)
    return model.predict_proba(test.docs), model.labels_


def baseline(train: Pool, test: Pool) -> tuple[np.ndarray, list[str]]:
    """The issue's reference: character 1–3-gram TF-IDF + LinearSVC on title + text."""
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3))
    clf = LinearSVC().fit(vec.fit_transform([compose(d, 1) for d in train.docs]), train.labels)
    return clf.decision_function(vec.transform([compose(d, 1) for d in test.docs])), list(clf.classes_)


def scores(test: Pool, proba: np.ndarray, labels: list[str]) -> dict:
    labels_arr = np.asarray(labels)
    order = np.argsort(-proba, axis=1)
    out = {}
    for name, rows in (("full", test.full), ("train_full", test.source == 1), ("sample_with_time", test.source == 2),
                       ("titles", ~test.full)):
        if not rows.any():
            continue
        truth, pred = test.labels[rows], labels_arr[order[rows, 0]]
        top3 = labels_arr[order[rows, :3]]
        out[name] = {"macro_f1": float(f1_score(truth, pred, average="macro")),
                     "top3": float(np.mean([t in row for t, row in zip(truth, top3, strict=True)])),
                     "n": int(rows.sum())}
    return out


def summary(runs: list[dict], repeats: int, k: int) -> dict:
    out = {}
    for part in runs[0]:
        f1 = np.array([r[part]["macro_f1"] for r in runs])
        top3 = np.array([r[part]["top3"] for r in runs])
        per_repeat = f1.reshape(repeats, k).mean(axis=1)
        out[part] = {"macro_f1_mean": round(float(f1.mean()), 4), "macro_f1_sd_folds": round(float(f1.std(ddof=1)), 4),
                     "macro_f1_sd_repeats": round(float(per_repeat.std(ddof=1)), 4) if repeats > 1 else 0.0,
                     "macro_f1_min_fold": round(float(f1.min()), 4), "top3_mean": round(float(top3.mean()), 4),
                     "top3_min_fold": round(float(top3.min()), 4), "test_rows_per_fold": runs[0][part]["n"]}
    return out


def cross_validate(pool: Pool, method, repeats: int, k: int) -> dict:
    runs = []
    for r, f, tr, te in folds(pool, repeats, k):
        test = pool.subset(te)
        runs.append(scores(test, *method(pool.subset(tr), test)))
        print(f"  repeat {r} fold {f}: full-text macro-F1 {runs[-1]['full']['macro_f1']:.4f}", file=sys.stderr, flush=True)
    return summary(runs, repeats, k)


def perturb(doc, rng: random.Random):
    """A plausible variant of a document: drop/duplicate a few characters, cut the body."""
    def noisy(s: str) -> str:
        chars = list(s)
        for _ in range(max(1, len(chars) // 30)):
            if len(chars) > 4:
                i = rng.randrange(len(chars))
                if rng.random() < 0.5:
                    del chars[i]
                else:
                    chars.insert(i, chars[i])
        return "".join(chars)

    if isinstance(doc, tuple):
        body = doc[1][: rng.randint(50, max(60, len(doc[1])))]
        return (noisy(doc[0]), noisy(body))
    return noisy(doc)


def speed(pool: Pool, big: int) -> dict:
    rng = random.Random(0)
    with threadpool_limits(limits=1):
        t = time.perf_counter()
        model = AppealClassifier().fit(pool.docs, pool.labels)
        train_seconds = time.perf_counter() - t
        full_docs = [d for d, f in zip(pool.docs, pool.full, strict=True) if f]
        docs = [full_docs[i % len(full_docs)] for i in range(5000)]
        model.predict_top(docs[:200])
        t = time.perf_counter()
        model.predict_top(docs)
        per_second = len(docs) / (time.perf_counter() - t)
        t = time.perf_counter()
        for d in docs[:300]:
            model.predict_top([d])
        single_ms = (time.perf_counter() - t) / 300 * 1000
    out = {"train_texts": len(pool.docs), "train_seconds_one_core": round(train_seconds, 1),
           "predict_per_second_one_core": round(per_second, 1), "predict_one_text_ms": round(single_ms, 2),
           "mean_text_chars": round(statistics.mean(len(compose(d)) for d in full_docs))}
    if big:
        sample = [rng.randrange(len(pool.docs)) for _ in range(big)]
        big_docs = [perturb(pool.docs[i], rng) for i in sample]
        t = time.perf_counter()
        with threadpool_limits(limits=1):
            big_model = AppealClassifier().fit(big_docs, [pool.labels[i] for i in sample])
        out.update({"big_train_texts": big, "big_train_seconds_one_core": round(time.perf_counter() - t, 1),
                    "big_model_bytes": len(big_model.to_bytes())})
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--final", action="store_true", help="measure once on the final split (after choosing)")
    ap.add_argument("--big", type=int, default=100_000, help="training texts for the timing run (0: skip)")
    ap.add_argument("--skip-cv", action="store_true")
    ap.add_argument("--skip-speed", action="store_true")
    args = ap.parse_args()
    pool = load_pool()
    cv_idx, final_idx = final_split(pool)
    cv_pool = pool.subset(cv_idx)
    print(json.dumps({"rows": len(pool.docs), "full_text_rows": int(pool.full.sum()), "cv_rows": len(cv_idx),
                      "final_rows": len(final_idx), "final_full_text_rows": int(pool.full[final_idx].sum())}), flush=True)
    if not args.skip_cv:
        with threadpool_limits(limits=1):
            for name, method in (("ours", ours), ("baseline", baseline)):
                result = cross_validate(cv_pool, method, args.repeats, args.folds)
                print(json.dumps({"cross_validated": name, "repeats": args.repeats, "folds": args.folds, **result},
                                 ensure_ascii=False, indent=1), flush=True)
    if args.final:
        final = pool.subset(final_idx)
        with threadpool_limits(limits=1):
            for name, method in (("ours", ours), ("baseline", baseline)):
                print(json.dumps({"final_check": name, **scores(final, *method(cv_pool, final))},
                                 ensure_ascii=False, indent=1), flush=True)
    if not args.skip_speed:
        print(json.dumps({"speed": speed(pool, args.big)}, ensure_ascii=False, indent=1), flush=True)


if __name__ == "__main__":
    main()
