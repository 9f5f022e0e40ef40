"""Classifier versions: training from the database and from CSV, the held-out check that
decides activation, rolling back, and refusing corrupt or foreign models."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from jishiban.appeals import services
from jishiban.smart.category_suggestions import suggest_categories
from jishiban.smart.classify.model import ModelLoadError
from jishiban.smart.classify_db import DatabaseModelStore, active_model, forget_active
from jishiban.smart.models import ClassifierVersion
from jishiban.smart.tests.conftest import make_code_docs
from jishiban.smart.tests.test_classifier_command import write_csv
from jishiban.smart.training import TrainingError, history_dataset, is_holdout, train_version
from jishiban.testing import make_appeal

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(reference_data):
    docs, labels = make_code_docs(seed=7, per_label=12)
    return [make_appeal(title=t, content=b, category=code) for (t, b), code in zip(docs, labels, strict=True)]


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("classifier", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_train_from_the_database_history_stores_and_activates_a_version(history):
    out, err = run("train")
    v = ClassifierVersion.objects.get()
    assert v.is_active and v.number == 1 and v.trigger == "command"
    assert sorted(v.labels) == ["010102", "020101", "030201", "040101"]
    assert v.n_train + v.n_holdout == 48 and v.n_holdout > 0
    assert "数据库历史" in v.source and "48 件" in v.source
    for key in ("macro_f1", "top3_accuracy", "accuracy", "per_class", "holdout", "data"):
        assert key in v.evaluation
    assert len(v.sha256) == 64 and v.size == len(bytes(v.blob))
    assert "v1" in out and "此前没有使用中的模型" in out
    assert "预计" in err and "%" in err  # progress with an estimate on stderr


def test_history_labels_follow_the_configured_level(history):
    data = history_dataset(level=1)
    assert set(data.labels) == {"01", "02", "03", "04"}
    assert data.details["level"] == 1


def test_a_dispatchers_correction_is_what_training_learns(history, personas):
    from jishiban.taxonomy.models import Category

    wrong = history[0]
    right = Category.objects.get(code="030201")
    services.annotate(wrong, by=personas.dispatcher, category=right, reason="分类更正")
    data = history_dataset()
    assert data.labels[data.keys.index(f"appeal:{wrong.pk}")] == "030201"
    assert data.details["corrected"] == 1 and "人工更正分类 1 件" in data.source


def test_the_same_appeals_are_held_out_every_time():
    keys = [f"appeal:{n}" for n in range(1000)]
    first = [k for k in keys if is_holdout(k, 20)]
    assert first == [k for k in keys if is_holdout(k, 20)]
    assert 150 < len(first) < 250


def test_empty_history_is_a_clear_error(reference_data):
    with pytest.raises(CommandError, match="历史数据为空"):
        run("train")
    with pytest.raises(TrainingError, match="历史数据为空"):
        train_version(history_dataset())


def test_a_worse_version_is_kept_but_not_activated(history, code_classifier, settings):
    run("train")
    # A second training on the same data with a strict tolerance: equal is "not worse".
    out, _err = run("train")
    assert ClassifierVersion.objects.get(is_active=True).number == 2 and "不低于 v1" in out
    settings.JISHIBAN_SMART = {"CLASSIFIER_ACTIVATE_TOLERANCE": -0.5}  # demand a big improvement
    out, _err = run("train")
    assert "低于 v2" in out and "未启用" in out
    assert ClassifierVersion.objects.get(is_active=True).number == 2
    assert ClassifierVersion.objects.get(number=3).evaluation["compared_with"]["version"] == 2
    run("train", "--activate")
    assert ClassifierVersion.objects.get(is_active=True).number == 4


def test_train_from_csv_into_the_database(reference_data, tmp_path):
    docs, labels = make_code_docs(seed=9, per_label=10)
    write_csv(tmp_path / "a.csv", docs, labels)
    out, _err = run("train", "--csv", str(tmp_path / "a.csv"), "--text-columns", "标题,内容", "--label-column", "分类")
    v = ClassifierVersion.objects.get()
    assert v.is_active and "CSV 文件：a.csv" in v.source and v.evaluation["data"]["files"] == ["a.csv"]


def test_versions_lists_and_activate_rolls_back(history):
    run("train")
    run("train", "--activate")
    out, _err = run("versions")
    lines = out.strip().splitlines()
    assert lines[0].startswith("* v2") and lines[1].startswith("  v1")
    out, _err = run("activate", "1")
    assert "已启用 v1" in out
    assert ClassifierVersion.objects.get(is_active=True).number == 1
    assert ClassifierVersion.objects.filter(is_active=True).count() == 1


def test_a_corrupt_blob_is_refused_and_the_previous_version_stays_active(history):
    run("train")
    run("train", "--no-activate")
    v2 = ClassifierVersion.objects.get(number=2)
    blob = bytearray(bytes(v2.blob))
    blob[-10] ^= 0xFF
    ClassifierVersion.objects.filter(pk=v2.pk).update(blob=bytes(blob))
    with pytest.raises(CommandError, match="已损坏"):
        run("activate", "2")
    assert ClassifierVersion.objects.get(is_active=True).number == 1


def test_a_blob_signed_with_another_key_is_refused(history, settings):
    run("train")
    settings.SECRET_KEY = "another-secret-key-that-is-also-long-enough-x"
    forget_active()
    with pytest.raises(ModelLoadError, match="签名不符"):
        active_model()
    settings.SECRET_KEY_FALLBACKS = ["test-secret-key-that-is-long-enough-for-django-checks"]
    forget_active()
    model, row = active_model()  # the rotated key is still accepted
    assert row.number == 1


def test_a_broken_active_model_gives_a_reason_not_an_exception(history):
    run("train")
    v1 = ClassifierVersion.objects.get()
    ClassifierVersion.objects.filter(pk=v1.pk).update(blob=b"JISHIBAN-SMART-CLASSIFIER\n{}\n", sha256="")
    forget_active()
    assert suggest_categories("停水") == []
    from jishiban.smart.category_suggestions import category_status

    assert "无法加载" in category_status()


def test_predict_uses_the_active_version(history):
    run("train")
    out, _err = run("predict", "小区停水了，水龙头不出水", "--json")
    top = json.loads(out)
    assert top[0]["label"] == "020101" and top[0]["because"]
    forget_active()
    ClassifierVersion.objects.update(is_active=False)
    with pytest.raises(CommandError, match="尚未训练分类模型"):
        run("predict", "停水")


def test_suggest_categories_speaks_the_workbench_format(active_model):
    items = suggest_categories("小区停水两天了，水龙头不出水", limit=2)
    assert len(items) == 2
    assert items[0]["code"] == "020101" and items[0]["name"] == "停水"
    assert 0 < items[0]["score"] <= 1 and items[0]["explanation"].startswith("依据")
    from jishiban.web.smart_bridge import category_suggestions

    shown = category_suggestions("小区停水两天了，水龙头不出水")
    assert shown.items and shown.items[0]["code"] == "020101" and shown.items[0]["path"] == "水电气暖 / 供水 / 停水"


def test_retrain_if_needed_waits_for_enough_new_data(history, settings):
    out, _err = run("retrain-if-needed")
    assert "已训练 v1" in out
    out, _err = run("retrain-if-needed")
    assert "无需重新训练" in out
    settings.JISHIBAN_SMART = {"RETRAIN_MIN_NEW": 0}
    out, _err = run("retrain-if-needed")
    assert "已训练 v2" in out


def test_weekly_retraining_is_scheduled_once(db):
    from django_q.models import Schedule

    from jishiban.smart.receivers import after_migrate

    after_migrate()
    after_migrate()
    schedule = Schedule.objects.get(name="jishiban.smart.retrain")
    assert schedule.func == "jishiban.smart.tasks.retrain_if_needed" and schedule.schedule_type == Schedule.WEEKLY


def test_store_saves_numbered_versions(code_classifier, db):
    store = DatabaseModelStore()
    assert store.save(code_classifier) == "1"
    assert store.save(code_classifier, note="again") == "2"
    assert store.load("2").labels_ == code_classifier.labels_
    with pytest.raises(ModelLoadError, match="没有版本"):
        store.load("9")
