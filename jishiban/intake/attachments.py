"""Attachments handed in with a submission: checked before anything is written, stored with the appeal.

Limits come from settings with defaults (``JISHIBAN_ATTACHMENT_MAX_BYTES``,
``JISHIBAN_ATTACHMENT_MAX_COUNT``, ``JISHIBAN_ATTACHMENT_TYPES``). A declared type must be on
the list and, for the formats with a known signature, the bytes must match it, so an HTML page
cannot be handed in as "photo.jpg" and later opened by staff.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from .models import Attachment

DEFAULT_TYPES = (
    "image/jpeg", "image/png", "image/gif", "image/webp", "image/heic",
    "audio/mpeg", "audio/wav", "audio/x-wav", "audio/amr", "audio/mp4", "audio/aac", "audio/ogg",
    "video/mp4",
    "application/pdf", "text/plain",
    "application/msword", "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_COUNT = 10

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
# Leading bytes of the formats whose signature is fixed; other listed types are not sniffed.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "application/pdf": (b"%PDF-",),
    "audio/amr": (b"#!AMR",),
    "application/msword": (OLE,),
    "application/vnd.ms-excel": (OLE,),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (ZIP,),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (ZIP,),
}


def max_bytes() -> int:
    return int(getattr(settings, "JISHIBAN_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_count() -> int:
    return int(getattr(settings, "JISHIBAN_ATTACHMENT_MAX_COUNT", DEFAULT_MAX_COUNT))


def allowed_types() -> frozenset[str]:
    return frozenset(getattr(settings, "JISHIBAN_ATTACHMENT_TYPES", DEFAULT_TYPES))


@dataclass
class IncomingFile:
    """A file as a channel hands it over: bytes or a readable file object, and its name."""

    name: str
    content: bytes | object
    content_type: str = ""


@dataclass
class CheckedFile:
    name: str
    data: bytes
    content_type: str
    sha256: str


def _signature_ok(content_type: str, data: bytes) -> bool:
    if content_type == "image/webp":
        return data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    if content_type in ("audio/wav", "audio/x-wav"):
        return data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    if content_type == "text/plain":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True
    signatures = SIGNATURES.get(content_type)
    return signatures is None or data.startswith(signatures)


def _read(content, limit: int) -> bytes | None:
    """The bytes, or ``None`` when there are more than ``limit`` (read at most limit + 1)."""
    if isinstance(content, bytes | bytearray | memoryview):
        data = bytes(content)
    else:
        if hasattr(content, "seek"):
            content.seek(0)
        data = content.read(limit + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
    return None if len(data) > limit else data


def check_files(files: list[IncomingFile]) -> tuple[list[CheckedFile], list[str]]:
    """Read and check every file; return the good ones and one message per bad one."""
    errors: list[str] = []
    if len(files) > max_count():
        return [], [_("附件过多（%(n)d 个，最多 %(max)d 个）") % {"n": len(files), "max": max_count()}]
    limit, types, checked = max_bytes(), allowed_types(), []
    for position, item in enumerate(files, start=1):
        name = (item.name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:255]
        label = name or _("第 %(n)d 个附件") % {"n": position}
        if not name:
            errors.append(_("第 %(n)d 个附件缺少文件名") % {"n": position})
            continue
        content_type = (item.content_type or "").split(";")[0].strip().lower() or (
            mimetypes.guess_type(name)[0] or "application/octet-stream"
        )
        if content_type not in types:
            errors.append(_("%(name)s：不支持的文件类型 %(type)s") % {"name": label, "type": content_type})
            continue
        data = _read(item.content, limit)
        if data is None:
            errors.append(_("%(name)s：文件过大（最大 %(mb).1f MB）") % {"name": label, "mb": limit / 1048576})
            continue
        if not data:
            errors.append(_("%(name)s：文件为空") % {"name": label})
            continue
        if not _signature_ok(content_type, data):
            errors.append(_("%(name)s：文件内容与类型 %(type)s 不符") % {"name": label, "type": content_type})
            continue
        checked.append(CheckedFile(name, data, content_type, hashlib.sha256(data).hexdigest()))
    return checked, errors


def store(appeal, files: list[CheckedFile], *, by=None, stored: list[str] | None = None,
          event=None) -> list[Attachment]:
    """Write the files to the storage and their rows; call inside the appeal's transaction.
    ``event`` is the reply, extension request or note the files came with.

    Names written to the storage are appended to ``stored`` so the caller can remove them
    when the transaction rolls back (storage is not transactional).
    """
    rows = []
    for item in files:
        row = Attachment(appeal=appeal, original_name=item.name, content_type=item.content_type,
                         size=len(item.data), sha256=item.sha256,
                         uploaded_by=by if getattr(by, "pk", None) else None, event=event)
        row.file.save(item.name, ContentFile(item.data), save=False)
        if stored is not None:
            stored.append(row.file.name)
        row.save()
        rows.append(row)
    return rows


def discard(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)


def with_files(files: list[IncomingFile], *, by, write):
    """An action on an appeal with files attached (a reply, an extension request, a unit's note).

    The files are checked first — ``AppealValidationError({"attachments": [...]})`` and nothing
    written when one is bad — then ``write(after_event)`` runs in one transaction, where the
    service it calls passes its new event to ``after_event``, which stores the files linked to
    it. Files already in the storage are removed when the transaction fails. Returns what
    ``write`` returns."""
    from django.db import transaction

    from jishiban.appeals.errors import AppealValidationError

    checked, errors = check_files(files) if files else ([], [])
    if errors:
        raise AppealValidationError({"attachments": errors})
    stored: list[str] = []

    def after_event(event):
        if checked:
            store(event.appeal, checked, by=by, stored=stored, event=event)

    try:
        with transaction.atomic():
            return write(after_event)
    except Exception:
        discard(stored)
        raise


def uploaded(files) -> list[IncomingFile]:
    """Uploaded files of a form as ``IncomingFile``s."""
    return [IncomingFile(name=f.name, content=f, content_type=getattr(f, "content_type", "")) for f in files or []]
