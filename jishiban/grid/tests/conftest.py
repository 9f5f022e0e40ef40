"""A small grid world: 古槐街道 (370811011) with a boundary, two communities and three grids."""

import pytest

TOWN = "370811011"
C1, C2 = "370811011001", "370811011002"


def box(west, south, size=0.01):
    east, north = round(west + size, 6), round(south + size, 6)
    return {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north], [west, north],
                                                [west, south]]]}


def feature(code, geometry, **props):
    return {"type": "Feature", "properties": {"code": code, "name": f"网格{code[-3:]}", **props}, "geometry": geometry}


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def world_file():
    return collection(
        {"type": "Feature", "properties": {"level": "town", "code": TOWN}, "geometry": box(116.55, 35.40, 0.05)},
        feature(C1 + "001", box(116.56, 35.41), community_name="古槐社区", zongzhi="ZZ-01", jingwu="JW-01",
                chengguan="CG-01", chuangcheng="CC-01", residents=3200, households=1100, units=45),
        feature(C1 + "002", box(116.57, 35.41), community_name="古槐社区", residents=2800),
        feature(C2 + "001", box(116.56, 35.42), community_name="竹竿巷社区", residents=1500),
    )


@pytest.fixture
def grid_world(personas):
    from jishiban.grid import services
    from jishiban.grid.models import Grid
    from jishiban.regions.models import Region

    services.import_geojson(world_file(), source="test.geojson")
    grids = {g.region.code: g for g in Grid.objects.select_related("region", "town", "county", "community")}
    worker = personas.grid_worker
    worker.first_name = "韩春梅"
    worker.organisation = None
    worker.save()
    services.assign_worker(grids[C1 + "001"], worker)
    town_unit_region = Region.objects.get(code=TOWN)
    return {"grids": grids, "worker": worker, "town": town_unit_region, "p": personas}


def client_for(user):
    """A test client signed in as ``user``."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client
