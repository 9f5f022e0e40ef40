"""Smart-help hand-off: after commit, a job calls the registered after-intake hooks."""

import logging

import pytest

from jishiban.appeals.models import Appeal
from jishiban.intake.hooks import register_after_intake, unregister_after_intake
from jishiban.intake.pipeline import Submission, submit
from jishiban.testing import advance, make_appeal


@pytest.fixture
def hook():
    calls = []

    def record(appeal_id):
        calls.append(appeal_id)

    register_after_intake(record)
    yield calls
    unregister_after_intake(record)


def test_hooks_run_after_commit_for_a_new_appeal(reference_data, hook, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = submit(Submission(channel="12345-web", content="井盖丢失", external_id="H-1"))
    assert hook == []  # nothing before commit
    for callback in callbacks:
        callback()
    assert hook == [result.appeal.pk]


def test_retry_does_not_run_hooks_again(reference_data, hook, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit(Submission(channel="12345-web", content="井盖丢失", external_id="H-2"))
        submit(Submission(channel="12345-web", content="井盖丢失", external_id="H-2"))
    assert len(hook) == 1


def test_other_transitions_do_not_trigger_hooks(personas, django_capture_on_commit_callbacks):
    appeal = make_appeal()
    calls = []
    register_after_intake(calls.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            advance(appeal, personas, "accepted")
    finally:
        unregister_after_intake(calls.append)
    assert calls == []


def test_failing_hook_is_logged_and_intake_goes_on(reference_data, hook, caplog, django_capture_on_commit_callbacks):
    def broken(appeal_id):
        raise ValueError("model not loaded")

    register_after_intake(broken)
    try:
        with caplog.at_level(logging.ERROR, logger="jishiban.intake"), \
                django_capture_on_commit_callbacks(execute=True):
            result = submit(Submission(channel="12345-web", content="噪音扰民", external_id="H-3"))
    finally:
        unregister_after_intake(broken)
    assert result.created and Appeal.objects.filter(pk=result.appeal.pk).exists()
    assert hook == [result.appeal.pk]  # the good hook still ran
    assert any("broken" in r.getMessage() and "failed" in r.getMessage() for r in caplog.records)


@pytest.fixture
def queue_in_database(monkeypatch):
    """Run as production does: jobs become rows of django-q2's ORM queue (not run inline)."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", False)


def _queued(func="jishiban.intake.tasks.after_intake"):
    from django_q.models import OrmQ

    return [q.task["args"] for q in OrmQ.objects.all() if q.task["func"] == func]


def test_job_row_is_written_in_the_appeals_own_transaction(reference_data, queue_in_database,
                                                           django_capture_on_commit_callbacks):
    """GIVEN the ORM queue in the same database WHEN an appeal is received THEN its job row
    exists as soon as the appeal does, with nothing left to do after commit."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = submit(Submission(channel="12345-web", content="井盖丢失", external_id="H-4"))
    assert _queued() == [(result.appeal.pk,)]
    for callback in callbacks:
        callback()
    assert _queued() == [(result.appeal.pk,)]  # not queued a second time after commit


def test_rolled_back_appeal_leaves_no_job(reference_data, queue_in_database):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        submit(Submission(channel="12345-web", content="井盖丢失", external_id="H-5"))
        raise RuntimeError("the caller fails after the appeal was written")
    assert not Appeal.objects.filter(external_id="H-5").exists()
    assert _queued() == []


def test_queueing_failure_keeps_the_appeal_and_queues_after_commit(reference_data, queue_in_database, monkeypatch,
                                                                   caplog, django_capture_on_commit_callbacks):
    import django_q.tasks

    real = django_q.tasks.async_task
    calls = []

    def flaky(func, *args, **kwargs):
        calls.append(func)
        if len(calls) == 1:
            raise ConnectionError("queue unavailable")
        return real(func, *args, **kwargs)

    monkeypatch.setattr(django_q.tasks, "async_task", flaky)
    with caplog.at_level(logging.ERROR, logger="jishiban.intake"), \
            django_capture_on_commit_callbacks(execute=True):
        result = submit(Submission(channel="12345-web", content="井盖丢失", external_id="H-6"))
    assert result.created and Appeal.objects.filter(pk=result.appeal.pk).exists()
    assert _queued() == [(result.appeal.pk,)]  # queued by the after-commit fallback
    assert any("could not queue" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db(transaction=True)
def test_hooks_run_in_no_transaction_of_the_runners_own():
    """A worker's job: each hook opens the transactions it needs (a transaction around it would
    hold SQLite's write lock for the whole hook)."""
    from django.db import connection

    from jishiban.intake.hooks import run_after_intake

    seen = []

    def hook(appeal_id):
        seen.append((appeal_id, connection.in_atomic_block))

    register_after_intake(hook)
    try:
        assert run_after_intake(7)["failed"] == 0
    finally:
        unregister_after_intake(hook)
    assert (7, False) in seen
