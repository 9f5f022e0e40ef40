"""Who may see a citizen's identity, masked display, and logged reveals.

Lists, details, exports and the API show phone and ID numbers masked. A user allowed to see
them in full asks for it explicitly (``reveal``), and each reveal is logged. Confidential
appeals (举报, or on request) hide the identity from everyone but the centre's supervisors and
the lead handling unit.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from jishiban.accounts.policy import sees_identity

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


def may_see_identity(user, appeal) -> bool:
    """Whether ``user`` may see who the citizen is (name in full, and reveal phone/ID); the
    role policy decides (``accounts.policy.sees_identity``)."""
    return sees_identity(user, appeal)


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
