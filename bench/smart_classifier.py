"""Appeal classification on teddy2020: accuracy against the baseline, cross-validated, and speed.

    .venv/bin/python bench/smart_classifier.py [--seeds 0,1,2,3,4] [--big 100000] [--skip-cv]

Split (fixed, documented in docs/smart.md): train = all of train_titles.csv (title only) + a
seeded stratified half of train_full.csv (title + text); test = the other half of
train_full.csv (title + text). The headline uses seed 0; the cross-validated mean repeats the
split with the seeds given. Shared data is read from $JISHIBAN_SHARED_DATA or ../shared/data.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from jishiban.smart.classify.data import Labelled, evaluate, load_labelled  # noqa: E402
from jishiban.smart.classify.model import AppealClassifier, compose  # noqa: E402


def shared_dir() -> Path:
    return Path(os.environ.get("JISHIBAN_SHARED_DATA") or ROOT.parent / "shared" / "data")


def load() -> tuple[Labelled, Labelled]:
    base = shared_dir() / "teddy2020"
    if not (base / "train_full.csv").exists():
        sys.exit(f"teddy2020 data not found under {base} (set JISHIBAN_SHARED_DATA)")
    titles = load_labelled([str(base / "train_titles.csv")], ["留言主题"], "一级标签")
    full = load_labelled([str(base / "train_full.csv")], ["留言主题", "留言详情"], "一级标签")
    return titles, full


def split(titles: Labelled, full: Labelled, seed: int) -> tuple[Labelled, Labelled]:
    idx = np.arange(len(full.docs))
    a, b = train_test_split(idx, test_size=0.5, stratify=full.labels, random_state=seed)
    train = Labelled(titles.docs + [full.docs[i] for i in a], titles.labels + [full.labels[i] for i in a])
    test = Labelled([full.docs[i] for i in b], [full.labels[i] for i in b])
    return train, test


def baseline(train: Labelled, test: Labelled) -> float:
    """The issue's reference: character 1–3-gram TF-IDF + LinearSVC on title + text."""
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3))
    X = vec.fit_transform([compose(d, 1) for d in train.docs])
    clf = LinearSVC().fit(X, train.labels)
    pred = clf.predict(vec.transform([compose(d, 1) for d in test.docs]))
    return float(f1_score(test.labels, pred, average="macro"))


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


def speed(train: Labelled, test: Labelled, big: int) -> dict:
    rng = random.Random(0)
    model = AppealClassifier().fit(train.docs, train.labels)
    docs = [test.docs[i % len(test.docs)] for i in range(5000)]
    with threadpool_limits(limits=1):
        model.predict_top(docs[:200])
        t = time.perf_counter()
        model.predict_top(docs)
        per_second = len(docs) / (time.perf_counter() - t)
        t = time.perf_counter()
        for d in docs[:300]:
            model.predict_top([d])
        single_ms = (time.perf_counter() - t) / 300 * 1000
    out = {"predict_per_second_one_core": round(per_second, 1), "predict_one_text_ms": round(single_ms, 2),
           "mean_test_chars": round(statistics.mean(len(compose(d)) for d in test.docs))}
    if big:
        pool = list(zip(train.docs, train.labels, strict=True))
        sample = [rng.choice(pool) for _ in range(big)]
        big_docs = [perturb(d, rng) for d, _ in sample]
        big_labels = [y for _, y in sample]
        n_full = sum(isinstance(d, tuple) and bool(d[1]) for d in big_docs)
        t = time.perf_counter()
        with threadpool_limits(limits=1):
            big_model = AppealClassifier().fit(big_docs, big_labels)
        out.update({"big_train_texts": big, "big_train_with_body": n_full,
                    "big_train_seconds_one_core": round(time.perf_counter() - t, 1),
                    "big_model_bytes": len(big_model.to_bytes())})
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="0,1,2,3,4")
    ap.add_argument("--big", type=int, default=100_000, help="training texts for the timing run (0: skip)")
    ap.add_argument("--skip-cv", action="store_true")
    args = ap.parse_args()
    titles, full = load()
    train, test = split(titles, full, 0)
    head = evaluate(train, test, progress=lambda m: print(m, file=sys.stderr))
    head["baseline_macro_f1"] = round(baseline(train, test), 4)
    print(json.dumps({"headline_seed0": head}, ensure_ascii=False, indent=1), flush=True)
    if not args.skip_cv:
        rows = []
        for seed in [int(s) for s in args.seeds.split(",") if s.strip()]:
            tr, te = split(titles, full, seed)
            r = evaluate(tr, te)
            rows.append({"seed": seed, "macro_f1": r["macro_f1"], "accuracy": r["accuracy"],
                         "top3_accuracy": r["top3_accuracy"], "baseline_macro_f1": round(baseline(tr, te), 4)})
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
        summary = {k: {"mean": round(statistics.mean(r[k] for r in rows), 4),
                       "stdev": round(statistics.stdev(r[k] for r in rows), 4) if len(rows) > 1 else 0.0}
                   for k in ("macro_f1", "accuracy", "top3_accuracy", "baseline_macro_f1")}
        print(json.dumps({"cross_validated": summary, "seeds": len(rows)}, ensure_ascii=False, indent=1), flush=True)
    print(json.dumps({"speed": speed(train, test, args.big)}, ensure_ascii=False, indent=1), flush=True)


if __name__ == "__main__":
    main()
