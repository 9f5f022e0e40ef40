"""Masking personal data in text shown to the public (descriptions, replies, addresses).

Uses the smart privacy module's ``mask_text`` when it is installed, then a minimal pass of our
own that catches what is left: mobile and landline numbers and long digit runs (ID and bank
card numbers that fail a checksum are still personal). The citizen's own name is masked too.
"""

from __future__ import annotations

import re

try:
    from jishiban.smart.privacy import mask_text as _smart_mask
except ImportError:  # the smart module is optional
    _smart_mask = None

_MOBILE = re.compile(r"(?<![\d*])(?:\+?86[ -]?)?(1[3-9]\d)[ -]?\d{4}[ -]?(\d{4})(?![\d*])")
_LANDLINE = re.compile(r"(?<![\d*])(0\d{2,3})[ -]?\d{3,4}(\d{4})(?![\d*])")
_LONG_DIGITS = re.compile(r"(?<![\d*])(\d{4})\d{6,}(\d{3}[\dXx])(?![\d*Xx])")


def mask_digits(text: str) -> str:
    text = _LONG_DIGITS.sub(lambda m: m.group(1) + "*" * (len(m.group(0)) - 8) + m.group(2), text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(2)}", text)


def mask_public(text: str | None, *, names: tuple[str, ...] = ()) -> str:
    """``text`` with phones, ID numbers and the given personal names masked."""
    if not text:
        return ""
    if _smart_mask is not None:
        text = _smart_mask(text)
    text = mask_digits(text)
    for name in names:
        name = (name or "").strip()
        if len(name) >= 2:
            text = text.replace(name, name[0] + "*" * (len(name) - 1))
    return text
