"""Signal receivers of intake, connected in ``IntakeConfig.ready``."""

from __future__ import annotations

from jishiban.appeals.workflow import Action

from .jobs import enqueue

SCHEDULE_NAME = "jishiban.intake.deliver_results"


def queue_after_intake(sender, *, appeal, event, **kwargs) -> None:
    """``transition_committed`` receiver: hand a newly received appeal to the hooks (smart help).

    Runs after commit; with ``Q_SYNC`` the job runs inline. Queueing problems are logged and
    never reach the channel that submitted the appeal.
    """
    if event.action != Action.RECEIVE:
        return
    enqueue("jishiban.intake.tasks.after_intake", appeal.pk)


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
