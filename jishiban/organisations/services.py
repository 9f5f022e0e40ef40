"""Organisations from a file: the project's (``data/jining.json``) or a centre's own.

Shape: ``{"organisations": [{"code", "name", "short_name"?, "kind", "level", "region",
"domain"?, "parent": code | null, "county_dispatch"?: bool}]}``; ``region`` is a region code (of the gazetteer loaded with
it, or already stored), a parent comes before its children.
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field

from jishiban.core.reference import (
    Counts,
    ReferenceDataError,
    duplicates,
    entry,
    parse,
    read_json,
    source_path,
    upsert,
)
from jishiban.regions.models import Region

from .models import Organisation, OrgKind, OrgLevel

DATA_DIR = Path(__file__).resolve().parent / "data"


class _Organisation(BaseModel):
    model_config = ConfigDict(extra="ignore")
    code: str = Field(min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(min_length=1, max_length=80)
    short_name: str = Field("", max_length=40)
    kind: str
    level: str
    region: str = Field(min_length=1)
    domain: str = Field("", max_length=30)
    parent: str | None = None
    # 县级可派 (city units county centres may dispatch to); absent: the stored value is kept.
    county_dispatch: bool | None = None


class OrganisationsFile(BaseModel):
    model_config = ConfigDict(extra="ignore")
    organisations: list[_Organisation]


def read(path: Path, *, known_regions: set[str] = frozenset()) -> OrganisationsFile:
    """The checked file; regions must be in ``known_regions`` or stored already."""
    label = str(path)
    orgs, problems = parse(OrganisationsFile, read_json(path), label)
    if orgs is None:
        raise ReferenceDataError(problems)
    problems += duplicates(label, "organisations", orgs.organisations)
    named = {o.region for o in orgs.organisations} - set(known_regions)
    regions = set(known_regions) | set(Region.objects.filter(code__in=named).values_list("code", flat=True))
    seen = set(Organisation.objects.values_list("code", flat=True))
    for i, org in enumerate(orgs.organisations):
        where = entry(label, "organisations", i, org)
        if org.kind not in OrgKind.values:
            problems.append(_("%(entry)s.kind：%(v)s 不是 %(ok)s 之一") % {
                "entry": where, "v": org.kind, "ok": "/".join(OrgKind.values)})
        if org.level not in OrgLevel.values:
            problems.append(_("%(entry)s.level：%(v)s 不是 %(ok)s 之一") % {
                "entry": where, "v": org.level, "ok": "/".join(OrgLevel.values)})
        if org.region not in regions:
            problems.append(_("%(entry)s.region：区划 %(v)s 不在区划文件中，也未加载") % {"entry": where, "v": org.region})
        if org.parent and org.parent not in seen:
            problems.append(_("%(entry)s.parent：%(v)s 须在本单位之前列出") % {"entry": where, "v": org.parent})
        seen.add(org.code)
    if problems:
        raise ReferenceDataError(problems)
    return orgs


def write(orgs: OrganisationsFile) -> Counts:
    """Create or update the organisations by code (parents come first in the file)."""
    regions = Region.objects.in_bulk({o.region for o in orgs.organisations}, field_name="code")
    total, stored = Counts(), {}
    for org in orgs.organisations:  # one at a time: a parent must be stored before its children
        parent = stored.get(org.parent) or (Organisation.objects.filter(code=org.parent).first() if org.parent else None)
        counts, rows = upsert(Organisation, [(org.code, {
            "name": org.name, "short_name": org.short_name, "kind": org.kind, "level": org.level,
            "region": regions[org.region], "domain": org.domain, "parent": parent,
            **({} if org.county_dispatch is None else {"county_dispatch": org.county_dispatch})})])
        stored.update(rows)
        total.created, total.updated, total.unchanged = (
            total.created + counts.created, total.updated + counts.updated, total.unchanged + counts.unchanged)
    return total


def load_organisations(source: str | Path = "jining") -> Counts:
    """Check and write one organisations file (a shipped name or a path); regions first."""
    return write(read(source_path(source, DATA_DIR)))
