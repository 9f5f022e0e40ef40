"""Characters XML 1.0 cannot carry, even escaped: C0 controls other than tab, newline and
carriage return, lone surrogates, U+FFFE and U+FFFF. Pure Python.

Intake refuses them (``intake.pipeline``); every XML writer (Open311's XML, XLSX cells, .docx
letters) passes its text through ``xml_safe`` as well, for whatever came in before that rule
or by another path.
"""

from __future__ import annotations

import re

XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"


def find_illegal(value) -> tuple[str, int] | None:
    """The first character XML cannot carry in ``value`` — a text, or the texts (keys too) inside
    lists and dicts — and its position in its text (from 1), else ``None``."""
    if isinstance(value, str):
        hit = XML_ILLEGAL.search(value)
        return (hit.group(), hit.start() + 1) if hit else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = find_illegal(str(key)) or find_illegal(item)
            if found:
                return found
    elif isinstance(value, list | tuple):
        for item in value:
            found = find_illegal(item)
            if found:
                return found
    return None


def xml_safe(text: str) -> str:
    """``text`` with each character XML cannot carry replaced by U+FFFD (�)."""
    return XML_ILLEGAL.sub(REPLACEMENT, text) if XML_ILLEGAL.search(text) else text
