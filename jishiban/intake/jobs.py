"""Queueing background jobs (django-q2) from request code.

django-q2's ORM broker calls ``close_old_connections()`` when it enqueues outside a
transaction; with ``CONN_MAX_AGE=0`` (our SQLite setting) that closes the request's database
connection, and the next query pays for a new one. Enqueuing inside a tiny transaction of
its own avoids that. With ``Q_SYNC`` (tests) the job runs inline, outside any extra block.

When the queue is a table of the same database (the ORM broker, our default), a job can be
queued *inside* the transaction that makes it necessary (``enqueue_with_data``): it then
exists exactly when the data does, and the request saves a transaction of its own.
"""

from __future__ import annotations

import logging

from django.db import DEFAULT_DB_ALIAS, transaction

logger = logging.getLogger("jishiban.intake")


def _options(keep_success: bool) -> dict:
    # A successful job's record costs the worker two more write transactions (on SQLite, two
    # more turns of the write lock that intake needs) and django-q's pruning scan; jobs that
    # run for every appeal keep only their failures.
    return {} if keep_success else {"q_options": {"save": False}}


def enqueue(func: str, *args, keep_success: bool = True) -> None:
    """Queue ``func(*args)``; failures to queue are logged, never raised (callers run after commit).
    ``keep_success=False``: only a failure of the job is recorded (jobs run for every appeal)."""
    from django_q.conf import Conf
    from django_q.tasks import async_task

    try:
        if Conf.SYNC:
            async_task(func, *args, **_options(keep_success))
        else:
            with transaction.atomic():
                async_task(func, *args, **_options(keep_success))
    except Exception:
        logger.exception("could not queue %s%r", func, args[:1])


def queue_is_in_database(using: str = DEFAULT_DB_ALIAS) -> bool:
    """True when queued jobs are rows of database ``using`` (django-q2's ORM broker there, not
    run inline): only then can a job share a transaction with the data it is about."""
    from django_q.conf import Conf

    return not Conf.SYNC and not getattr(Conf, "BROKER_CLASS", None) and Conf.ORM == using


def enqueue_with_data(func: str, *args, keep_success: bool = True) -> bool:
    """Queue ``func(*args)`` in the caller's open transaction (``queue_is_in_database()`` must
    hold). In a savepoint: if queueing fails, the caller's data still commits — the failure is
    logged and ``False`` returned so the caller can queue after commit instead."""
    from django_q.tasks import async_task

    try:
        with transaction.atomic():
            async_task(func, *args, **_options(keep_success))
    except Exception:
        logger.exception("could not queue %s%r in the transaction", func, args[:1])
        return False
    return True
