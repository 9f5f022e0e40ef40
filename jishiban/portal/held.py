"""Submissions the content filter holds (``spam.py``): kept whole — the form and its photos — in
``HeldSubmission`` until an operator decides. 受理 hands it in as the citizen would have
(``services.submit_appeal`` with the form's own key, so a second decision or the citizen's retry
makes no second appeal; the receipt SMS goes out then); 不予受理 keeps it with the reason. Nothing
is dropped and nothing is deleted."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.accounts import policy
from jishiban.appeals.errors import ActionForbidden, ActionNotAllowed, AppealValidationError
from jishiban.intake.attachments import IncomingFile

from . import spam
from .models import HeldPhoto, HeldStatus, HeldSubmission, SpamPhrase

__all__ = ["HeldSubmission", "hold", "held", "release", "set_aside", "suspect"]

# The form's fields kept for the decision (what ``services.submit_appeal`` takes).
FIELDS = ("content", "appeal_type", "category", "address", "county", "town", "name", "phone", "anonymous",
          "confidential", "publish", "lat", "lon")


def suspect(*texts: str) -> list[str]:
    """The content filter's reasons for the citizen's texts (description, address, name)."""
    phrases = list(SpamPhrase.objects.filter(active=True).values_list("phrase", flat=True))
    return spam.findings("\n".join(t or "" for t in texts), phrases)


def held(key: str) -> HeldSubmission | None:
    return HeldSubmission.objects.filter(key=key).first() if key else None


def hold(*, key: str, data: dict, reasons: list[str], photos: list[IncomingFile], user=None,
         now=None) -> HeldSubmission:
    """Keep a suspect submission for review (once per key: a retry returns the one kept)."""
    now = now or timezone.now()
    kept = held(key)
    if kept is not None:
        return kept
    form = {f: (str(data[f]) if f in ("lat", "lon") and data.get(f) is not None else data.get(f)) for f in FIELDS}
    with transaction.atomic():
        row = HeldSubmission.objects.create(key=key, form=form, reasons=reasons, user=user, received_at=now)
        for photo in photos:
            content = photo.content if isinstance(photo.content, bytes) else photo.content.read()
            item = HeldPhoto(held=row, name=photo.name[:200], content_type=photo.content_type)
            item.file.save(photo.name, ContentFile(content), save=False)
            item.save()
    return row


def may_review(user) -> bool:
    """The intake desk (operators, dispatchers, supervisors, administrators) reviews held submissions."""
    return policy.may_open(user, "intake")


def _pending(row: HeldSubmission, by) -> HeldSubmission:
    if not may_review(by):
        raise ActionForbidden(_("您无权核对群众提交的内容"))
    row = HeldSubmission.objects.select_for_update().get(pk=row.pk)
    if row.status != HeldStatus.PENDING:
        raise ActionNotAllowed(_("这条提交已核对过（%(status)s）") % {"status": row.get_status_display()})
    return row


def release(row: HeldSubmission, *, by, now=None):
    """受理: the held form goes in as the citizen's submission; returns ``services.Handed``."""
    from .services import submit_appeal

    now = now or timezone.now()
    with transaction.atomic():
        row = _pending(row, by)
        photos = [IncomingFile(name=p.name, content=p.file.read(), content_type=p.content_type)
                  for p in row.photos.all()]
        f = row.form
        handed = submit_appeal(key=row.key, content=f["content"], appeal_type=f["appeal_type"],
                               category=f.get("category") or None, address=f["address"], county=f.get("county"),
                               town=f.get("town"), name=f.get("name") or "", phone=f.get("phone") or "",
                               anonymous=bool(f.get("anonymous")), confidential=bool(f.get("confidential")),
                               publish=bool(f.get("publish")), photos=photos, user=row.user,
                               lat=f.get("lat"), lon=f.get("lon"), now=now)
        HeldSubmission.objects.filter(pk=row.pk).update(status=HeldStatus.RELEASED, decided_at=now, decided_by=by,
                                                        appeal=handed.appeal, note=_("核对后受理"))
    return handed


def set_aside(row: HeldSubmission, *, by, note: str, now=None) -> HeldSubmission:
    """不予受理, with the operator's reason; the submission stays on record."""
    now = now or timezone.now()
    note = (note or "").strip()
    if not note:
        raise AppealValidationError({"note": [_("请填写不予受理的原因")]})
    with transaction.atomic():
        row = _pending(row, by)
        HeldSubmission.objects.filter(pk=row.pk).update(status=HeldStatus.REJECTED, decided_at=now, decided_by=by,
                                                        note=note[:500])
    row.refresh_from_db()
    return row
