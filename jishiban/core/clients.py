"""The address a request came from, when proxies stand in front (``JISHIBAN_PROXY_HOPS``)."""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """``REMOTE_ADDR``, or with ``JISHIBAN_PROXY_HOPS = n`` the n-th address from the right of
    ``X-Forwarded-For`` (each trusted proxy appends the address it saw; entries further left
    come from the client and are not trusted). ``None`` when that is not an IP address."""
    hops = getattr(settings, "JISHIBAN_PROXY_HOPS", 0)
    candidate = request.META.get("REMOTE_ADDR", "")
    if hops:
        chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(chain) >= hops:
            candidate = chain[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None
