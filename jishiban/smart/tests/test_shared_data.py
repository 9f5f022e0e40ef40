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
