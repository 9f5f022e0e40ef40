"""The process's duplicate index stays in step with the database, keeps embeddings across
restarts, and merged appeals follow their parent's answer."""

import numpy as np
import pytest

from jishiban.appeals import services as appeal_services
from jishiban.appeals.models import Appeal, AppealEvent
from jishiban.smart import services
from jishiban.smart.dedupe_db import live_index, reset_live_index, to_blob, to_vector
from jishiban.smart.models import AppealEmbedding, Suggestion
from jishiban.smart.tests.test_dedupe import KeywordEncoder
from jishiban.testing import advance, make_appeal

pytestmark = pytest.mark.django_db

DRAIN = "幸福小区3号楼下水道堵塞，污水横流，请尽快疏通"


def candidates(appeal):
    return [f.candidate.id for f in live_index().query(appeal)]


def test_index_is_built_from_recent_appeals_and_sees_those_of_other_processes(reference_data):
    first = make_appeal(content=DRAIN)
    assert live_index().stats() == {"built": False}
    probe = make_appeal(content=DRAIN + "！", citizen_phone="13700000009")
    assert candidates(probe) == [first.pk]  # built lazily, from the database
    later = make_appeal(content=DRAIN + "。", citizen_phone="13700000008")  # stored without this process
    assert set(candidates(probe)) == {first.pk, later.pk}


def test_same_matter_after_the_duplicate_window_is_a_repeat_from_the_repeat_window(reference_data):
    from datetime import timedelta

    from django.utils import timezone

    old = make_appeal(content=DRAIN, received_at=timezone.now() - timedelta(days=60))
    recent = make_appeal(content=DRAIN + "。", citizen_phone="13700000008", received_at=timezone.now() - timedelta(days=3))
    probe = make_appeal(content=DRAIN + "！", citizen_phone="13700000009")
    found = {f.candidate.id: f.candidate.relation for f in live_index().query(probe)}
    assert found == {recent.pk: "duplicate", old.pk: "repeat"}


def test_the_repeat_window_is_the_one_repeat_rules_window(reference_data, settings):
    from datetime import timedelta

    from django.utils import timezone

    old = make_appeal(content=DRAIN, received_at=timezone.now() - timedelta(days=60))
    probe = make_appeal(content=DRAIN + "！", citizen_phone="13700000009")
    settings.JISHIBAN_REPEAT_WINDOW_DAYS = 45  # the 重复诉求 rule's window (appeals/repeats.py)
    reset_live_index()
    assert live_index().query(probe) == []
    settings.JISHIBAN_REPEAT_WINDOW_DAYS = 90
    reset_live_index()
    assert [(f.candidate.id, f.candidate.relation) for f in live_index().query(probe)] == [(old.pk, "repeat")]


def test_gone_or_changed_appeals_are_never_reported(reference_data):
    first = make_appeal(content=DRAIN)
    probe = make_appeal(content=DRAIN + "！", citizen_phone="13700000009")
    assert candidates(probe) == [first.pk]
    Appeal.objects.filter(pk=first.pk).update(title="交通", content="完全不同的事情：学校门口交通拥堵")
    assert candidates(probe) == []  # verified against the row, then re-indexed with its new text
    other = make_appeal(content=DRAIN, citizen_phone="13700000007")
    assert candidates(probe) == [other.pk]
    Appeal.objects.filter(pk=other.pk).delete()
    assert candidates(probe) == []


def test_an_appeal_committed_late_is_still_picked_up(reference_data):
    first = make_appeal(content=DRAIN)
    probe = make_appeal(content=DRAIN + "！", citizen_phone="13700000009")
    assert candidates(probe) == [first.pk]
    index = live_index()
    late = make_appeal(content=DRAIN + "。", citizen_phone="13700000008")
    newest = make_appeal(content="学校门口交通拥堵", citizen_phone="13700000006")
    # As if ``late`` had not been committed when the index last looked: its id is a gap.
    index._max_pk = newest.pk
    index._note_gaps([late.pk])
    assert set(candidates(probe)) == {first.pk, late.pk}
    assert late.pk not in index._gaps


def test_merged_and_invalid_appeals_leave_the_index(personas, django_capture_on_commit_callbacks):
    parent = make_appeal(content=DRAIN)
    child = make_appeal(content=DRAIN + "！", citizen_phone="13700000009")
    probe = make_appeal(content=DRAIN + "。", citizen_phone="13700000008")
    assert set(candidates(probe)) == {parent.pk, child.pk}
    with django_capture_on_commit_callbacks(execute=True):
        appeal_services.merge(child, by=personas.dispatcher, into=parent, reason="同一事项")
    assert child.pk not in live_index()._fp
    assert candidates(probe) == [parent.pk]


def test_merged_child_records_the_parents_answer(personas):
    parent = make_appeal(content=DRAIN)
    child = make_appeal(content=DRAIN + "！", citizen_phone="13700000009")
    child = appeal_services.merge(child, by=personas.dispatcher, into=parent, reason="同一事项")
    parent = advance(parent, personas, "replied")
    event = AppealEvent.objects.filter(appeal=child, action="parent-result").get()
    assert parent.number in event.reason and "已安排维修人员处理" in event.reason and "已解决" in event.reason
    assert event.payload["parent"] == parent.number and event.payload["parent_action"] == "reply"
    child.refresh_from_db()
    assert child.status == "merged" and child.result_text == parent.result_text
    assert child.result_type == parent.result_type and event.actor is None
    parent = appeal_services.callback(parent, by=personas.supervisor, satisfaction="satisfied", solved=True)
    appeal_services.close(parent, by=personas.supervisor)
    assert AppealEvent.objects.filter(appeal=child, action="parent-result").count() == 2


def test_a_failing_child_never_blocks_the_parents_reply(personas, monkeypatch):
    from jishiban.smart import followup

    parent = make_appeal(content=DRAIN)
    child = make_appeal(content=DRAIN + "！", citizen_phone="13700000009")
    appeal_services.merge(child, by=personas.dispatcher, into=parent)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(followup, "follow_parent", broken)
    parent = advance(parent, personas, "replied")
    assert parent.status == "replied"


def test_embeddings_are_stored_compactly_and_survive_a_restart(reference_data, monkeypatch, settings):
    settings.JISHIBAN_SMART = {"SEMANTIC": True}
    monkeypatch.setattr(services, "_encoder", KeywordEncoder())
    a = make_appeal(content="人民反对拆除五一桥来建商业廊桥", citizen_phone="13700000001")
    b = make_appeal(content="反对拆除五一桥建商铺", citizen_phone="13700000002")
    services.refresh(a.pk)
    services.refresh(b.pk)
    assert Suggestion.objects.get(appeal=b).semantic is False
    result = services.embed_pending()
    assert result["embedded"] == 2 and result["refined"] == 2
    row = AppealEmbedding.objects.get(appeal=a)
    assert len(bytes(row.vector)) == 384 * 2  # float16
    assert np.allclose(to_vector(row.vector), KeywordEncoder().encode([a.content])[0], atol=1e-3)
    refined = Suggestion.objects.get(appeal=b)
    assert refined.semantic is True and refined.duplicates[0]["signals"]["semantic"] is not None
    reset_live_index()  # a restarted process loads the stored vectors instead of encoding again
    monkeypatch.setattr(services, "_encoder", None)
    index = live_index()
    index.ensure()
    assert index.index.has_embedding(a.pk) and index.index.has_embedding(b.pk)


def test_embedding_is_queued_after_intake_only_when_semantic_is_on(intake, settings, monkeypatch):
    from django.utils.module_loading import import_string

    queued = []

    def enqueue(func, *args, **options):
        queued.append(func)
        if func == "jishiban.intake.tasks.after_intake":  # the intake's own job runs, as with Q_SYNC
            import_string(func)(*args)

    monkeypatch.setattr("jishiban.intake.jobs.enqueue", enqueue)
    monkeypatch.setattr("jishiban.smart.services._embed_queued_at", None)
    intake("小区停水了")
    assert "jishiban.smart.tasks.embed_pending" not in queued  # "auto" with jobs run inline (tests): off
    settings.JISHIBAN_SMART = {"SEMANTIC": True}
    intake("小区又停水了")
    assert queued.count("jishiban.smart.tasks.embed_pending") == 1
    # A burst queues one embedding job per worker process and interval, not one per appeal.
    intake("小区第三次停水")
    intake("小区第四次停水")
    assert queued.count("jishiban.smart.tasks.embed_pending") == 1
    monkeypatch.setattr("jishiban.smart.services.EMBED_QUEUE_EVERY", 0.0)
    intake("小区第五次停水")
    assert queued.count("jishiban.smart.tasks.embed_pending") == 2


def test_float16_round_trip_is_close():
    vec = np.random.default_rng(1).normal(size=384).astype(np.float32)
    vec /= np.linalg.norm(vec)
    assert np.abs(to_vector(to_blob(vec)) - vec).max() < 1e-3


def test_a_restart_rebuilds_from_stored_features_without_recomputing(reference_data, monkeypatch):
    from jishiban.smart.dedupe import features as fx
    from jishiban.smart.models import AppealFeatures

    first = make_appeal(content=DRAIN)
    probe = make_appeal(content=DRAIN + "！", citizen_phone="13700000009")
    assert candidates(probe) == [first.pk]  # the first build computes and stores the features
    assert set(AppealFeatures.objects.values_list("appeal_id", flat=True)) == {first.pk, probe.pk}
    reset_live_index()

    def refuse(*args, **kwargs):
        raise AssertionError("features should come from the database")

    monkeypatch.setattr(fx, "item_features", refuse)
    index = live_index()
    index.ensure()
    assert set(index._fp) == {first.pk, probe.pk}
    monkeypatch.undo()
    Appeal.objects.filter(pk=first.pk).update(title="交通", content="学校门口交通拥堵")
    reset_live_index()
    live_index().ensure()  # outdated features (another fingerprint) are computed again and replaced
    stored = AppealFeatures.objects.get(appeal=first)
    assert fx.unpack(stored.data).sig.tolist() == fx.item_features("交通。学校门口交通拥堵", "tel:13912345678").sig.tolist()


def test_a_new_worker_warms_up_before_taking_jobs(reference_data, monkeypatch):
    from django_q.conf import Conf
    from django_q.signals import post_spawn

    first = make_appeal(content=DRAIN)
    post_spawn.send(sender="django_q", proc_name="Process-1")
    assert live_index().stats() == {"built": False}  # jobs run inline (Q_SYNC): nothing to warm
    monkeypatch.setattr(Conf, "SYNC", False)
    post_spawn.send(sender="django_q", proc_name="Process-1")
    assert live_index().stats()["built"] and first.pk in live_index()._fp


def test_the_features_of_a_new_appeal_are_stored_by_its_job(intake):
    from jishiban.smart.models import AppealFeatures

    intake("小区停水了")  # builds the index
    appeal = intake("幸福路路灯不亮，晚上一片漆黑")
    assert AppealFeatures.objects.filter(appeal=appeal).exists()


def test_the_live_settings_turn_the_semantic_signal_on_and_take_the_repeat_rules_window():
    """The production settings (jishiban.settings, jobs in a worker): embeddings on, the index
    looking back over the 重复诉求 rule's window, the duplicate window shorter than it."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = ("import django; django.setup(); from jishiban.smart import conf; "
            "print(conf.semantic_enabled(), conf.repeat_window_days(), conf.get('DUPLICATE_WINDOW_DAYS'))")
    env = {k: v for k, v in os.environ.items() if k not in ("Q_SYNC", "JISHIBAN_REPEAT_WINDOW_DAYS")}
    env["DJANGO_SETTINGS_MODULE"] = "jishiban.settings"
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    semantic, repeat_days, duplicate_days = out.stdout.split()
    assert semantic == "True"
    assert float(repeat_days) == 90.0 > float(duplicate_days) == 30.0
