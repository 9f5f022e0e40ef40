"""Sets 县级可派 on the city units the project's organisations file marks (``data/jining.json``,
the one source; loading the reference data again sets the same), so an existing database gets
them without a reload. Reversible: the flags go back to off, as 0002 left them."""

import json
from pathlib import Path

from django.db import migrations

SOURCE = Path(__file__).resolve().parents[1] / "data" / "jining.json"


def flagged_codes() -> list[str]:
    rows = json.loads(SOURCE.read_text(encoding="utf-8"))["organisations"]
    return [row["code"] for row in rows if row.get("county_dispatch")]


def set_flags(apps, schema_editor):
    Organisation = apps.get_model("organisations", "Organisation")
    Organisation.objects.filter(code__in=flagged_codes()).update(county_dispatch=True)


def clear_flags(apps, schema_editor):
    Organisation = apps.get_model("organisations", "Organisation")
    Organisation.objects.filter(code__in=flagged_codes()).update(county_dispatch=False)


class Migration(migrations.Migration):

    dependencies = [
        ("organisations", "0002_desk16b_county_dispatch"),
    ]

    operations = [
        migrations.RunPython(set_flags, clear_flags),
    ]
