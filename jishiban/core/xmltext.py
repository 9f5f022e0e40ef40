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


def xml_safe(text: str) -> str:
    """``text`` with each character XML cannot carry replaced by U+FFFD (�)."""
    return XML_ILLEGAL.sub(REPLACEMENT, text) if XML_ILLEGAL.search(text) else text
