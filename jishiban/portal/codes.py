"""Query codes (查询码): short, readable, derived from the submission's idempotency key.

Pure apart from the secret: the same key always gives the same code, so a retried submit shows
the citizen the code of the appeal that was stored the first time. Only a keyed digest of the
code is stored; the code itself is shown once and sent by SMS.
"""

from __future__ import annotations

import hashlib
import hmac
import re

# No 0/O, 1/I/L: read out over the phone and typed on a phone keyboard without mistakes.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 10
KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _mac(secret: str, purpose: str, value: str) -> bytes:
    return hmac.new(secret.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).digest()


def code_for(secret: str, key: str) -> str:
    """The query code of the submission with idempotency ``key``: ``XXXXX-XXXXX``."""
    number = int.from_bytes(_mac(secret, "portal-code", key), "big")
    chars = []
    for _i in range(LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(chars[:5]) + "-" + "".join(chars[5:])


def normalise(code: str) -> str:
    """What the citizen typed → the canonical form (case, blanks and dashes forgiven), or ``""``."""
    value = re.sub(r"[\s\-—_]", "", (code or "").upper())
    if len(value) != LENGTH or any(c not in ALPHABET for c in value):
        return ""
    return value[:5] + "-" + value[5:]


def digest(secret: str, code: str) -> str:
    return _mac(secret, "portal-code-digest", code).hex()
