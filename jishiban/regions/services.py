"""Loading the region tree from the project's gazetteer fixtures."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from .models import Region, RegionLevel

DATA_DIR = Path(__file__).resolve().parent / "data"


def load_gazetteer(name: str = "jining") -> dict[str, int]:
    """Create or update the city, its management units and towns from ``data/<name>.json``.

    Idempotent: running it twice changes nothing. Returns counts per level.
    """
    data = json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))
    with transaction.atomic():
        city, _ = Region.objects.update_or_create(
            code=data["city"]["code"],
            defaults={"name": data["city"]["name"], "short_name": data["city"]["name"], "level": RegionLevel.CITY},
        )
        counties = {}
        for i, unit in enumerate(data["counties"]):
            counties[unit["code"]], _ = Region.objects.update_or_create(
                code=unit["code"],
                defaults={
                    "name": unit["name"], "short_name": unit["short_name"], "level": RegionLevel.COUNTY,
                    "parent": city, "is_statistical": unit["statistical"], "sort": i,
                },
            )
        for i, town in enumerate(data["towns"]):
            Region.objects.update_or_create(
                code=town["code"],
                defaults={"name": town["name"], "short_name": town["name"], "level": RegionLevel.TOWN,
                          "parent": counties[town["county"]], "sort": i},
            )
    return {"counties": len(counties), "towns": len(data["towns"])}
