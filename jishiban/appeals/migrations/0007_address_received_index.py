"""An index on (address, received_at) for the repeat rule's address branch.

Without it, counting a row's earlier appeals by phone *or* address could use no index for the
``OR`` and walked every appeal of the category's siblings in the window: minutes for one day's
appeals at 2,000,000 stored. On PostgreSQL the index is built ``CONCURRENTLY`` so that intake
keeps writing while a large table is indexed (hence a non-atomic migration); elsewhere plainly.
"""

from django.db import migrations, models

NAME = "appeal_address_received"
COLUMNS = '"address", "received_at"'


def create(apps, schema_editor):
    table = apps.get_model("appeals", "Appeal")._meta.db_table
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f'CREATE INDEX {concurrently}IF NOT EXISTS "{NAME}" ON "{table}" ({COLUMNS})')


def drop(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f'DROP INDEX {concurrently}IF EXISTS "{NAME}"')


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("appeals", "0006_returns12_fill_returning_unit")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(
                model_name="appeal", index=models.Index(fields=["address", "received_at"], name=NAME))],
            database_operations=[migrations.RunPython(create, drop)],
        ),
    ]
