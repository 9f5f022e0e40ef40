"""Loading a deployment's organisations from the project's fixtures."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from jishiban.regions.models import Region

from .models import Organisation

DATA_DIR = Path(__file__).resolve().parent / "data"


def load_organisations(name: str = "jining") -> int:
    """Create or update the organisations in ``data/<name>.json``; idempotent.

    Regions must be loaded first (``regions.services.load_gazetteer``).
    """
    rows = json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))["organisations"]
    regions = {r.code: r for r in Region.objects.filter(code__in={row["region"] for row in rows})}
    missing = {row["region"] for row in rows} - regions.keys()
    if missing:
        raise ValueError(f"organisations/{name}.json names regions that are not loaded: {sorted(missing)[:5]}")
    by_code: dict[str, Organisation] = {}
    with transaction.atomic():
        for row in rows:  # parents come before children in the file
            by_code[row["code"]], _ = Organisation.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name": row["name"], "short_name": row["short_name"], "kind": row["kind"],
                    "level": row["level"], "region": regions[row["region"]], "domain": row["domain"],
                    "parent": by_code.get(row["parent"]) if row["parent"] else None,
                },
            )
    return len(rows)
