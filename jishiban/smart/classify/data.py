"""Labelled CSV data for training and evaluation, and the evaluation itself."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from jishiban.smart.classify.model import AppealClassifier, Config, Doc, top_k_accuracy
from jishiban.smart.tabular import read_rows


class ColumnError(ValueError):
    """A requested column exists in none of the files."""

    def __init__(self, column: str, files: Sequence[str]):
        super().__init__(column)
        self.column = column
        self.files = list(files)


@dataclass
class Labelled:
    docs: list[Doc] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    skipped_no_label: int = 0


def check_columns(paths: Sequence[str], columns: Sequence[str]) -> None:
    """Raise ``ColumnError`` for a column that none of ``paths`` has (reads only the headers)."""
    headers = [read_rows(p, header_only=True)[0] for p in paths]
    for col in columns:
        if not any(col in h for h in headers):
            raise ColumnError(col, paths)


def load_labelled(paths: Sequence[str], text_columns: Sequence[str], label_column: str,
                  *, check: bool = True) -> Labelled:
    """Rows of all ``paths``. The first text column is the title, the others the body; a column
    missing from one file is empty text there; rows without a label are skipped and counted.
    Raises ``ColumnError`` for a column found in no file (unless ``check`` is false, when the
    caller checked a wider set of files), ``ValueError``/``OSError`` for bad files."""
    if check:
        check_columns(paths, [*text_columns, label_column])
    tables = [read_rows(p) for p in paths]
    out = Labelled()
    for _header, rows in tables:
        for row in rows:
            label = row.get(label_column, "").strip()
            if not label:
                out.skipped_no_label += 1
                continue
            cells = [row.get(c, "") for c in text_columns]
            out.docs.append(cells[0] if len(cells) == 1 else (cells[0], "\n".join(c for c in cells[1:] if c)))
            out.labels.append(label)
    return out


def evaluate(train: Labelled, test: Labelled, config: Config | None = None,
             progress: Callable[[str], None] | None = None) -> dict:
    """Train on ``train``, measure on ``test``; the JSON-ready result of ``classifier evaluate``."""
    say = progress or (lambda _msg: None)
    say(f"训练：{len(train.docs)} 条")
    start = time.perf_counter()
    model = AppealClassifier(config).fit(train.docs, train.labels)
    train_seconds = time.perf_counter() - start
    say(f"训练用时 {train_seconds:.1f} 秒；预测：{len(test.docs)} 条")
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):  # "per second on one core", whatever BLAS would do
        model.predict_top(test.docs[:20], k=3)  # warm-up: first-call allocations
        start = time.perf_counter()
        tops = model.predict_top(test.docs, k=3)
        predict_seconds = time.perf_counter() - start
    return {
        **metrics(model, test.labels, tops),
        "n_train": len(train.docs),
        "n_test": len(test.docs),
        "skipped_train": train.skipped_no_label,
        "skipped_test": test.skipped_no_label,
        "train_seconds": round(train_seconds, 2),
        "predict_per_second": round(len(test.docs) / predict_seconds, 1) if predict_seconds > 0 else None,
        "labels": model.labels_,
    }


def metrics(model: AppealClassifier, truth: Sequence[str], tops: list[list[tuple[str, float]]]) -> dict:
    """Accuracy, macro-F1 (over the labels present in ``truth``), top-3 accuracy and per-class
    figures of ``model``'s top-k predictions ``tops`` against ``truth``."""
    pred = [t[0][0] for t in tops]
    labels = sorted(set(truth) | set(model.labels_))
    p, r, f, s = precision_recall_fscore_support(truth, pred, labels=labels, zero_division=0)
    return {
        "accuracy": round(float(accuracy_score(truth, pred)), 4),
        "macro_f1": round(float(f1_score(truth, pred, average="macro", labels=sorted(set(truth)), zero_division=0)), 4),
        "top3_accuracy": round(top_k_accuracy(tops, truth), 4),
        "per_class": {
            lab: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4),
                  "f1": round(float(f[i]), 4), "support": int(s[i])}
            for i, lab in enumerate(labels)
        },
    }


def measure(model: AppealClassifier, docs: Sequence[Doc], truth: Sequence[str]) -> dict:
    """``metrics`` of ``model`` on labelled documents (``{}`` when there are none)."""
    if not docs:
        return {}
    return {**metrics(model, truth, model.predict_top(list(docs), k=3)), "n": len(docs)}


def confusion(truth: Sequence[str], pred: Sequence[str]) -> dict:
    labels = sorted(set(truth) | set(pred))
    m = np.zeros((len(labels), len(labels)), dtype=int)
    for t, p in zip(truth, pred, strict=True):
        m[labels.index(t), labels.index(p)] += 1
    return {"labels": labels, "matrix": m.tolist()}
