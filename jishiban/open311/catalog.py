"""Services (GeoReport v2 ``services``) are the active leaf categories of the taxonomy.

The POST path looks a service and its attribute rules up in a per-process snapshot
(``posting_service``), rebuilt every ``SNAPSHOT_SECONDS`` and at once in the process where a
category or an attribute is saved; other processes see an edit within that time. The GET
endpoints always read the database.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime

from django.db.models import Max
from django.db.models.signals import post_delete, post_save

from jishiban.taxonomy.models import Category
from jishiban.taxonomy.selectors import leaves

from .attributes import AttributeSpec
from .models import ServiceAttribute

# When no attribute was ever edited, the service list dates from the taxonomy load.
BASE_CHANGESET = datetime.fromisoformat("2026-11-27T00:00:00+08:00")


def changeset() -> datetime:
    latest = ServiceAttribute.objects.aggregate(latest=Max("updated_at"))["latest"]
    return max(latest, BASE_CHANGESET) if latest else BASE_CHANGESET


def _description(category: Category) -> str:
    names = [category.parent.parent.name if category.parent and category.parent.parent else "",
             category.parent.name if category.parent else "", category.name]
    return " / ".join(n for n in names if n)


def service_list() -> list[dict]:
    with_attributes = set(ServiceAttribute.objects.values_list("category_id", flat=True).distinct())
    return [
        {
            "service_code": c.code,
            "service_name": c.name,
            "description": _description(c),
            "metadata": c.pk in with_attributes,
            "type": "realtime",
            "keywords": ", ".join(k.strip() for k in c.keywords.replace("，", ",").split(",") if k.strip()),
            "group": c.parent.name if c.parent else "",
        }
        for c in leaves()
    ]


def service(code: str) -> Category | None:
    """The active leaf category ``code`` (an Open311 service), or ``None``."""
    return leaves().filter(code=code).first()


def definition(category: Category) -> dict:
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": a.variable,
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "datatype_description": a.datatype_description or None,
                "order": a.order,
                "description": a.description,
                "values": [{"key": v["key"], "name": v.get("name", "")} for v in a.values],
            }
            for a in category.open311_attributes.all()
        ],
    }


def _spec(a: ServiceAttribute) -> AttributeSpec:
    return AttributeSpec(code=a.code, datatype=a.datatype, required=a.required, variable=a.variable,
                         keys=tuple(str(v["key"]) for v in a.values))


SNAPSHOT_SECONDS = 60
_snapshot: dict = {"built": float("-inf"), "services": {}}
_lock = threading.Lock()


def clear_snapshot(**_kwargs) -> None:
    _snapshot["built"] = float("-inf")


def posting_service(code: str) -> tuple[Category, list[AttributeSpec]] | None:
    """The active leaf ``code`` (parents loaded) and its attribute rules, or ``None``."""
    if time.monotonic() - _snapshot["built"] > SNAPSHOT_SECONDS:
        with _lock:
            if time.monotonic() - _snapshot["built"] > SNAPSHOT_SECONDS:
                categories = {c.pk: c for c in leaves()}
                rules: dict[int, list[AttributeSpec]] = {pk: [] for pk in categories}
                for a in ServiceAttribute.objects.filter(category_id__in=list(categories)):
                    rules[a.category_id].append(_spec(a))
                _snapshot["services"] = {c.code: (c, rules[pk]) for pk, c in categories.items()}
                _snapshot["built"] = time.monotonic()
    return _snapshot["services"].get(code)


def connect_signals() -> None:
    """Called from ``Open311Config.ready``: an edit rebuilds this process's snapshot."""
    for model in (Category, ServiceAttribute):
        post_save.connect(clear_snapshot, sender=model, dispatch_uid=f"open311-snapshot-save-{model.__name__}")
        post_delete.connect(clear_snapshot, sender=model, dispatch_uid=f"open311-snapshot-delete-{model.__name__}")
