"""Index operations for the appeals table, which can hold millions of rows: on PostgreSQL the
index is built and dropped ``CONCURRENTLY``, so that intake keeps writing meanwhile (a migration
using these is non-atomic); elsewhere plainly. In the migration state they are ``AddIndex`` and
``RemoveIndex``."""

from django.db import migrations


def _concurrently(schema_editor) -> str:
    return "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""


def _create(apps, schema_editor, model: str, name: str, columns: str, where: str) -> None:
    table = apps.get_model("appeals", model)._meta.db_table
    condition = f" WHERE {where}" if where else ""
    schema_editor.execute(
        f'CREATE INDEX {_concurrently(schema_editor)}IF NOT EXISTS "{name}" ON "{table}" ({columns}){condition}')


def _drop(schema_editor, name: str) -> None:
    schema_editor.execute(f'DROP INDEX {_concurrently(schema_editor)}IF EXISTS "{name}"')


def add_index(model: str, index, columns: str, *, where: str = ""):
    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AddIndex(model_name=model.lower(), index=index)],
        database_operations=[migrations.RunPython(
            lambda apps, se: _create(apps, se, model, index.name, columns, where),
            lambda apps, se: _drop(se, index.name))],
    )


def remove_index(model: str, index, columns: str, *, where: str = ""):
    """``index`` as it was, so that reversing the migration builds it again."""
    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.RemoveIndex(model_name=model.lower(), name=index.name)],
        database_operations=[migrations.RunPython(
            lambda apps, se: _drop(se, index.name),
            lambda apps, se: _create(apps, se, model, index.name, columns, where))],
    )
