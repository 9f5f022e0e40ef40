from .models import Organisation, OrgKind


def handling_units():
    return Organisation.objects.filter(is_active=True).exclude(kind=OrgKind.CENTRE).select_related("region")


def centre_for_county(county):
    """The county's own service centre, or the city centre for city-level work."""
    return Organisation.objects.filter(kind=OrgKind.CENTRE, region=county).first()


def unit_for_domain(domain: str, *, county=None, town=None):
    """The unit responsible for ``domain`` where the appeal is: the town's own unit for town
    affairs, else the county's unit of that domain, else the city's. ``None`` when nobody
    holds the domain (the dispatcher chooses)."""
    if not domain:
        return None
    units = Organisation.objects.filter(is_active=True, domain=domain).exclude(kind=OrgKind.CENTRE)
    if domain == "town":
        return units.filter(region=town).first() if town else None
    if county is not None:
        local = units.filter(region=county, level="county").first()
        if local:
            return local
    return units.filter(level="city").first()
