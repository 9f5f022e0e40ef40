"""Public replies for channels that publish answers (人民网领导留言板, 网络问政 …), masked and reviewed.

A unit's reply on a public channel becomes a masked draft; a supervisor edits it and publishes
it or holds it back (不予公开). The public (Open311 ``status_notes`` and updates, any public list)
reads ``published_text`` and nothing else: a draft or a held-back reply is never shown.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.appeals.errors import ActionForbidden, ActionNotAllowed
from jishiban.appeals.models import Appeal
from jishiban.appeals.privacy import mask_public

from .. import access
from ..models import PublicReply, PublicReplyStatus
from .common import require


def published_text(appeal) -> str | None:
    """The reply the public may read for ``appeal``: its published public reply, masked; ``None``
    before publication, when held back, and for channels without public replies. Reads
    ``appeal.public_reply`` (select it with the appeals of a list)."""
    try:
        reply = appeal.public_reply
    except PublicReply.DoesNotExist:
        return None
    if reply is None or reply.status != PublicReplyStatus.PUBLISHED:
        return None
    return mask_public(reply.text, appeal)


def ensure_draft(appeal, *, now=None) -> PublicReply | None:
    """After a reply on a public channel: a draft with the masked reply text (again after a reopen)."""
    if not appeal.channel.public_reply:
        return None
    text = mask_public(appeal.result_text, appeal)
    reply, created = PublicReply.objects.get_or_create(appeal=appeal, defaults={"channel": appeal.channel,
                                                                                  "text": text})
    if not created and reply.text != text:
        PublicReply.objects.filter(pk=reply.pk).update(text=text, status=PublicReplyStatus.DRAFT, published_at=None,
                                                       published_by=None, updated_at=now or timezone.now())
        reply.refresh_from_db()
    return reply


def _require_editor(by, reply):
    if not access.may_call_back(by) or not Appeal.objects.visible_to(by).filter(pk=reply.appeal_id).exists():
        raise ActionForbidden(_("您无权编辑该公开答复"))


def edit(reply, *, by, text: str) -> PublicReply:
    _require_editor(by, reply)
    text = mask_public(require("text", text, _("请填写公开答复内容")), reply.appeal)
    PublicReply.objects.filter(pk=reply.pk).update(text=text, updated_at=timezone.now())
    reply.refresh_from_db()
    return reply


def publish(reply, *, by, now=None) -> PublicReply:
    """公开: a draft, or a reply held back before, becomes what the public reads."""
    now = now or timezone.now()
    _require_editor(by, reply)
    with transaction.atomic():
        if PublicReply.objects.filter(pk=reply.pk, status__in=[PublicReplyStatus.DRAFT, PublicReplyStatus.WITHHELD]).update(
                status=PublicReplyStatus.PUBLISHED, published_at=now, published_by=by, updated_at=now) != 1:
            raise ActionNotAllowed(_("该答复已公开"))
    reply.refresh_from_db()
    return reply


def withhold(reply, *, by, now=None) -> PublicReply:
    """不予公开: the reply is not shown to the public (a published one is taken back); a new
    reply after a reopen makes a new draft."""
    now = now or timezone.now()
    _require_editor(by, reply)
    if PublicReply.objects.filter(pk=reply.pk).exclude(status=PublicReplyStatus.WITHHELD).update(
            status=PublicReplyStatus.WITHHELD, published_at=None, published_by=None, updated_at=now) != 1:
        raise ActionNotAllowed(_("该答复已不予公开"))
    reply.refresh_from_db()
    return reply
