"""One import row → a validated, insert-ready tuple, by the pipeline's rules.

``RowPreparer.prepare`` turns a raw row into a ``Submission``, checks it by the pipeline's own
rule (``pipeline.intake_problems``), normalises it with ``pipeline.to_new_appeal`` and validates
it with ``appeals.creation.validate`` — the same rules as every other channel — with channel, categories and counties resolved from in-memory maps.
With ``allow_db=False`` (worker processes) a row naming a code that is not in the maps is
handed back (``Deferred``) for the parent to validate, so a worker never touches the database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from jishiban.appeals.creation import validate
from jishiban.appeals.errors import AppealValidationError
from jishiban.channels.models import Channel
from jishiban.intake.pipeline import Citizen, Location, Submission, intake_problems, to_new_appeal
from jishiban.regions.models import Region, RegionLevel
from jishiban.taxonomy.models import Category

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


@dataclass
class Deferred:
    row: int
    raw: dict


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
        self.categories = {c.code: c for c in Category.objects.filter(is_active=True).select_related("parent__parent")}
        self.counties = {r.code: r for r in Region.objects.filter(level=RegionLevel.COUNTY)}

    def prepare(self, number: int, raw: dict, *, allow_db: bool = True) -> Valid | Rejection | Deferred:
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
                              county=row.get("county") or None),
            category=row.get("category") or None, appeal_type=row.get("appeal_type") or "consult",
            extras=row.get("extras") or {},
        )
        problems = intake_problems(submission)
        if problems:
            return Rejection(number, external_id, AppealValidationError(problems).message)
        new = to_new_appeal(submission)
        new.channel = self.channel
        # Known codes become objects (no query); unknown ones stay text for validate() to report.
        if new.category:
            new.category = self.categories.get(new.category, new.category)
        if new.county:
            new.county = self.counties.get(new.county, new.county)
        if not allow_db and (isinstance(new.category, str) or isinstance(new.county, str)):
            return Deferred(number, raw)
        try:
            v = validate(new, now=self.now)
        except AppealValidationError as exc:
            return Rejection(number, external_id, exc.message)  # "field: messages; …"
        return Valid(number, v["external_id"], v["received_at"], self.convert((
            v["external_id"], v["received_at"], v["title"], v["content"], v["citizen_name"], v["citizen_phone"],
            v["citizen_id_number"], v["anonymous"], v["address"], _pk(v["category"]), v["appeal_type"],
            _pk(v["county"]), _pk(v["town"]), _pk(v["grid"]), v["lat"], v["lon"], v["tags"], v["extras"],
            v["content_key"], v["confidential"], v["urgent"])))
