import pytest

from jishiban.smart.classify.model import AppealClassifier, ModelLoadError
from jishiban.smart.classify.store import FileModelStore, ModelStore


def test_predict_top_returns_k_labels_with_probabilities(trained_classifier):
    (top,) = trained_classifier.predict_top([("关于拖欠工资的问题", "老板拖欠工资半年，社保也没缴纳")], k=3)
    assert len(top) == 3
    assert top[0][0] == "劳动和社会保障"
    probs = [p for _, p in top]
    assert probs == sorted(probs, reverse=True)
    assert 0 < sum(probs) <= 1.0001


def test_plain_strings_work_as_documents(trained_classifier):
    assert trained_classifier.predict(["公交车红绿灯太多，道路拥堵"]) == ["交通运输"]


def test_probabilities_sum_to_one(trained_classifier):
    proba = trained_classifier.predict_proba(["学校老师收学费"])
    assert proba.shape == (1, 4)
    assert abs(proba.sum() - 1) < 1e-6


def test_explain_names_the_words_that_drove_the_label(trained_classifier):
    words = trained_classifier.explain(("关于幼儿园学位的问题", "幼儿园学位不够，学费太贵"), "教育文体", n=5)
    assert 0 < len(words) <= 5
    assert any("幼儿园" in w or "学" in w for w, _ in words)
    assert all(weight > 0 for _, weight in words)


def test_explain_unknown_label_raises(trained_classifier):
    with pytest.raises(KeyError):
        trained_classifier.explain("文字", "没有这个分类")


def test_round_trip_gives_the_same_predictions(trained_classifier):
    blob = trained_classifier.to_bytes()
    again = AppealClassifier.from_bytes(blob)
    texts = ["小区物业不管房屋漏水", "养老金发放"]
    assert again.predict_top(texts) == trained_classifier.predict_top(texts)


def test_signed_blob_needs_the_key(trained_classifier):
    blob = trained_classifier.to_bytes(key=b"k1")
    assert AppealClassifier.from_bytes(blob, key=b"k1").labels_ == trained_classifier.labels_
    with pytest.raises(ModelLoadError):
        AppealClassifier.from_bytes(blob, key=b"other")
    with pytest.raises(ModelLoadError):
        AppealClassifier.from_bytes(blob)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda b: b"not a model at all",
        lambda b: b[: len(b) // 2],
        lambda b: b[:-10] + b"0123456789",
        lambda b: b.replace(b'"format_version": 1', b'"format_version": 99'),
        lambda b: b.replace(b'"sklearn": "', b'"sklearn": "0.1'),
    ],
    ids=["foreign", "truncated", "flipped-bytes", "future-format", "old-sklearn"],
)
def test_corrupt_or_incompatible_blob_is_refused_with_model_load_error(trained_classifier, mangle):
    with pytest.raises(ModelLoadError):
        AppealClassifier.from_bytes(mangle(trained_classifier.to_bytes()))


def test_file_store_saves_atomically_and_loads(tmp_path, trained_classifier):
    store = FileModelStore(tmp_path / "m" / "model.bin")
    assert isinstance(store, ModelStore)
    ref = store.save(trained_classifier, note="测试")
    assert store.load().labels_ == trained_classifier.labels_
    assert AppealClassifier.read_header((tmp_path / "m" / "model.bin").read_bytes())["meta"]["note"] == "测试"
    assert ref.endswith("model.bin")
    assert [p.name for p in (tmp_path / "m").iterdir()] == ["model.bin"]


def test_missing_file_is_a_model_load_error(tmp_path):
    with pytest.raises(ModelLoadError):
        FileModelStore(tmp_path / "nope.bin").load()


def test_unfitted_model_refuses_to_predict():
    with pytest.raises(RuntimeError):
        AppealClassifier().predict_top(["x"])


def test_single_label_is_refused():
    with pytest.raises(ValueError):
        AppealClassifier().fit(["甲", "乙"], ["一", "一"])


def test_text_without_any_known_feature_still_gets_probabilities(trained_classifier):
    (top,) = trained_classifier.predict_top(["zzz"], k=2)
    assert len(top) == 2 and abs(sum(trained_classifier.predict_proba(["zzz"])[0]) - 1) < 1e-6
    assert trained_classifier.explain("zzz", top[0][0]) == []
    # a batch whose last text is unknown (an empty last row of the count matrix)
    assert len(trained_classifier.predict_top(["学校老师", "qqq"], k=1)) == 2
