"""Queueing background jobs (django-q2) from request code.

django-q2's ORM broker calls ``close_old_connections()`` when it enqueues outside a
transaction; with ``CONN_MAX_AGE=0`` (our SQLite setting) that closes the request's database
connection, and the next query pays for a new one. Enqueuing inside a tiny transaction of
its own avoids that. With ``Q_SYNC`` (tests) the job runs inline, outside any extra block.
"""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger("jishiban.intake")


def enqueue(func: str, *args) -> None:
    """Queue ``func(*args)``; failures to queue are logged, never raised (callers run after commit)."""
    from django_q.conf import Conf
    from django_q.tasks import async_task

    try:
        if Conf.SYNC:
            async_task(func, *args)
        else:
            with transaction.atomic():
                async_task(func, *args)
    except Exception:
        logger.exception("could not queue %s%r", func, args[:1])
