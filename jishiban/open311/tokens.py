"""Tokens for ``tokens/{token}``: a signed appeal number, so nothing is stored.

We create appeals synchronously and return the number at once; the token is returned too, for
clients that prefer to poll ``tokens/{token}``. A forged or altered token resolves to nothing.
"""

from __future__ import annotations

from django.core.signing import BadSignature, Signer

_SALT = "jishiban.open311.token"


def token_for(number: str) -> str:
    return Signer(salt=_SALT).sign(number)


def number_for(token: str) -> str | None:
    try:
        return Signer(salt=_SALT).unsign(token)
    except BadSignature:
        return None
