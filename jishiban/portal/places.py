"""The place a citizen taps on the submit form's map: the grid it lies in (smart help's one
point → grid lookup, ``smart.geocode_db.locate_grid``) with its community, town and county, and
the map's shapes (the cockpit's county boundaries, shipped as a static file, and the grids' own
boundaries from the grid app). Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.templatetags.static import static
from django.utils.translation import gettext as _

from jishiban.core import params
from jishiban.regions.models import Region, RegionLevel

# Jining and its surroundings: a tap outside is no place the centre handles.
BOUNDS = {"lat": (34, 37), "lon": (115, 118)}
GRID_SHAPES = 5000


@dataclass
class Place:
    lat: Decimal
    lon: Decimal
    county: Region | None
    town: Region | None
    community: Region | None
    grid: Region | None

    @property
    def name(self) -> str:
        """The place in plain words, from the county down to the grid."""
        return "".join(r.name for r in (self.county, self.town, self.community, self.grid) if r is not None)


def coordinates(lat, lon) -> tuple[Decimal | None, Decimal | None]:
    """Both coordinates parsed (``core.params.coordinate``, within Jining's box) or neither;
    raises ``params.ParameterError`` with the Chinese reason."""
    lat = params.coordinate(lat, "lat", low=BOUNDS["lat"][0], high=BOUNDS["lat"][1])
    lon = params.coordinate(lon, "lon", low=BOUNDS["lon"][0], high=BOUNDS["lon"][1])
    if (lat is None) != (lon is None):
        raise params.ParameterError("lat" if lat is None else "lon", _("地图位置不完整，请重新在地图上点选"))
    return lat, lon


def place_at(lat: Decimal, lon: Decimal, *, county_hint: str = "") -> Place:
    """The grid at (lat, lon) and its parents; where no grid is mapped, the county the map's own
    boundary shows (``county_hint``, a county code the page read from the shape it was tapped on)."""
    from jishiban.smart.geocode_db import locate_grid

    grid = locate_grid(lat, lon)
    if grid is not None:
        community = grid.ancestor(RegionLevel.COMMUNITY)
        return Place(lat, lon, grid.ancestor(RegionLevel.COUNTY), grid.ancestor(RegionLevel.TOWN), community, grid)
    county = Region.objects.filter(level=RegionLevel.COUNTY, code=county_hint).first() if county_hint else None
    return Place(lat, lon, county, None, None, None)


def map_settings() -> dict:
    """What the map script needs: the county boundaries, the grids' URL, the optional tile URL."""
    from django.urls import reverse

    return {"counties": static("cockpit/jining-counties.geojson"), "grids": reverse("portal:grid_shapes"),
            "point": reverse("portal:point"), "tiles": getattr(settings, "JISHIBAN_MAP_TILE_URL", "")}


def grid_shapes(county_code: str) -> dict:
    """A county's grid boundaries as GeoJSON (``name`` is the grid's code, ``label`` its name)."""
    from jishiban.grid.selectors import public_shapes

    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": geometry, "properties": {"name": code, "label": name, "grid": True}}
        for code, name, geometry in public_shapes(county_code, limit=GRID_SHAPES)]}
