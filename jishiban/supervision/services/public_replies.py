"""Public replies for channels that publish answers (人民网领导留言板, 网络问政 …), masked."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.appeals.errors import ActionForbidden, ActionNotAllowed
from jishiban.appeals.models import Appeal
from jishiban.appeals.privacy import mask_name

from .. import access
from ..models import PublicReply, PublicReplyStatus
from .common import require

try:
    from jishiban.smart.privacy import mask_text as _mask_personal_data
except ImportError:  # smart help not installed: a conservative fallback for phones and ID numbers
    _PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
    _ID = re.compile(r"(?<![0-9A-Za-z])(\d{4})\d{10}(\d{3}[0-9Xx])(?![0-9A-Za-z])")

    def _mask_personal_data(text: str) -> str:
        return _ID.sub(r"\1**********\2", _PHONE.sub(r"\1****\2", text))


def mask_public(text: str, appeal) -> str:
    """``text`` fit for publication: personal numbers and the citizen's name masked."""
    masked = _mask_personal_data(text or "")
    name = (appeal.citizen_name or "").strip()
    if len(name) >= 2:
        masked = masked.replace(name, mask_name(name))
    return masked


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
    now = now or timezone.now()
    _require_editor(by, reply)
    with transaction.atomic():
        if PublicReply.objects.filter(pk=reply.pk, status=PublicReplyStatus.DRAFT).update(
                status=PublicReplyStatus.PUBLISHED, published_at=now, published_by=by, updated_at=now) != 1:
            raise ActionNotAllowed(_("该答复已公开"))
    reply.refresh_from_db()
    return reply
