"""The Jining gazetteer: management units (counties, districts, zones) and their towns.

Read from the regions app's fixture ``jishiban/regions/data/jining.json``. A town's ``county``
is the unit that manages it (two functional zones manage towns that statistically belong to
任城区 and 嘉祥县); ``statistical_county`` is where the statistics office counts it. A unit's
``aliases`` (the zones': 经开区, 太白湖, 北湖新区 …) live beside it in the same file. Landmarks are
in ``landmarks.tsv`` beside this module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "regions" / "data" / "jining.json"
ALIASES_PATH = Path(__file__).resolve().parent / "aliases.json"
LANDMARKS_PATH = Path(__file__).resolve().parent / "landmarks.tsv"

_COUNTY_SUFFIXES = ("区", "县", "市")
_TOWN_SUFFIXES = ("街道", "镇", "乡")


@dataclass(frozen=True)
class County:
    code: str
    name: str
    short_name: str
    kind: str
    statistical: bool
    # ({"alias", "weight"?, "note"?, "generic"?}, …): names people use for the unit.
    aliases: tuple = ()

    @property
    def bare(self) -> str:
        """任城区 → 任城, 邹城市 → 邹城; zones keep their short name."""
        if self.kind == "zone":
            return self.short_name
        for suffix in _COUNTY_SUFFIXES:
            if self.name.endswith(suffix) and len(self.name) > 2:
                return self.name[: -len(suffix)]
        return self.name


@dataclass(frozen=True)
class Town:
    code: str
    name: str
    county: str
    statistical_county: str
    kind: str

    @property
    def bare(self) -> str | None:
        """许庄街道 → 许庄, 长沟镇 → 长沟; ``None`` for names that are not 镇/乡/街道."""
        for suffix in _TOWN_SUFFIXES:
            if self.name.endswith(suffix) and len(self.name) - len(suffix) >= 2:
                return self.name[: -len(suffix)]
        return None


@dataclass(frozen=True)
class Gazetteer:
    city_code: str
    city_name: str
    province: str
    counties: dict[str, County]
    towns: dict[str, Town]

    @property
    def city_bare(self) -> str:
        return self.city_name[:-1] if self.city_name.endswith("市") else self.city_name


def load_gazetteer(path: Path | str | None = None) -> Gazetteer:
    """Parse a gazetteer file; raises ``FileNotFoundError`` / ``ValueError`` on a bad file."""
    data = json.loads(Path(path or DEFAULT_PATH).read_text(encoding="utf-8"))
    try:
        counties = {
            c["code"]: County(c["code"], c["name"], c.get("short_name") or c["name"], c["kind"], bool(c["statistical"]),
                              tuple(c.get("aliases") or ()))
            for c in data["counties"]
        }
        towns = {
            t["code"]: Town(t["code"], t["name"], t["county"], t.get("statistical_county") or t["county"], t["kind"])
            for t in data["towns"]
        }
        city = data["city"]
    except (KeyError, TypeError) as exc:
        raise ValueError(f"gazetteer {path or DEFAULT_PATH}: missing field {exc}") from exc
    for town in towns.values():
        if town.county not in counties:
            raise ValueError(f"town {town.code} names unknown county {town.county}")
    return Gazetteer(city["code"], city["name"], city.get("province", ""), counties, towns)


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    return load_gazetteer()


@lru_cache(maxsize=1)
def default_aliases() -> dict:
    return json.loads(ALIASES_PATH.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Landmark:
    alias: str
    county: str  # code of the managing unit
    town: str | None  # code, only where the location is certain
    weight: float
    kind: str
    note: str
    source: str


def load_landmarks(path: Path | str | None = None, gaz: Gazetteer | None = None) -> list[Landmark]:
    """Rows of ``landmarks.tsv`` (alias, county, town, weight, kind, note, source; names, not
    codes, so the file reads as written); raises ``ValueError`` naming a line with an unknown
    county or town."""
    gaz = gaz or default_gazetteer()
    counties = {c.name: c.code for c in gaz.counties.values()}
    towns = {(t.county, t.name): t.code for t in gaz.towns.values()}
    towns.update({(t.statistical_county, t.name): t.code for t in gaz.towns.values()})
    out = []
    for n, line in enumerate(Path(path or LANDMARKS_PATH).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            alias, county, town, weight, kind, note, source = line.split("\t")
            code = counties[county]
            town_code = None if town == "-" else towns[(code, town)]
        except (ValueError, KeyError) as exc:
            raise ValueError(f"landmarks line {n}: {exc}") from exc
        out.append(Landmark(alias, code, town_code, 0.85 if weight == "-" else float(weight), kind, note, source))
    return out


@lru_cache(maxsize=1)
def default_landmarks() -> tuple[Landmark, ...]:
    return tuple(load_landmarks())
