"""Loading a category tree from the project's taxonomy fixtures."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from .models import Category

DATA_DIR = Path(__file__).resolve().parent / "data"


def load_taxonomy(name: str = "default") -> int:
    """Create or update the categories in ``data/<name>.json`` (parents before children).

    Idempotent; returns the number of categories in the file.
    """
    nodes = json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))["categories"]
    by_code: dict[str, Category] = {}
    with transaction.atomic():
        for sort, node in enumerate(sorted(nodes, key=lambda n: n["level"])):
            by_code[node["code"]], _ = Category.objects.update_or_create(
                code=node["code"],
                defaults={
                    "name": node["name"], "level": node["level"], "parent": by_code.get(node["parent"]),
                    "domain": node.get("domain", ""), "reply_deadline": node.get("reply_deadline", ""),
                    "urgent": node.get("urgent", False), "sort": sort,
                },
            )
    return len(nodes)
