"""List exports too large to write while the reader waits (``ExportJob``): queued as a
background job (django-q2) that writes the file through the one exporter
(``intake.exporter``), counting its rows as it goes so the page shows progress, then offers
the download. The only writer of ``ExportJob`` rows.

Small exports (at most ``direct_limit()`` rows) are written in the request as before.
"""

from __future__ import annotations

import io
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.appeals.filters import count_capped
from jishiban.intake.exporter import rows, write

from . import export
from .models import ExportJob

logger = logging.getLogger("jishiban.web")

DEFAULT_DIRECT_LIMIT = 2000
PROGRESS_EVERY = 500
S = ExportJob.Status


def direct_limit() -> int:
    """Exports of at most this many rows are written in the request."""
    return int(getattr(settings, "JISHIBAN_WEB_EXPORT_DIRECT", DEFAULT_DIRECT_LIMIT))


def start(user, *, querystring: str, fmt: str, total: int) -> ExportJob:
    """A queued export of the list ``querystring`` selects for ``user``; the job runs after commit."""
    from django.db import transaction

    from jishiban.intake.jobs import enqueue

    job = ExportJob.objects.create(user=user, querystring=querystring[:2000], fmt=fmt, total=total,
                                   created_at=timezone.now())
    transaction.on_commit(lambda: enqueue("jishiban.web.export_jobs.run", job.pk))
    return job


def _in_chunks(job_id: int, data):
    """The appeals of ``data`` (a sliced, ordered queryset), a chunk at a time, the job's progress
    written between chunks. No read cursor stays open across the progress writes (SQLite
    refuses a write while the same connection still reads)."""
    from .selectors.desk import LIST_RELATED

    ids = list(data.values_list("pk", flat=True))
    written = 0
    for start in range(0, len(ids), PROGRESS_EVERY):
        chunk = ids[start:start + PROGRESS_EVERY]
        by_pk = {a.pk: a for a in data.model.objects.filter(pk__in=chunk).select_related(*LIST_RELATED)}
        for pk in chunk:
            if pk in by_pk:
                yield by_pk[pk]
        written += len(chunk)
        ExportJob.objects.filter(pk=job_id).update(written=written)


def run(job_id: int) -> None:
    """Write the file of export ``job_id`` (the job of the queue). A job already claimed by
    another worker is left alone; a failure is recorded on the job, with a message for the page."""
    from .selectors.listing import export_rows, filtered_list

    if ExportJob.objects.filter(pk=job_id, status=S.QUEUED).update(status=S.RUNNING) != 1:
        return  # another worker got there first, or the job is gone
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    try:
        now = timezone.now()
        _form, qs, criteria = filtered_list(job.user, QueryDict(job.querystring), now=now)
        limit = export.export_limit()
        data = export_rows(qs, sort=criteria.sort if criteria else "-received_at", limit=limit)
        out = io.BytesIO()
        count = write(out, job.fmt, rows(job.user, _in_chunks(job.pk, data)))
        stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
        job.file.save(f"appeals-{stamp}-{job.pk}.{job.fmt}", ContentFile(out.getvalue()), save=False)
        export.log(job.user, filters=dict(QueryDict(job.querystring).lists()), fmt=job.fmt, row_count=count)
        ExportJob.objects.filter(pk=job.pk).update(status=S.DONE, written=count, total=count, file=job.file.name,
                                                   finished_at=timezone.now())
    except Exception:
        logger.exception("export job %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(status=S.FAILED, finished_at=timezone.now(),
                                                   error=_("导出文件生成失败，请稍后重试或缩小筛选范围"))


def count_for(qs) -> int:
    """How many rows the export of ``qs`` holds (capped at the export limit)."""
    limit = export.export_limit()
    return min(count_capped(qs, limit), limit)


def jobs_of(user, pk: int):
    return ExportJob.objects.filter(user=user, pk=pk).first()
