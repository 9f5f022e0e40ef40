"""Signal receivers of intake, connected in ``IntakeConfig.ready``."""

from __future__ import annotations

from django.db import transaction

from jishiban.appeals.workflow import Action

from . import jobs

SCHEDULE_NAME = "jishiban.intake.deliver_results"
AFTER_INTAKE = "jishiban.intake.tasks.after_intake"


def queue_after_intake(sender, *, appeal, event, **kwargs) -> None:
    """``transition_recorded`` receiver: hand a newly received appeal to the hooks (smart help).

    With the job queue in the same database the job row is written in the appeal's own
    transaction; otherwise (Redis, ``Q_SYNC``) it is queued once the appeal has committed.
    Queueing problems are logged and never reach the channel that submitted the appeal.
    """
    if event.action != Action.RECEIVE:
        return
    if jobs.queue_is_in_database() and jobs.enqueue_with_data(AFTER_INTAKE, appeal.pk, keep_success=False):
        return
    pk = appeal.pk
    transaction.on_commit(lambda: jobs.enqueue(AFTER_INTAKE, pk, keep_success=False))


def ensure_schedule(app_config=None, using="default", **kwargs) -> None:
    """``post_migrate``: the periodic job that delivers due results (idempotent)."""
    if app_config is not None and app_config.label != "intake":
        return
    from django_q.models import Schedule

    Schedule.objects.using(using).update_or_create(
        name=SCHEDULE_NAME,
        defaults={"func": "jishiban.intake.tasks.deliver_pending", "schedule_type": Schedule.MINUTES,
                  "minutes": 1, "repeats": -1},
    )
