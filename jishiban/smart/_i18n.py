"""Translation helpers that also work outside a configured Django process.

The smart packages are pure Python cores that benches and notebooks import without
settings; there ``gettext`` falls back to the (Chinese) source string.
"""

from __future__ import annotations


def gettext(message: str) -> str:
    try:
        from django.conf import settings

        if not settings.configured:
            return message
        from django.utils.translation import gettext as _gettext

        return _gettext(message)
    except Exception:  # noqa: BLE001 - translation must never break a suggestion
        return message


def gettext_noop(message: str) -> str:
    """Mark a string for extraction without translating it now (it is stored as data)."""
    return message
