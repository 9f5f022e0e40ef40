"""Photos from citizens: only pictures, of bounded size and number, and really pictures.

The intake pipeline checks every attachment's declared type against its leading bytes; a
citizen's upload is held to more: the type is taken from the bytes (not from the browser), it
must be one of ``PORTAL["PHOTO_TYPES"]``, and Pillow must be able to read the whole picture, so
a page or a script renamed "photo.jpg", or a truncated file, is refused with its name.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from jishiban.intake.attachments import IncomingFile

from . import conf

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}


def check_photos(uploads) -> tuple[list[IncomingFile], list[str]]:
    """``uploads`` are Django ``UploadedFile``s; return the pictures as ``IncomingFile``s and one
    Chinese message per refused file (all files are looked at, so every problem is named)."""
    uploads = list(uploads or [])
    limit, most = conf.get("PHOTO_MAX_BYTES"), conf.get("PHOTO_MAX_COUNT")
    if len(uploads) > most:
        return [], [_("照片最多 %(max)d 张，您选择了 %(n)d 张") % {"max": most, "n": len(uploads)}]
    files, errors = [], []
    for upload in uploads:
        name = (upload.name or _("照片"))[:120]
        if upload.size > limit:
            errors.append(_("%(name)s：照片过大（最大 %(mb).1f MB）") % {"name": name, "mb": limit / 1048576})
            continue
        data = upload.read()
        content_type = _picture_type(data)
        if content_type is None or content_type not in conf.get("PHOTO_TYPES"):
            errors.append(_("%(name)s：不是可以识别的照片（请上传 JPG、PNG、WEBP 或 GIF 图片）") % {"name": name})
            continue
        files.append(IncomingFile(name=name, content=data, content_type=content_type))
    return files, errors


def _picture_type(data: bytes) -> str | None:
    if not data:
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # verify() reads the structure only; a truncated picture fails here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    return FORMATS.get(kind or "")
