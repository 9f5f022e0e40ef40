"""Checks against the shared reference data; skipped cleanly where it is absent (never copied in)."""

import os
from pathlib import Path

import pytest
from django.conf import settings

from jishiban.smart.classify.data import load_labelled


def shared_dir() -> Path:
    return Path(os.environ.get("JISHIBAN_SHARED_DATA") or Path(settings.BASE_DIR).parent / "shared" / "data")


@pytest.fixture
def teddy():
    path = shared_dir() / "teddy2020"
    if not (path / "train_full.csv").exists():
        pytest.skip(f"shared teddy2020 data not found under {path}")
    return path


def test_teddy_files_load_with_title_and_body(teddy):
    data = load_labelled([str(teddy / "train_full.csv")], ["留言主题", "留言详情"], "一级标签")
    assert len(data.docs) > 900
    assert isinstance(data.docs[0], tuple)
    assert {"城乡建设", "交通运输"} <= set(data.labels)


def test_titles_file_has_no_body_column_and_that_is_not_an_error(teddy):
    data = load_labelled([str(teddy / "train_titles.csv"), str(teddy / "train_full.csv")], ["留言主题", "留言详情"], "一级标签")
    assert data.docs[0][1] == ""


def test_classifier_cross_validation_keeps_each_message_in_one_fold(teddy, monkeypatch):
    """The benchmark's folds (bench/_classify_cv.py): a titles-only row never trains a fold whose
    test rows hold the full text of the same message, and the final check stays apart."""
    import sys

    import numpy as np

    monkeypatch.setenv("JISHIBAN_SHARED_DATA", str(teddy.parent))
    monkeypatch.syspath_prepend(str(Path(settings.BASE_DIR) / "bench"))
    sys.modules.pop("_classify_cv", None)
    from _classify_cv import final_split, folds, load_pool

    pool = load_pool()
    shared = set(pool.groups[pool.source == 0]) & set(pool.groups[pool.source == 2])
    assert len(shared) > 300  # sample_with_time messages whose titles are in train_titles.csv
    cv_idx, final_idx = final_split(pool)
    assert not set(pool.groups[cv_idx]) & set(pool.groups[final_idx])
    assert pool.full[final_idx].sum() > 150
    cv = pool.subset(cv_idx)
    _r, _f, train, test = next(folds(cv, repeats=1, k=5))
    assert not set(cv.groups[train]) & set(cv.groups[test])
    assert cv.full[test].sum() > 150  # every test fold gets its share of full texts
    assert np.isin(cv.groups[test][cv.source[test] == 2], cv.groups[test][cv.source[test] == 0]).mean() > 0.9


def test_the_labelled_duplicate_pairs_are_three_disjoint_samples_of_messages_that_exist(teddy):
    """The tuning pairs and the two held-back sets (bench/smart_dedupe.py) share no pair, label
    only 0 or 1 in the known strata, and name hot-spot messages that exist."""
    import json

    from jishiban.smart.tabular import read_rows

    labels = Path(__file__).resolve().parents[1] / "dedupe"
    _, rows = read_rows(teddy / "hotspot_messages.csv")
    ids = {r["留言编号"] for r in rows}
    seen: set[frozenset] = set()
    for name in ("eval_labels.json", "eval_labels_fresh.json", "eval_labels_third.json"):
        pairs = json.loads((labels / name).read_text(encoding="utf-8"))["pairs"]
        keys = {frozenset((str(a), str(b))) for a, b, *_ in pairs}
        assert len(keys) == len(pairs), name
        assert not keys & seen, name
        seen |= keys
        assert {str(a) for a, *_ in pairs} | {str(b) for _a, b, *_ in pairs} <= ids, name
        assert {y for *_x, y, _s in pairs} == {0, 1}, name
        assert {s for *_x, s in pairs} <= {"L80", "L50", "L30", "L15", "T30", "U", "P", "R"}, name
