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
