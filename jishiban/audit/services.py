"""Writing and pruning the audit log.

``record`` is the one writer. Called while a request is served (``audit.middleware.CurrentActor``)
it takes the signed-in user and the client's address from that request unless told otherwise;
from a command or a job the actor is empty (the system).
"""

from __future__ import annotations

import contextvars
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from jishiban.core.clients import client_ip

from .models import AuditEvent

current_request: contextvars.ContextVar = contextvars.ContextVar("jishiban_audit_request", default=None)
_FROM_REQUEST = object()


def _request_user(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def record(kind: str, *, actor=_FROM_REQUEST, actor_name: str | None = None, subject: str = "",
           detail: dict | None = None, source=None, request=None) -> AuditEvent:
    """Append one row. ``actor``: a user, ``None`` for the system, or (default) the current
    request's signed-in user. ``source``: the record of another app this row stands for."""
    request = request if request is not None else current_request.get()
    if actor is _FROM_REQUEST:
        actor = _request_user(request) if request is not None else None
    if actor_name is None:
        actor_name = actor.get_username() if actor is not None else ""
    event = AuditEvent(
        kind=kind, actor=actor, actor_name=(actor_name or "")[:150], subject=(subject or "")[:200],
        ip=client_ip(request) if request is not None else None, detail=detail or {},
    )
    if source is not None:
        event.source_type = ContentType.objects.get_for_model(source)
        event.source_id = source.pk
    event.save()
    return event


def retention() -> timedelta:
    return timedelta(days=settings.JISHIBAN_AUDIT_RETENTION_DAYS)


def purge(*, now=None) -> int:
    """Delete the rows older than ``JISHIBAN_AUDIT_RETENTION_DAYS`` (the daily job); returns how many."""
    cutoff = (now or timezone.now()) - retention()
    count, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
    return count
