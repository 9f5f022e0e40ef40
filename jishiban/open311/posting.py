"""POST requests: an Open311 form becomes one intake ``Submission`` (an adapter only translates).

The channel is the API key's channel. Open311 clients send no id of their own, so the
pipeline's content key makes an identical retry return the first appeal. Attribute values,
``address_id``, ``media_url``, ``device_id`` and ``account_id`` are kept in
``extras["open311"]``; the e-mail goes to the citizen's e-mail.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from jishiban.appeals.errors import AppealValidationError
from jishiban.intake.pipeline import Citizen, IntakeResult, Location, Submission, submit
from jishiban.taxonomy.models import Category

from . import attributes as attrs
from . import catalog
from .conf import conf
from .errors import Open311Error
from .models import ApiKey

_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
_CJK = re.compile(r"[\u3400-\u9fff]")
MAX_SHORT = 100
MAX_URL = 500

# Field names of the appeal → the Open311 parameter a client sent.
FIELD_NAMES = {"content": "description", "lon": "long", "lat": "lat", "address": "address_string",
               "citizen_phone": "phone", "citizen_name": "first_name/last_name", "category": "service_code",
               "title": "description"}

def _problem_text(code: str, kind: str) -> str:
    # The message ids are listed literally so that makemessages finds them.
    messages = {
        attrs.REQUIRED: _("属性 %(code)s 为必填项"),
        attrs.NOT_A_NUMBER: _("属性 %(code)s 须为数字"),
        attrs.NOT_A_DATETIME: _("属性 %(code)s 须为日期时间（如 2026-11-27T09:30:00+08:00）"),
        attrs.NOT_A_CHOICE: _("属性 %(code)s 的取值不在可选值中"),
        attrs.ONE_VALUE_ONLY: _("属性 %(code)s 只能有一个取值"),
        attrs.TOO_LONG: _("属性 %(code)s 过长"),
        attrs.TOO_MANY: _("未定义的属性过多（自 %(code)s 起）"),
    }
    return messages[kind] % {"code": code[:60]}


def posted_attributes(data) -> dict[str, list[str]]:
    """``attribute[code]`` and ``attribute[code][]`` fields as code → values."""
    found: dict[str, list[str]] = {}
    for name in data:
        match = _ATTRIBUTE.match(name)
        if match:
            found.setdefault(match.group(1).strip(), []).extend(data.getlist(name))
    return found


def _text(data, name: str) -> str:
    return (data.get(name) or "").strip()


def full_name(first: str, last: str) -> str:
    """张 + 三 → 张三 (family name first in Chinese); John + Smith → John Smith."""
    if _CJK.search(first + last):
        return f"{last}{first}"
    return " ".join(p for p in (first, last) if p)


def translate(data, key: ApiKey) -> tuple[Submission, Category]:
    """The submission a POSTed form describes, and the service (category) it names.

    Raises ``Open311Error(400)`` listing every problem at once; an unknown service_code is a
    400 too, as the spec and FixMyStreet expect for a bad POST body.
    """
    errors: list[str] = []
    code = _text(data, "service_code")
    category, specs = None, []
    if not code:
        errors.append(_("缺少 service_code"))
    else:
        found = catalog.posting_service(code)
        if found is None:
            errors.append(_("service_code %(code)s 不存在") % {"code": code[:40]})
        else:
            category, specs = found
    description = _text(data, "description")
    if not description:
        errors.append(_("缺少 description（诉求内容）"))
    lat, lon = _text(data, "lat"), _text(data, "long")
    address, address_id = _text(data, "address_string"), _text(data, "address_id")
    if bool(lat) != bool(lon):
        errors.append(_("lat 与 long 须同时提供"))
    elif not (lat or address or address_id):
        errors.append(_("缺少位置：须提供 lat/long、address_string 或 address_id 之一"))
    email = _text(data, "email")  # checked by the pipeline, as on every channel
    media_url = _text(data, "media_url")
    if media_url:
        try:
            if len(media_url) > MAX_URL:
                raise ValidationError("too long")
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            errors.append(_("media_url 须为 http(s) 地址，且不超过 %(n)d 字符") % {"n": MAX_URL})
    for name in ("address_id", "device_id", "account_id", "first_name", "last_name"):
        if len(_text(data, name)) > MAX_SHORT:
            errors.append(_("%(name)s 过长（最多 %(n)d 字符）") % {"name": name, "n": MAX_SHORT})
    values: dict = {}
    if category is not None:
        values, problems = attrs.check_attributes(specs, posted_attributes(data))
        errors += [_problem_text(c, kind) for c, kind in problems]
    if errors:
        raise Open311Error(400, *errors)

    extras = {k: v for k, v in {
        "attributes": values, "address_id": address_id, "media_url": media_url,
        "device_id": _text(data, "device_id"), "account_id": _text(data, "account_id"),
        "jurisdiction_id": _text(data, "jurisdiction_id"), "api_key": key.prefix,
    }.items() if v}
    submission = Submission(
        channel=key.channel.code, content=description,
        citizen=Citizen(name=full_name(_text(data, "first_name"), _text(data, "last_name")),
                        phone=_text(data, "phone"), email=email),
        location=Location(address=address, lat=lat or None, lon=lon or None),
        category=category.code, appeal_type=conf()["APPEAL_TYPE"], extras={"open311": extras},
    )
    return submission, category


def create_request(data, key: ApiKey) -> IntakeResult:
    """Validate and submit; an identical retry returns the first appeal (``created`` False)."""
    submission, category = translate(data, key)
    try:
        result = submit(submission)
    except AppealValidationError as exc:
        raise Open311Error(400, *[
            f"{FIELD_NAMES.get(field, field)}: {message}" for field, messages in exc.errors.items() for message in messages
        ])
    if result.appeal.category_id == category.pk:
        # the same row with its parents loaded: the service notice reads their deadline profile
        result.appeal.category = category
    return result
