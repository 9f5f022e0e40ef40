"""The appeal type named by its value, its Chinese or English label, or a common variant:
``complaint``, ``投诉``, ``投诉类``, ``Complaint`` are one type."""

from __future__ import annotations

from django.utils import translation

from jishiban.core.lookups import normal

from .models import AppealType

VARIANTS = {AppealType.SUGGESTION: ("意见", "意见建议", "建议意见"), AppealType.PRAISE: ("感谢", "表扬感谢"),
            AppealType.HELP: ("求援",), AppealType.REPORT: ("检举",)}


def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    for choice in AppealType:
        spellings = {choice.value, str(choice.label), *VARIANTS.get(choice, ())}
        with translation.override("en"):
            spellings.add(str(choice.label))
        for spelling in set(spellings):
            spellings.add(spelling + "类")
        table.update({normal(s): choice.value for s in spellings})
    return table


_TABLE: dict[str, str] | None = None


def appeal_type(value) -> str | None:
    """The stored value of the type ``value`` names, or None."""
    global _TABLE
    if _TABLE is None:
        _TABLE = _table()
    if value in AppealType.values:
        return value
    return _TABLE.get(normal(value))
