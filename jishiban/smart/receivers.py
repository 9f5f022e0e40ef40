"""Signal receivers of smart help, connected in ``SmartConfig.ready``."""

from __future__ import annotations

import logging

from jishiban.appeals.workflow import GONE

log = logging.getLogger("jishiban.smart")

SCHEDULES = {
    "jishiban.smart.retrain": {"func": "jishiban.smart.tasks.retrain_if_needed", "schedule_type": "W"},
    "jishiban.smart.embed_pending": {"func": "jishiban.smart.tasks.embed_pending", "schedule_type": "I",
                                     "minutes": 10},
}


def after_intake(appeal_id: int) -> None:
    """The after-intake hook. ``services`` (and with it scikit-learn and the text models) is
    imported on the first call, in the job worker, not in every process at start-up."""
    from .services import after_intake as run

    run(appeal_id)


def forget_gone_appeal(sender, *, appeal, event, **kwargs) -> None:
    """``transition_committed``: a merged, invalid or withdrawn appeal leaves this process's duplicate index."""
    if event.to_status in GONE:
        from .dedupe_db import live_index

        live_index().remove(appeal.pk)


def after_migrate(app_config=None, using="default", **kwargs) -> None:
    """``post_migrate`` (also after a test flush): default risk rules in an empty table, and the
    periodic jobs (weekly retraining, embedding catch-up); idempotent."""
    if app_config is not None and app_config.label != "smart":
        return
    from django_q.models import Schedule

    from .risk_db import seed_default_rules

    seed_default_rules(using=using)
    for name, fields in SCHEDULES.items():
        kind = fields["schedule_type"]
        defaults = {"func": fields["func"], "repeats": -1,
                    "schedule_type": Schedule.WEEKLY if kind == "W" else Schedule.MINUTES}
        if kind == "I":
            defaults["minutes"] = fields["minutes"]
        Schedule.objects.using(using).update_or_create(name=name, defaults=defaults)


def warm_up(sender=None, proc_name=None, **kwargs) -> None:
    """django-q ``post_spawn``: a new worker builds its duplicate index, loads the active
    classifier and the gazetteer before taking jobs — outside any transaction (on SQLite a job's
    transaction holds the write lock) and not in the first appeal's job. Skipped when jobs run
    inline (``Q_SYNC``); failures are logged (the first job then builds lazily)."""
    from django_q.conf import Conf

    if Conf.SYNC:
        return
    from django.db import close_old_connections

    from .classify.model import ModelLoadError
    from .classify_db import NoActiveModel, active_model
    from .dedupe_db import live_index
    from .geocode.resolver import resolve

    try:
        resolve("济宁市任城区")
        try:
            active_model()
        except (NoActiveModel, ModelLoadError):
            pass
        live_index().ensure()
    except Exception:
        log.exception("smart help warm-up failed in %s", proc_name)
    finally:
        close_old_connections()
