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
