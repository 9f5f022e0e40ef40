"""The grid map with a deployment's own tile server (``JISHIBAN_MAP_TILE_URL``): a local tile
server on a free port answers PNG tiles; the map page (chromium at /usr/bin/chromium) asks it for
the tiles under the grids — within the Content-Security-Policy — and still draws the grids."""

import copy
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from jishiban.web.tests.test_browser import CHROMIUM, _login, _page, _problems, _shot, _submit, browser, world

from .conftest import world_file

__all__ = ["browser", "world"]
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed at /usr/bin/chromium"),
]
# A 1 × 1 grey PNG.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c63f8cfc0f01f0005060201a5b1e6e90000000049454e44ae426082")


@pytest.fixture
def tile_server():
    asked: list[str] = []

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(PNG)))
            self.end_headers()
            self.wfile.write(PNG)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", asked
    server.shutdown()


def test_the_map_draws_the_tiles_of_the_configured_tile_server(live_server, browser, world, tile_server):
    from jishiban.grid import services

    origin, asked = tile_server
    services.import_geojson(world_file())
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["img-src"].append(origin)  # as settings.py does for JISHIBAN_MAP_TILE_URL
    with override_settings(JISHIBAN_MAP_TILE_URL=origin + "/{z}/{x}/{y}.png", CONTENT_SECURITY_POLICY=policy):
        page = _page(browser)
        page.context.set_default_timeout(60000)
        _login(page, live_server.url, "county_rencheng")
        _submit(page, "header a[href='/grid/map/']")
        page.wait_for_selector("#map-summary[data-level='town'][data-count='1']", state="attached")
        for _ in range(50):
            if asked:
                break
            page.wait_for_timeout(200)
        page.wait_for_timeout(500)
        _shot(page, "grid-07-map-tiles")
        assert asked, "the tile server was never asked"
        tiles = [tuple(map(int, re.fullmatch(r"/(\d+)/(\d+)/(\d+)\.png", p).groups())) for p in asked]
        z, x, y = tiles[0]
        # 古槐街道 as the city view draws it (its boundary, 116.55–116.60 E, 35.40–35.45 N) at that zoom.
        k = 2 ** z
        assert 10 <= z <= 18 and int((116.55 + 180) / 360 * k) <= x <= int((116.60 + 180) / 360 * k)
        assert _problems(page) == []
        page.context.close()


def test_without_a_tile_url_nothing_is_fetched(live_server, browser, world, tile_server):
    from jishiban.grid import services

    _origin, asked = tile_server
    services.import_geojson(world_file())
    page = _page(browser)
    page.context.set_default_timeout(60000)
    _login(page, live_server.url, "county_rencheng")
    _submit(page, "header a[href='/grid/map/']")
    page.wait_for_selector("#map-summary[data-level='town'][data-count='1']", state="attached")
    page.select_option("#map-town", "370811011")  # a town's grids: still nothing fetched
    page.wait_for_selector("#map-summary[data-level='grid'][data-count='3']", state="attached")
    page.wait_for_timeout(500)
    assert asked == [] and page.get_attribute("#grid-map", "data-tiles") is None
    assert _problems(page) == []
    page.context.close()
