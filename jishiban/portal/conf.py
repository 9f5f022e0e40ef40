"""The portal's settings: ``settings.JISHIBAN["PORTAL"]`` overrides each default."""

from __future__ import annotations

from django.conf import settings

CHANNEL = "jishiban-app"

DEFAULTS = {
    # Photos a citizen may hand in with a submission or an addition.
    "PHOTO_TYPES": ("image/jpeg", "image/png", "image/webp", "image/gif"),
    "PHOTO_MAX_BYTES": 8 * 1024 * 1024,
    "PHOTO_MAX_COUNT": 6,
    # Appeal types a citizen may hand in without name and phone (求助 needs someone to help).
    "ANONYMOUS_TYPES": ("report", "suggestion", "consult", "complaint"),
    # Days after the reply within which the citizen may rate it; ``None`` takes supervision's
    # callback link validity (Preferences.callback_link_days), so the two never disagree.
    "RATING_DAYS": None,
    # Rate limits, rule → (most requests, window in seconds); see limits.DEFAULTS for the rules.
    "LIMITS": {},
    # Show one-time codes on screen as well; ``None``: only in the demo (JISHIBAN_DEMO=1), which
    # has no SMS gateway.
    "SHOW_CODES": None,
    # A repeat submission (same phone, same matter by smart help's duplicate index, the earlier
    # one still open) is merged into the earlier appeal at once instead of making a second one.
    "MERGE_DUPLICATES": True,
    # The submit form's challenge (``challenge.py``): "pow" (a proof of work solved by the page's
    # script, a sum to answer without scripts), "question" (the sum only) or "off"; the work's
    # difficulty in leading zero bits of SHA-256, and how long one form's challenge stays good.
    "CHALLENGE": "pow",
    "POW_BITS": 14,
    "CHALLENGE_MINUTES": 120,
    # Days back within which appeals handed in on the portal with a phone number, before that
    # number signed in, are offered to its account to confirm (phone numbers are reassigned;
    # see claims.py).
    "CLAIM_DAYS": 30,
    # How long the privacy notice says submissions are kept.
    "RETENTION_YEARS": 5,
}


def get(name: str):
    value = getattr(settings, "JISHIBAN", {}).get("PORTAL", {}).get(name, DEFAULTS[name])
    if name == "SHOW_CODES" and value is None:
        return bool(getattr(settings, "DEMO", False))
    return value
