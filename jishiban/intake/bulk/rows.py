"""One import row → a validated, insert-ready tuple, by the pipeline's rules.

``RowPreparer.prepare`` turns a raw row into a ``Submission``, checks it by the pipeline's own
rule (``pipeline.intake_problems``), normalises it with ``pipeline.to_new_appeal`` and validates
it with ``appeals.creation.validate`` — the same rules as every other channel. Category, type,
county and town are resolved by code, name or variant from snapshots of the live resolvers taken
when the preparer is made (``creation.References.snapshot``): no query per row, whether the row
is accepted or rejected, so a forked worker never touches the database; a value the snapshot
does not know is named in the row's rejection.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from jishiban.appeals.creation import LIVE, validate
from jishiban.appeals.errors import AppealValidationError
from jishiban.channels.models import Channel
from jishiban.intake.pipeline import Citizen, Location, Submission, intake_problems, to_new_appeal

from .mappings import Mapping, MappingError

# Per-row columns of the appeal, in the order of ``Valid.fields`` after the number (FKs by attname).
ROW_FIELDS = ("number", "external_id", "received_at", "title", "content", "citizen_name", "citizen_phone",
              "citizen_id_number", "anonymous", "address", "category_id", "appeal_type", "county_id", "town_id",
              "grid_id", "lat", "lon", "tags", "extras", "content_key", "confidential", "urgent")


@dataclass
class Rejection:
    row: int
    external_id: str
    reason: str


@dataclass
class Valid:
    row: int
    external_id: str
    received_at: datetime
    fields: tuple  # ROW_FIELDS without the number, as the database takes them (``RowPreparer.convert``)


def derived_id(row: dict) -> str:
    """A stable id for a row without one: the same content gives the same id on every run."""
    canonical = json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)
    return "row-" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:40]


def _pk(obj):
    return obj.pk if obj is not None else None


class RowPreparer:
    """``convert`` turns the validated values (``ROW_FIELDS[1:]``) into what the database takes
    (the writer's ``RowWriter.converter``), so that work is done where the rows are prepared."""

    def __init__(self, channel: Channel, mapping: Mapping, now: datetime,
                 convert: Callable[[tuple], tuple] | None = None):
        self.channel, self.mapping, self.now = channel, mapping, now
        self.convert = convert or (lambda values: values)
        self.refs = LIVE.snapshot()

    def prepare(self, number: int, raw: dict) -> Valid | Rejection:
        if "__error__" in raw:
            return Rejection(number, "", raw["__error__"])
        try:
            row = self.mapping.convert(raw)
        except MappingError as exc:
            return Rejection(number, "", f"{exc.field}: {exc.message}")
        external_id = row.get("external_id") or derived_id(row)
        submission = Submission(
            channel=self.channel.code, content=row.get("content") or "", title=row.get("title") or "",
            external_id=external_id, received_at=row.get("received_at"),
            citizen=Citizen(name=row.get("citizen_name") or "", phone=row.get("citizen_phone") or ""),
            location=Location(address=row.get("address") or "", lat=row.get("lat"), lon=row.get("lon"),
                              county=row.get("county") or None, town=row.get("town") or None),
            category=row.get("category") or None, appeal_type=row.get("appeal_type") or "consult",
            extras=row.get("extras") or {},
        )
        problems = intake_problems(submission)
        if problems:
            return Rejection(number, external_id, AppealValidationError(problems).message)
        new = to_new_appeal(submission)
        new.channel = self.channel
        try:
            v = validate(new, now=self.now, refs=self.refs)
        except AppealValidationError as exc:
            return Rejection(number, external_id, exc.message)  # "field: messages; …"
        return Valid(number, v["external_id"], v["received_at"], self.convert((
            v["external_id"], v["received_at"], v["title"], v["content"], v["citizen_name"], v["citizen_phone"],
            v["citizen_id_number"], v["anonymous"], v["address"], _pk(v["category"]), v["appeal_type"],
            _pk(v["county"]), _pk(v["town"]), _pk(v["grid"]), v["lat"], v["lon"], v["tags"], v["extras"],
            v["content_key"], v["confidential"], v["urgent"])))
