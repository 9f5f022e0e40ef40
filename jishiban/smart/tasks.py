"""Background jobs of smart help (django-q2), referenced by dotted path; keep the names stable."""

from __future__ import annotations

from . import conf


def embed_pending() -> dict[str, int]:
    """Embeddings for new appeals and the refinement of their duplicates (queued after intake,
    and every 10 minutes as a catch-up). Does nothing when the semantic signal is off."""
    if not conf.semantic_enabled():
        return {"embedded": 0, "refined": 0}
    from .services import embed_pending as run

    return run()


def retrain_if_needed() -> str:
    """The weekly schedule: retrain the classifier when enough new labelled appeals arrived."""
    from .training import retrain_if_needed as run

    return run(trigger="schedule")

