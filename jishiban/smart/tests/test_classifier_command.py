import csv
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from jishiban.smart.tests.conftest import make_docs


def write_csv(path, docs, labels, *, title="标题", body="内容", label="分类", encoding="utf-8", drop_body=False):
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh)
        w.writerow([title, label] if drop_body else [title, body, label])
        for (t, b), y in zip(docs, labels, strict=True):
            w.writerow([t, y] if drop_body else [t, b, y])


@pytest.fixture
def files(tmp_path):
    docs, labels = make_docs(seed=2, per_label=20)
    test_docs, test_labels = make_docs(seed=3, per_label=5)
    write_csv(tmp_path / "titles.csv", docs[::2], labels[::2], drop_body=True, encoding="gb18030")
    write_csv(tmp_path / "full.csv", docs[1::2], labels[1::2], encoding="utf-8-sig")
    test_labels = list(test_labels)
    test_labels[0] = ""  # a row without a label is skipped and counted
    write_csv(tmp_path / "test.csv", test_docs, test_labels)
    return tmp_path


def test_evaluate_prints_one_json_object_with_the_metrics(files):
    out, err = StringIO(), StringIO()
    call_command("classifier", "evaluate", "--train", f"{files / 'titles.csv'},{files / 'full.csv'}",
                 "--test", str(files / "test.csv"), "--text-columns", "标题,内容", "--label-column", "分类",
                 "--json", stdout=out, stderr=err)
    result = json.loads(out.getvalue())
    for key in ("accuracy", "macro_f1", "top3_accuracy", "per_class", "n_train", "n_test",
                "train_seconds", "predict_per_second"):
        assert key in result
    assert result["n_train"] == 80
    assert result["n_test"] == 19
    assert result["skipped_test"] == 1
    assert set(result["per_class"]["交通运输"]) == {"precision", "recall", "f1", "support"}
    assert result["accuracy"] > 0.8
    assert "训练" in err.getvalue()


def test_evaluate_names_a_column_that_no_file_has(files):
    with pytest.raises(CommandError, match="留言详情"):
        call_command("classifier", "evaluate", "--train", str(files / "titles.csv"), "--test", str(files / "test.csv"),
                     "--text-columns", "标题,留言详情", "--label-column", "分类", "--json", stdout=StringIO(), stderr=StringIO())


def test_train_then_predict_prints_top_three(files, tmp_path):
    model = tmp_path / "model.bin"
    call_command("classifier", "train", "--csv", str(files / "full.csv"), "--text-columns", "标题,内容",
                 "--label-column", "分类", "--out", str(model), stdout=StringIO(), stderr=StringIO())
    out = StringIO()
    call_command("classifier", "predict", "老板拖欠工资，社保也不交", "--model", str(model), "--json", stdout=out)
    top = json.loads(out.getvalue())
    assert len(top) == 3
    assert top[0]["label"] == "劳动和社会保障"
    assert isinstance(top[0]["because"], list)


def test_predict_with_a_damaged_model_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"garbage")
    with pytest.raises(CommandError, match="模型"):
        call_command("classifier", "predict", "文字", "--model", str(bad), stdout=StringIO())
