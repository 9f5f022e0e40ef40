"""The region tree from a gazetteer file: the project's (``data/jining.json``) or a centre's own.

Shape: ``{"city": {"code", "name"}, "counties": [{"code", "name", "short_name"?, "statistical"?}],
"towns": [{"code", "name", "county"}]}`` — ``county`` is the code of the management unit the
town belongs to (a functional zone may manage towns of a statistical county).
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

from .models import Region, RegionLevel

DATA_DIR = Path(__file__).resolve().parent / "data"


class _Node(BaseModel):
    model_config = ConfigDict(extra="ignore")
    code: str = Field(min_length=1, max_length=20)
    name: str = Field(min_length=1, max_length=60)


class _County(_Node):
    short_name: str = Field("", max_length=30)
    statistical: bool = True


class _Town(_Node):
    county: str = Field(min_length=1)


class GazetteerFile(BaseModel):
    model_config = ConfigDict(extra="ignore")
    city: _Node
    counties: list[_County]
    towns: list[_Town] = []

    def codes(self) -> set[str]:
        return {self.city.code, *(c.code for c in self.counties), *(t.code for t in self.towns)}


def read(path: Path) -> GazetteerFile:
    """The checked gazetteer at ``path``; ``ReferenceDataError`` names every bad entry."""
    label = str(path)
    data = read_json(path)
    gazetteer, problems = parse(GazetteerFile, data, label)
    if gazetteer is None:
        raise ReferenceDataError(problems)
    problems += duplicates(label, "counties/towns", [gazetteer.city, *gazetteer.counties, *gazetteer.towns])
    counties = {c.code for c in gazetteer.counties}
    for i, town in enumerate(gazetteer.towns):
        if town.county not in counties:
            problems.append(_("%(entry)s.county：%(code)s 不在 counties 中") % {
                "entry": entry(label, "towns", i, town), "code": town.county})
    if problems:
        raise ReferenceDataError(problems)
    return gazetteer


def write(gazetteer: GazetteerFile) -> dict[str, Counts]:
    """Create or update the city, its management units and towns (by code)."""
    city_counts, cities = upsert(Region, [(gazetteer.city.code, {
        "name": gazetteer.city.name, "short_name": gazetteer.city.name, "level": RegionLevel.CITY, "parent": None})])
    city = cities[gazetteer.city.code]
    county_counts, counties = upsert(Region, [(c.code, {
        "name": c.name, "short_name": c.short_name or c.name, "level": RegionLevel.COUNTY, "parent": city,
        "is_statistical": c.statistical, "sort": i}) for i, c in enumerate(gazetteer.counties)])
    town_counts, _towns = upsert(Region, [(t.code, {
        "name": t.name, "short_name": t.name, "level": RegionLevel.TOWN, "parent": counties[t.county], "sort": i})
        for i, t in enumerate(gazetteer.towns)])
    county_counts.created += city_counts.created
    county_counts.updated += city_counts.updated
    county_counts.unchanged += city_counts.unchanged
    return {"counties": county_counts, "towns": town_counts}


def load_gazetteer(source: str | Path = "jining") -> dict[str, Counts]:
    """Check and write one gazetteer (a shipped name or a path); idempotent."""
    return write(read(source_path(source, DATA_DIR)))
