"""Open311 settings: ``settings.OPEN311`` (a dict) overrides these defaults key by key."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULTS = {
    # jurisdiction_id values this endpoint answers for; a request naming another gets 404.
    "JURISDICTIONS": ["jining"],
    # Channels whose appeals the public request list shows. None: the ``open311`` channel and
    # every channel whose replies are public (Channel.public_reply).
    "PUBLIC_CHANNELS": None,
    "CONTACT": "济宁市12345政务服务便民热线 12345",
    "KEY_SERVICE": "向济宁市12345政务服务便民热线管理中心申请接口密钥",
    # The appeal type of requests posted through Open311 (problems to be fixed: 求助).
    "APPEAL_TYPE": "help",
    "PAGE_SIZE": 200,
    "MAX_PAGE_SIZE": 1000,
    # Without start_date/end_date the lists cover this many days back from now (the spec's 90).
    "DEFAULT_DAYS": 90,
    "MAX_IDS": 200,
}


def conf() -> dict:
    overrides = getattr(settings, "OPEN311", None) or {}
    unknown = set(overrides) - set(DEFAULTS)
    if unknown:
        raise ImproperlyConfigured(f"OPEN311 has unknown keys: {sorted(unknown)}")
    return {**DEFAULTS, **overrides}
