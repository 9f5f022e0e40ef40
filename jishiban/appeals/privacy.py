"""Who may see a citizen's identity, masked display, and logged reveals.

Lists, details, exports and the API show phone and ID numbers masked. A user allowed to see
them in full asks for it explicitly (``reveal``), and each reveal is logged. Confidential
appeals (举报, or on request) hide the identity from everyone but the centre's supervisors and
the lead handling unit.
"""

from __future__ import annotations

import re

from django.db.models import Q
from django.utils.translation import gettext as _

from jishiban.accounts.policy import identity_filter, sees_identity
from jishiban.smart.privacy import mask_text

from .models import PersonalDataAccess


def mask_phone(phone: str) -> str:
    digits = phone or ""
    if len(digits) >= 7:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * len(digits)


def mask_id_number(value: str) -> str:
    if len(value or "") >= 8:
        return value[:4] + "*" * (len(value) - 8) + value[-4:]
    return "*" * len(value or "")


def mask_name(name: str) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


# What the checksummed finder (``smart.privacy``) leaves: numbers that fail a checksum are still
# personal, and phones may be written with dots or spaces (139.1234.5678, +86 139 1234 5678).
_MOBILE = re.compile(r"(?<![\d*])(?:\+?86[ .-]?)?(1[3-9]\d)[ .-]?\d{4}[ .-]?(\d{4})(?![\d*])")
_LANDLINE = re.compile(r"(?<![\d*])(0\d{2,3})[ .-]?\d{3,4}(\d{4})(?![\d*])")
_LONG_DIGITS = re.compile(r"(?<![\d*])(\d{4})\d{6,}(\d{3}[\dXx])(?![\d*Xx])")


def _mask_leftover_numbers(text: str) -> str:
    text = _LONG_DIGITS.sub(lambda m: m.group(1) + "*" * (len(m.group(0)) - 8) + m.group(2), text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(2)}", text)


def mask_public(text: str | None, appeal=None) -> str:
    """``text`` fit for a reader who may not see identities: phone (mobile and landline, with
    any separators), ID, bank-card and plate numbers masked, and the citizen's name of
    ``appeal`` when one is given. The one masking of free text for the public, exports,
    pushed results and replies."""
    if not text:
        return ""
    text = _mask_leftover_numbers(mask_text(text))
    name = (getattr(appeal, "citizen_name", "") or "").strip()
    if len(name) >= 2:
        text = text.replace(name, mask_name(name))
    return text


def may_see_identity(user, appeal) -> bool:
    """Whether ``user`` may see who the citizen is (name in full, and reveal phone/ID); the
    role policy decides (``accounts.policy.sees_identity``)."""
    return sees_identity(user, appeal)


def identity_shown_to(user) -> Q:
    """``may_see_identity`` as a filter (``accounts.policy.identity_filter``). Used only through
    ``Appeal.objects.by_identity``, the one way to reach appeals through a citizen identity."""
    return identity_filter(user)


def masked_citizen(appeal) -> dict[str, str]:
    """What is shown of the citizen to whoever may not see who they are (also: exports made
    for nobody in particular): anonymous → 匿名, confidential → （保密） without a phone, else
    masked name and phone."""
    if appeal.anonymous:
        return {"name": _("匿名"), "phone": "", "id_number": "", "hidden": True}
    return {"name": _("（保密）") if appeal.confidential else mask_name(appeal.citizen_name),
            "phone": mask_phone(appeal.citizen_phone) if not appeal.confidential else "",
            "id_number": "", "hidden": True}


def citizen_display(user, appeal) -> dict[str, str]:
    """What a page or an export shows of the citizen for ``user`` (never the full numbers)."""
    if appeal.anonymous or not may_see_identity(user, appeal):
        return masked_citizen(appeal)
    return {"name": appeal.citizen_name, "phone": mask_phone(appeal.citizen_phone),
            "id_number": mask_id_number(appeal.citizen_id_number), "hidden": False}


def reveal(user, appeal, field: str) -> str:
    """The full phone or ID number for a permitted user; the reveal is logged.

    Raises ``PermissionError`` when the user may not see it.
    """
    if field not in ("citizen_phone", "citizen_id_number"):
        raise ValueError(field)
    if appeal.anonymous or not may_see_identity(user, appeal):
        raise PermissionError(_("您无权查看该诉求人的个人信息"))
    PersonalDataAccess.objects.create(user=user, appeal=appeal, field=field)
    return getattr(appeal, field)
