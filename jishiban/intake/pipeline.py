"""One pipeline for every channel (一口收集): validate → normalise → store → after commit, smart help.

Every source (phone desk, web form, REST, Open311, bulk import, grid app) turns its payload
into one ``Submission`` and calls ``submit``. A channel adapter only translates; routing and
deadlines are decided downstream, never by the adapter.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.appeals.creation import NewAppeal, create_appeal, stored_with_content_key, validate
from jishiban.appeals.errors import AppealValidationError
from jishiban.appeals.models import Appeal
from jishiban.core.xmltext import find_illegal

from .attachments import IncomingFile, check_files, discard, store

# Without an external id, the same payload posted again within this window is the same appeal.
CONTENT_KEY_WINDOW = timedelta(hours=24)


@dataclass
class Citizen:
    name: str = ""
    phone: str = ""
    id_number: str = ""
    email: str = ""
    anonymous: bool = False
    confidential: bool | None = None
    user: object = None


@dataclass
class Location:
    address: str = ""
    lat: object = None
    lon: object = None
    county: str | None = None
    town: str | None = None
    grid: str | None = None


@dataclass
class Submission:
    """What a channel hands to the pipeline. ``extras`` keeps channel-specific data as data."""

    channel: str
    content: str
    title: str = ""
    external_id: str | None = None
    received_at: datetime | str | None = None
    citizen: Citizen = field(default_factory=Citizen)
    location: Location = field(default_factory=Location)
    category: str | None = None
    appeal_type: str = "consult"
    urgent: bool = False
    tags: list[str] = field(default_factory=list)
    extras: dict = field(default_factory=dict)
    attachments: list[IncomingFile] = field(default_factory=list)


@dataclass
class IntakeResult:
    appeal: Appeal
    created: bool


_SPACES = re.compile(r"[ \t\u3000\xa0]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_PHONE_JUNK = re.compile(r"[\s\-()（）]")


# Full-width letters and digits (and the ideographic space) become ASCII; Chinese punctuation
# such as "，。？（）" stays as it is (NFKC would turn "，" into ",").
_HALF_WIDTH = {code: code - 0xFEE0 for start, end in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
               for code in range(start, end + 1)}
_HALF_WIDTH[0x3000] = 0x20
# Anything normalise_text would change: full-width letters/digits, CR, tabs, double spaces,
# blanks at the ends of the text or of a line, more than one empty line.
_NEEDS_CLEANING = re.compile(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u3000\xa0]|\r|\t|  |^\s|\s$|[^\S\n]\n|\n[^\S\n]|\n\n\n")


def normalise_text(text: str) -> str:
    """Full-width letters and digits to half-width (Chinese punctuation kept), one space for
    runs of blanks, at most one empty line between paragraphs, no blanks at the ends."""
    if not text:
        return ""
    if not _NEEDS_CLEANING.search(text):
        return text  # already clean: the common case, and the bulk import's hot path
    return _normalise_full(text)


def _normalise_full(text: str) -> str:
    text = text.translate(_HALF_WIDTH).replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def normalise_phone(phone: str) -> str:
    """``+86 138-0000-0000`` → ``13800000000``; landlines keep their area code (0537-1234567 →
    05371234567). Anything else is returned stripped for validation to judge."""
    phone = phone or ""
    if phone.isascii() and phone.isdigit() and not phone.startswith("0086"):
        return phone
    value = _PHONE_JUNK.sub("", unicodedata.normalize("NFKC", phone))
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    return value


# Sizes a submission may not pass (``settings.JISHIBAN`` overrides each).
LIMITS = {"MAX_TAGS": 20, "MAX_TAG_LENGTH": 40, "MAX_EXTRAS_BYTES": 16_384}


def _limit(name: str) -> int:
    return int(getattr(settings, "JISHIBAN", {}).get(name, LIMITS[name]))


def control_character(value) -> str | None:
    """The message for the first character in ``value`` (a text, or the texts in lists and
    dicts) that XML and PostgreSQL cannot store (``core.xmltext.XML_ILLEGAL``: NUL and the other
    C0 controls but tab, newline and carriage return; lone surrogates; U+FFFE/U+FFFF), or ``None``."""
    found = find_illegal(value)
    if found is None:
        return None
    return _("含有不可见的控制字符 U+%(code)04X（第 %(pos)d 个字符），请删除后重新提交") % {
        "code": ord(found[0]), "pos": found[1]}


def intake_problems(submission: Submission) -> dict[str, list[str]]:
    """The pipeline's own rule for every channel (the forms, REST, Open311, bulk import …), before
    ``creation.validate``: no control characters in any text, tags and extras of bounded size,
    a valid e-mail. Field → messages; empty when the submission passes."""
    errors: dict[str, list[str]] = {}
    c, loc = submission.citizen, submission.location
    texts = {"title": submission.title, "content": submission.content, "external_id": submission.external_id,
             "citizen_name": c.name, "citizen_phone": c.phone, "citizen_id_number": c.id_number,
             "email": c.email, "address": loc.address, "category": submission.category, "county": loc.county,
             "town": loc.town, "grid": loc.grid}
    for name, text in texts.items():
        problem = control_character(text)
        if problem:
            errors[name] = [problem]
    tags = submission.tags or []
    if not isinstance(tags, list | tuple) or not all(isinstance(t, str) for t in tags):
        errors["tags"] = [_("标签须为文字列表")]
    elif len(tags) > _limit("MAX_TAGS"):
        errors["tags"] = [_("标签最多 %(n)d 个") % {"n": _limit("MAX_TAGS")}]
    elif any(len(t) > _limit("MAX_TAG_LENGTH") for t in tags):
        errors["tags"] = [_("每个标签最多 %(n)d 个字") % {"n": _limit("MAX_TAG_LENGTH")}]
    else:
        problem = control_character(list(tags))
        if problem:
            errors["tags"] = [problem]
    extras = submission.extras or {}
    if not isinstance(extras, dict):
        errors["extras"] = [_("extras 须为对象")]
    else:
        try:
            size = len(json.dumps(extras, ensure_ascii=False, default=str).encode("utf-8"))
        except (TypeError, ValueError):
            size = None
        if size is None:
            errors["extras"] = [_("extras 须为 JSON 对象")]
        elif size > _limit("MAX_EXTRAS_BYTES"):
            errors["extras"] = [_("extras 过大（%(n)d 字节，最多 %(max)d 字节）") % {
                "n": size, "max": _limit("MAX_EXTRAS_BYTES")}]
        else:
            problem = control_character(extras)
            if problem:
                errors["extras"] = [problem]
    email = (c.email or "").strip()
    if email and "email" not in errors:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("电子邮箱格式不正确：%(v)s") % {"v": email[:60]}]
    return errors


def check(submission: Submission, new: NewAppeal | None = None, *, now: datetime | None = None) -> None:
    """Raise ``AppealValidationError`` with the pipeline's problems and ``creation.validate``'s
    together (all at once) when the submission breaks the pipeline's rule; else return."""
    errors = intake_problems(submission)
    if not errors:
        return
    try:
        validate(new or to_new_appeal(submission), now=now)
    except AppealValidationError as exc:
        errors = {**exc.errors, **errors}
    raise AppealValidationError(errors)


def content_key(submission: Submission) -> str:
    location = submission.location
    parts = [submission.channel, normalise_text(submission.title), normalise_text(submission.content),
             normalise_phone(submission.citizen.phone), normalise_text(location.address),
             str(location.lat or ""), str(location.lon or ""), submission.category or ""]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def to_new_appeal(submission: Submission) -> NewAppeal:
    c, loc = submission.citizen, submission.location
    extras = dict(submission.extras)
    if c.email:
        extras.setdefault("email", c.email.strip())
    return NewAppeal(
        channel=submission.channel, external_id=(submission.external_id or "").strip() or None,
        received_at=submission.received_at, title=normalise_text(submission.title),
        content=normalise_text(submission.content), citizen_name=normalise_text(c.name),
        citizen_phone=normalise_phone(c.phone), citizen_id_number=(c.id_number or "").strip(),
        anonymous=c.anonymous, confidential=c.confidential, citizen_user=c.user,
        address=normalise_text(loc.address), lat=loc.lat, lon=loc.lon, county=loc.county, town=loc.town,
        grid=loc.grid, category=submission.category, appeal_type=submission.appeal_type,
        urgent=submission.urgent, tags=list(submission.tags), extras=extras,
    )


def submit(submission: Submission, *, by=None, now: datetime | None = None,
           within: Callable[[Appeal], None] | None = None) -> IntakeResult:
    """Store ``submission`` exactly once and return the appeal.

    Raises ``jishiban.appeals.errors.AppealValidationError`` (nothing written) on bad input;
    bad attachments are reported under the field ``attachments``, together with any other
    field errors. With an external id, a retry returns the stored appeal; without one, the
    same payload from the same channel within ``CONTENT_KEY_WINDOW`` does. Attachments are
    stored in the transaction of the appeal, and only when the appeal is new; so is what
    ``within(appeal)`` writes (see ``creation.create_appeal``).
    """
    now = now or timezone.now()
    new = to_new_appeal(submission)
    check(submission, new, now=now)
    if not new.external_id:
        new.content_key = content_key(submission)
        earlier = stored_with_content_key(new.channel, new.content_key, now - CONTENT_KEY_WINDOW)
        if earlier:
            return IntakeResult(earlier, False)
    if not submission.attachments:
        appeal, created = create_appeal(new, by=by, now=now, within=within)
        return IntakeResult(appeal, created)
    files, file_errors = check_files(submission.attachments)
    if file_errors:
        errors: dict[str, list[str]] = {}
        try:
            validate(new, now=now)
        except AppealValidationError as exc:
            errors.update(exc.errors)
        errors["attachments"] = file_errors
        raise AppealValidationError(errors)
    stored: list[str] = []
    try:
        def with_files(appeal: Appeal) -> None:
            store(appeal, files, by=by, stored=stored)
            if within is not None:
                within(appeal)

        appeal, created = create_appeal(new, by=by, now=now, within=with_files)
    except BaseException:
        discard(stored)
        raise
    return IntakeResult(appeal, created)
