"""Fast multi-row INSERT for the import batch path.

``bulk_create`` prepares every field of every object through the ORM and, on SQLite, splits
a 50-column row into statements of at most 999 parameters (19 rows); at a million rows that
overhead dominates. ``RowWriter`` prepares values with the same Django conversions
(``get_db_prep_save``) but only for the columns that need one, and sends them with one
``executemany`` (SQLite) or ``COPY`` (PostgreSQL). It bypasses model ``save()`` and signals,
which is why only ``loader.py`` uses it, inside a transaction, after validation.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import partial

from django.db import connection, models

_CONVERTED = (models.DateTimeField, models.DateField, models.DecimalField, models.JSONField, models.TimeField)


class RowWriter:
    """Insert plain tuples into ``model``'s table.

    ``field_names`` are the per-row columns (FKs by ``*_id``), in tuple order; ``constants``
    are columns with one value for every row (prepared once and appended). Values of the
    ``converted`` columns arrive ready for the database — converted where the rows are prepared,
    with ``converter(names)`` — and are passed through.
    """

    def __init__(self, model: type[models.Model], field_names: list[str], constants: dict | None = None,
                 converted: Iterable[str] = ()):
        opts = model._meta
        constants = constants or {}
        self.use_copy = connection.vendor == "postgresql"
        self.fields = [opts.get_field(name) for name in field_names]
        constant_fields = [opts.get_field(name) for name in constants]
        self.constants = tuple(
            value if value is None or (conv := self._converter(f)) is None else conv(value)
            for f, value in zip(constant_fields, constants.values(), strict=True)
        )
        self.columns = [f.column for f in self.fields + constant_fields]
        self.table = opts.db_table
        # Table and column names come from the model's metadata, quoted; values are parameters.
        quote = connection.ops.quote_name
        names = ", ".join(quote(c) for c in self.columns)
        marks = ", ".join(["%s"] * len(self.columns))
        self.copy_sql = f"COPY {quote(self.table)} ({names}) FROM STDIN"
        self.insert_sql = f"INSERT INTO {quote(self.table)} ({names}) VALUES ({marks})"  # noqa: S608
        converted = set(converted)
        self._plan = [(i, c) for i, f in enumerate(self.fields)
                      if f.attname not in converted and (c := self._converter(f)) is not None]
        self._opts = opts

    def converter(self, names: Iterable[str]) -> Callable[[tuple], tuple]:
        """A function giving a tuple of values of the columns ``names`` as this writer would
        send them (the same conversions as ``prepare``); rows can then be written with those
        columns declared ``converted``. Plain data in and out, so it runs in any process."""
        plan = [(i, c) for i, name in enumerate(names) if (c := self._converter(self._opts.get_field(name))) is not None]
        return partial(_apply, plan)

    def _converter(self, field):
        if isinstance(field, models.JSONField):
            return json_text  # the text Django would store (jsonb input on PostgreSQL)
        if self.use_copy:
            return None  # psycopg adapts datetimes, dates and decimals itself in COPY
        if connection.vendor == "sqlite" and type(field) is models.DateTimeField:
            return _sqlite_datetime
        if isinstance(field, _CONVERTED) and not isinstance(field, models.DecimalField):
            return _prep(field)
        return None  # Django registers the sqlite3 adapter for Decimal

    def prepare(self, row: tuple) -> tuple:
        return _apply(self._plan, row) + self.constants

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            if self.use_copy:
                with cursor.copy(self.copy_sql) as copy:
                    for row in rows:
                        copy.write_row(self.prepare(row))
            else:
                cursor.executemany(self.insert_sql, [self.prepare(row) for row in rows])


def _apply(plan: list, values: tuple) -> tuple:
    """``values`` with the conversions of ``plan`` ((position, function) pairs) applied."""
    if not plan:
        return values
    values = list(values)
    for i, conv in plan:
        if values[i] is not None:
            values[i] = conv(values[i])
    return tuple(values)


def _prep(field):
    def convert(value):
        return field.get_db_prep_save(value, connection)

    return convert


def json_text(value) -> str:
    if not value and isinstance(value, list | dict):
        return "[]" if isinstance(value, list) else "{}"
    return json.dumps(value, ensure_ascii=False)


def _sqlite_datetime(value: datetime) -> str:
    """What ``DatabaseOperations.adapt_datetimefield_value`` gives on SQLite with USE_TZ,
    without its per-call settings and time-zone lookups: naive UTC, ``str()`` format."""
    if value.tzinfo is None:
        raise ValueError("naive datetime in a bulk insert")
    return str(value.astimezone(UTC).replace(tzinfo=None))
