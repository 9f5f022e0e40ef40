"""``jishiban routing seed``: a first dispatch catalogue from the data (origin "seeded").

1. **The domain map.** For each category that names a functional domain, one city-wide rule
   to the city's unit of that domain and one rule per county that has its own unit (邹城市 +
   供水 → 邹城市水务局). Domains held by several units at one level (two telecom operators)
   are left to the dispatcher; town affairs need no rule (the town's own unit is the default).
2. **Curated rules** from ``data/<name>.json`` (heating in 任城区, gas leaks, …), skipped
   when the codes they name are not loaded (another city).
3. Meeting decisions that have no rule yet get theirs (``rules.sync_decision``).

Idempotent: each seeded rule has a ``seed_key``; a rule that exists (even edited or switched
off by people) is left alone.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from jishiban.organisations.models import Organisation, OrgKind
from jishiban.regions.models import Region
from jishiban.supervision.models import DispatchDecision
from jishiban.taxonomy.models import Category

from ..matching import parse_keywords
from ..models import DispatchRule, Origin
from .rules import sync_decision

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def _units_by_domain():
    units: dict[tuple, list] = defaultdict(list)  # (domain, level, region_id) → units
    for unit in Organisation.objects.filter(is_active=True).exclude(kind=OrgKind.CENTRE).exclude(domain=""):
        units[(unit.domain, unit.level, unit.region_id if unit.level != "city" else None)].append(unit)
    return units


def _one(units: list):
    return units[0] if len(units) == 1 else None


class _Seeder:
    def __init__(self):
        self.existing = set(DispatchRule.objects.exclude(seed_key=None).values_list("seed_key", flat=True))
        self.created = 0
        self.kept = 0

    def add(self, key: str, *, lead, co=(), **fields) -> None:
        if key in self.existing:
            self.kept += 1
            return
        rule = DispatchRule.objects.create(seed_key=key, origin=Origin.SEEDED, lead_unit=lead, **fields)
        rule.co_units.set([u for u in co if u.pk != lead.pk])
        self.existing.add(key)
        self.created += 1


def domain_roots() -> list:
    """The highest categories whose whole subtree shares one functional domain (their own or
    inherited): a rule there covers every sub-category without sending a sub-category that
    names another domain (村务公开 → the town, under 农业农村) to the wrong unit."""
    categories = list(Category.objects.filter(is_active=True).select_related("parent__parent"))
    domain = {c.pk: c.profile("domain") for c in categories}
    children: dict = defaultdict(list)
    for c in categories:
        children[c.parent_id].append(c)
    uniform: dict[int, bool] = {}

    def walk(c) -> bool:
        uniform[c.pk] = all([walk(k) for k in children[c.pk]]) and all(domain[k.pk] == domain[c.pk]
                                                                      for k in children[c.pk])
        return uniform[c.pk]

    roots = [c for c in categories if c.parent_id is None or c.parent_id not in domain]
    for c in roots:
        walk(c)
    return [c for c in categories if uniform.get(c.pk) and domain[c.pk]
            and not (c.parent_id in uniform and uniform[c.parent_id] and domain[c.parent_id] == domain[c.pk])]


def _domain_map(seeder: _Seeder, units, counties) -> None:
    for category in domain_roots():
        domain = category.profile("domain")
        if domain == "town":
            continue  # the town's own unit is the default; no rule can name it county-wide
        city_units = units.get((domain, "city", None), [])
        if len(city_units) > 1:
            continue  # several city units share the domain: the dispatcher chooses
        if city_units:
            seeder.add(f"domain:{category.code}:city", lead=city_units[0], category=category,
                       note=_("按职能领域对照生成（%(domain)s）") % {"domain": domain})
        for county in counties:
            unit = _one(units.get((domain, "county", county.pk), []))
            if unit is not None:
                seeder.add(f"domain:{category.code}:{county.code}", lead=unit, category=category, county=county,
                           note=_("按职能领域对照生成（%(domain)s）") % {"domain": domain})


def _local(units, domain: str, county):
    """The county's own unit of ``domain`` (``None`` for the city level or when absent)."""
    if county is None:
        return _one(units.get((domain, "city", None), []))
    return _one(units.get((domain, "county", county.pk), []))


def _curated(seeder: _Seeder, units, counties, rows: list[dict]) -> None:
    orgs = {o.code: o for o in Organisation.objects.filter(is_active=True)}
    categories = {c.code: c for c in Category.objects.all()}
    regions = {r.code: r for r in counties}
    for row in rows:
        category = categories.get(row["category"]) if row.get("category") else None
        county = regions.get(row["county"]) if row.get("county") else None
        if (row.get("category") and category is None) or (row.get("county") and county is None):
            continue  # names codes this deployment does not have
        places = [None, *counties] if row.get("per_county") else [county]
        for place in places:
            local = place is not None and row.get("per_county")
            lead = orgs.get(row.get("lead", ""))
            if row.get("lead_domain"):
                lead = _local(units, row["lead_domain"], place)
            co = [orgs[c] for c in row.get("co", []) if c in orgs]
            co += [u for d in row.get("co_domains", []) if (u := _local(units, d, place)) is not None]
            if local and lead is None and row.get("lead_domain"):
                continue  # no local unit: the city-wide rule applies
            if local and not row.get("lead_domain") and not co:
                continue  # a county copy would say the same as the city-wide rule
            if lead is None:
                continue
            suffix = place.code if place is not None else "city"
            seeder.add(f"curated:{row['key']}:{suffix}", lead=lead, co=co, category=category, county=place,
                       keywords="，".join(parse_keywords(row.get("keywords", ""))),
                       exclude_keywords="，".join(parse_keywords(row.get("exclude_keywords", ""))),
                       priority=int(row.get("priority", 0)), note=row.get("note", ""))


def seed_catalogue(name: str = "jining") -> dict:
    """Create the seeded rules that do not exist yet; returns ``{"created", "existing", "decisions"}``."""
    path = DATA_DIR / f"{name}.json"
    rows = json.loads(path.read_text(encoding="utf-8"))["rules"] if path.exists() else []
    units = _units_by_domain()
    counties = list(Region.objects.counties().order_by("sort", "code"))
    seeder = _Seeder()
    decisions = 0
    with transaction.atomic():
        _domain_map(seeder, units, counties)
        _curated(seeder, units, counties, rows)
        for decision in DispatchDecision.objects.filter(routing_rule__isnull=True):
            sync_decision(decision)
            decisions += 1
    return {"created": seeder.created, "existing": seeder.kept, "decisions": decisions}
