"""One notion of grid: every level-5 region gets its ``Grid`` row.

Grids written before the grid app (level-5 regions drawn straight into the region tree, such as
the demo's first square grids) had no ``Grid``: no boundary history, no workers, invisible to the
grid pages while the point lookup and appeals used them. Each gets its ``Grid`` now — community,
town and county from the tree, its polygon as boundary version 1 — and a grid straight under a
town is moved under a community of that town (``<town code>000``, 未分社区), since a grid belongs
to a community. A grid-role user whose region is such a grid becomes its responsible worker when
the grid has none. Nothing is deleted; codes stay, so appeals and users keep pointing at the same
rows.
"""

from django.db import migrations
from django.utils import timezone

GRID, COMMUNITY, TOWN = 5, 4, 3


def forwards(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    Grid = apps.get_model("grid", "Grid")
    Boundary = apps.get_model("grid", "Boundary")
    Assignment = apps.get_model("grid", "Assignment")
    User = apps.get_model("accounts", "User")
    now = timezone.now()
    for region in Region.objects.filter(level=GRID, grid_profile__isnull=True).select_related("parent__parent__parent"):
        parent = region.parent
        if parent is None or parent.level not in (COMMUNITY, TOWN):
            continue  # not a grid of any town: nothing to attach it to
        if parent.level == TOWN:
            community, _ = Region.objects.get_or_create(
                code=f"{parent.code}000", defaults={"name": f"{parent.name}未分社区", "level": COMMUNITY,
                                                    "parent": parent, "sort": 999})
            region.parent = community
            region.save(update_fields=["parent"])
            town = parent
        else:
            community, town = parent, parent.parent
        if town is None or town.parent_id is None:
            continue
        grid = Grid.objects.create(region=region, community=community, town=town, county_id=town.parent_id,
                                   boundary_version=1 if region.geometry else 0)
        if region.geometry:
            Boundary.objects.create(grid=grid, version=1, geometry=region.geometry, valid_from=now,
                                    source="migration")
        worker = User.objects.filter(role="grid_worker", region=region, is_active=True).order_by("pk").first()
        if worker is not None and not Assignment.objects.filter(worker=worker, ended_at=None, duty="responsible").exists():
            Assignment.objects.create(grid=grid, worker=worker, duty="responsible", started_at=now,
                                      note="迁移：按网格员所属区划")


class Migration(migrations.Migration):
    dependencies = [
        ("grid", "0001_initial"),
        ("regions", "0001_initial"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
