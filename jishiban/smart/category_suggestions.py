"""Category suggestions from the active classifier, for the workbench's live intake form
(``suggest_categories``) and for the stored suggestions (``classify``).

A label of the model is a category code (models trained on the appeal history) or, for models
trained on CSV exports, a category name; both are mapped to the taxonomy here. Labels that map
to no category are kept with ``code=None`` so the reason is still visible.
"""

from __future__ import annotations

import logging

from django.db.models import Q
from django.utils.translation import gettext as _

from . import conf
from .classify.model import Doc, ModelLoadError
from .classify_db import NoActiveModel, active_model

log = logging.getLogger("jishiban.smart")


class Unavailable(Exception):
    """No suggestion can be made; ``str(exc)`` says why (Chinese)."""


def _categories_for(labels: list[str]) -> dict[str, object]:
    from jishiban.taxonomy.models import Category

    found = list(Category.objects.filter(Q(code__in=labels) | Q(name__in=labels)).select_related("parent__parent"))
    by_code = {c.code: c for c in found}
    by_name: dict[str, object] = {}
    for c in sorted(found, key=lambda c: c.level, reverse=True):
        by_name[c.name] = c  # a name used on several levels: the highest level wins
    return {label: by_code.get(label) or by_name.get(label) for label in labels}


def no_model_reason() -> str:
    from jishiban.appeals.models import Appeal

    if not Appeal.objects.filter(category__isnull=False).exists():
        return _("尚未训练分类模型：历史数据为空（还没有带分类的诉求件）")
    return _("尚未训练分类模型：每周的重新训练任务会自动训练，系统管理员也可立即训练")


def classify(doc: Doc, *, k: int = 3, explain_terms: int = 5) -> dict:
    """``{"items": [...], "needs_choice": bool, "model_version": int}``; each item has
    ``label``, ``code``, ``name``, ``path``, ``confidence``, ``because`` (the words that drove
    it, with weights) and ``explanation``. Raises ``Unavailable`` with the reason."""
    try:
        model, row = active_model()
    except NoActiveModel:
        raise Unavailable(no_model_reason())
    except ModelLoadError as exc:
        raise Unavailable(str(exc))
    top = model.predict_top([doc], k=k)[0]
    categories = _categories_for([label for label, _p in top])
    items = []
    for label, prob in top:
        because = [{"term": term, "weight": weight} for term, weight in model.explain(doc, label, n=explain_terms)]
        category = categories.get(label)
        items.append({
            "label": label,
            "code": getattr(category, "code", None),
            "name": getattr(category, "name", label),
            "path": " / ".join(category.path_names) if category is not None else label,
            "confidence": round(float(prob), 4),
            "because": because,
            "explanation": (_("依据：%s") % "、".join(b["term"] for b in because)) if because else _("没有明显的关键词"),
        })
    threshold = float(conf.get("CONFIDENCE_CHOICE"))
    needs_choice = not items or items[0]["confidence"] < threshold or items[0]["code"] is None
    return {"items": items, "needs_choice": needs_choice, "model_version": row.number, "model_version_id": row.pk,
            "threshold": threshold}


def suggest_categories(text: str, limit: int = 3) -> list[dict]:
    """Top ``limit`` categories for a text being typed, as the workbench expects: dicts with
    ``code``, ``name``, ``path``, ``score``, ``explanation``, ``needs_choice``. Empty when no
    model is active (``category_status()`` says why)."""
    text = (text or "").strip()
    if not text:
        return []
    try:
        result = classify(text, k=max(1, int(limit)))
    except Unavailable:
        return []
    return [{"code": i["code"], "name": i["name"], "path": i["path"], "score": i["confidence"],
             "explanation": i["explanation"], "because": [b["term"] for b in i["because"]],
             "needs_choice": result["needs_choice"]} for i in result["items"] if i["code"]]


def category_status() -> str:
    """Why ``suggest_categories`` gives nothing ('' when a model is ready)."""
    try:
        active_model()
    except NoActiveModel:
        return no_model_reason()
    except ModelLoadError as exc:
        return str(exc)
    return ""
