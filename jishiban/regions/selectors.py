from .models import Region, RegionLevel


def county_choices():
    return Region.objects.filter(level=RegionLevel.COUNTY).order_by("sort", "code")


def towns_of(county: Region):
    return Region.objects.filter(parent=county, level=RegionLevel.TOWN).order_by("sort")
