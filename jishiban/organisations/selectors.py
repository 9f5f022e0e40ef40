from jishiban.core.lookups import Lookup
from jishiban.regions.models import Region

from .models import Organisation, OrgKind


def unit_for_domain(domain: str, *, county=None, town=None):
    """The unit responsible for ``domain`` where the appeal is: the town's own unit for town
    affairs, else the county's unit of that domain, else the city's. ``None`` when nobody
    holds the domain (the dispatcher chooses)."""
    if not domain:
        return None
    return pick_for_domain(domain_units([domain]).get(domain, []), domain,
                           county_id=getattr(county, "pk", county), town_id=getattr(town, "pk", town))


def domain_units(domains) -> dict[str, list[Organisation]]:
    """Active handling units of each domain, in the model's order (one query for a whole page)."""
    found: dict[str, list[Organisation]] = {}
    for unit in Organisation.objects.filter(is_active=True, domain__in=[d for d in domains if d]).exclude(
            kind=OrgKind.CENTRE):
        found.setdefault(unit.domain, []).append(unit)
    return found


def pick_for_domain(units: list[Organisation], domain: str, *, county_id=None, town_id=None):
    """``unit_for_domain``'s choice among ``units`` (the domain's, as ``domain_units`` lists them)."""
    if domain == "town":
        return next((u for u in units if town_id is not None and u.region_id == town_id), None)
    if county_id is not None:
        local = next((u for u in units if u.region_id == county_id and u.level == "county"), None)
        if local:
            return local
    return next((u for u in units if u.level == "city"), None)


# --- finding a unit by what a dispatcher types (the dispatch picker, ``/api/v1/units``) ---------

def county_of(unit):
    """The county (or functional zone) ``unit`` serves: its own region for a county unit, the
    town's county for a town unit, ``None`` for a city unit. Needs ``region__parent`` loaded."""
    if unit.level == "city" or not unit.region_id:
        return None
    return unit.region.parent if unit.level == "town" else unit.region


def _unit_index(_key=None):
    """Every active handling unit in the picker's order (city, then each county's), indexed."""
    from .search import UnitEntry, UnitIndex

    units = (Organisation.objects.filter(is_active=True).exclude(kind=OrgKind.CENTRE)
             .select_related("region__parent").order_by("level", "region__sort", "region__code", "kind", "code"))
    entries, counties = [], {}
    for unit in units:
        county = county_of(unit)
        counties[unit.pk] = county.pk if county else None
        entries.append(UnitEntry(unit.pk, unit.name, unit.short_name, unit.code,
                                 county=county.name if county else "", domain=unit.domain))
    return UnitIndex(entries), counties


# Rebuilt after a minute, or at once when a unit or a region is saved in this process.
UNIT_INDEX = Lookup(Organisation, _unit_index, also=(Region,))


def search_units(query: str, *, within, near_county_id=None, limit: int = 20) -> list[Organisation]:
    """Active handling units matching ``query`` (see ``organisations.search``), among those of
    the filter ``within`` (the role policy's ``dispatch_units(user)``), best first; units of
    ``near_county_id`` (the appeal's county) before others of the same rank. Each has
    ``region__parent`` loaded (``county_of``)."""
    index, counties = UNIT_INDEX.get("units")
    ranked = index.search(query)
    if not ranked:
        return []
    order = {key: (rank, counties.get(key) != near_county_id if near_county_id else False, position)
             for position, (key, rank) in enumerate(ranked)}
    rows = (Organisation.objects.filter(within, pk__in=list(order), is_active=True).exclude(kind=OrgKind.CENTRE)
            .select_related("region__parent"))
    return sorted(rows, key=lambda u: order[u.pk])[:limit]
