"""Index operations for the appeals table, which can hold millions of rows: on PostgreSQL the
index is built and dropped ``CONCURRENTLY``, so that intake keeps writing meanwhile (a migration
using these is non-atomic); elsewhere plainly. Django's ``AddIndexConcurrently`` does the same on
PostgreSQL only; these run on every backend the project supports, through the schema editor's own
``add_index`` / ``remove_index``. In the migration state they are ``AddIndex`` and ``RemoveIndex``."""

from django.db import migrations


def _options(schema_editor) -> dict:
    return {"concurrently": True} if schema_editor.connection.vendor == "postgresql" else {}


def _add(index, model: str):
    return lambda apps, se: se.add_index(apps.get_model("appeals", model), index, **_options(se))


def _remove(index, model: str):
    return lambda apps, se: se.remove_index(apps.get_model("appeals", model), index, **_options(se))


def add_index(model: str, index):
    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AddIndex(model_name=model.lower(), index=index)],
        database_operations=[migrations.RunPython(_add(index, model), _remove(index, model))],
    )


def remove_index(model: str, index):
    """``index`` as it was, so that reversing the migration builds it again."""
    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.RemoveIndex(model_name=model.lower(), name=index.name)],
        database_operations=[migrations.RunPython(_remove(index, model), _add(index, model))],
    )
