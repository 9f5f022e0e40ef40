"""Picking the place on the offline map, on a phone (360 × 740) in Debian's chromium: the citizen
taps the map (zoomed in by the first tap), the form gets the point, the county, the town and the
place in words from the grid lookup; they submit and see the appeal number. Screenshots go to
``test-artifacts/screenshots/``."""

from pathlib import Path

import pytest

from jishiban.web.tests.test_browser import CHROMIUM, _page, _problems, _shot, _submit, browser, world  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed at /usr/bin/chromium"),
]

TARGET = [116.565, 35.415]  # inside grid 370811011001001 of the grid tests' small world


def _tap(page, lon_lat):
    """Tap the map where ``lon_lat`` is drawn now (ECharts converts it to a pixel)."""
    x, y = page.evaluate("""(p) => { const el = document.querySelector('[data-map-canvas]');
        return echarts.getInstanceByDom(el).convertToPixel({geoIndex: 0}, p); }""", lon_lat)
    page.locator("[data-map-canvas]").scroll_into_view_if_needed()
    box = page.locator("[data-map-canvas]").bounding_box()
    assert 0 < x < box["width"] and 0 < y < box["height"], (x, y, box)
    assert box["y"] + y < page.viewport_size["height"]
    page.mouse.click(box["x"] + x, box["y"] + y)


def _drawn_label(page, *, label: str = "", name: str = "", zoom: float = 1) -> str:
    """Roam the map by ``zoom`` (as a pinch would, within the scale limits) and return what the
    map draws for the feature labelled ``label`` (a grid) or named ``name`` (a county)."""
    return page.evaluate("""([label, name, zoom]) => {
        const chart = echarts.getInstanceByDom(document.querySelector('[data-map-canvas]'));
        if (zoom !== 1) {
          chart.dispatchAction({type: 'geoRoam', componentType: 'geo', geoIndex: 0, zoom: zoom,
                                originX: chart.getWidth() / 2, originY: chart.getHeight() / 2});
        }
        const f = echarts.getMap('portal-jining').geoJSON.features.find(
          x => label ? x.properties.label === label : x.properties.name === name);
        return chart.getOption().geo[0].label.formatter({name: f.properties.name}); }""", [label, name, zoom])


def test_citizen_picks_the_place_on_the_map_and_submits(live_server, browser, world):  # noqa: F811
    from jishiban.appeals.models import Appeal
    from jishiban.grid import services as grid_services
    from jishiban.grid.tests.conftest import world_file

    grid_services.import_geojson(world_file(), source="test.geojson")
    base = live_server.url
    phone = _page(browser, 360, 740)
    phone.goto(f"{base}/portal/", timeout=60000)  # a 1 MB script on a busy test machine
    phone.wait_for_selector("[data-map-canvas][data-drawn]")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.locator("[data-map]").scroll_into_view_if_needed()
    _shot(phone, "portal-map-01-city", full_page=False)

    _tap(phone, TARGET)  # the whole city: this tap zooms in there
    phone.wait_for_selector("[data-map-place]:has-text('已选位置')")
    phone.wait_for_timeout(400)  # the county's grid shapes arrive and are drawn
    _tap(phone, TARGET)  # now exactly on the grid
    phone.wait_for_selector("[data-map-place]:has-text('网格001')")
    place = phone.inner_text("[data-map-place]")
    assert "任城区古槐街道古槐社区网格001" in place and "请确认" in place
    assert phone.input_value("select[name=county]") == "370811"
    assert phone.input_value("select[name=town]") == "370811011"
    assert phone.input_value("#id_address").startswith("任城区古槐街道古槐社区")
    lat, lon = float(phone.input_value("[data-map-lat]")), float(phone.input_value("[data-map-lon]"))
    assert abs(lat - TARGET[1]) < 0.003 and abs(lon - TARGET[0]) < 0.003
    phone.locator("[data-map]").scroll_into_view_if_needed()
    _shot(phone, "portal-map-02-picked", full_page=False)

    # A grid's name is drawn only where it fits in the grid: none on the whole city, all when close.
    assert _drawn_label(phone, label="网格001", zoom=1 / 400) == ""
    assert _drawn_label(phone, label="网格001", zoom=400) == "网格001"
    assert _drawn_label(phone, name="任城区") == "任城区"  # counties keep their names at any zoom
    phone.check("input[name=appeal_type][value=complaint]")
    phone.fill("#id_content", "这个网格里的健身器材坏了，螺丝松动，孩子玩很危险")
    phone.fill("#id_address", phone.input_value("#id_address") + " 健身广场")
    phone.fill("#id_name", "孙七")
    phone.fill("#id_phone", "13600001111")
    phone.check("#id_consent")
    _submit(phone, "button.primary")
    number = phone.inner_text("[data-number]")
    _shot(phone, "portal-map-03-done")
    appeal = Appeal.objects.get(number=number)
    assert appeal.county.code == "370811" and appeal.town.code == "370811011"
    assert abs(float(appeal.lat) - TARGET[1]) < 0.003 and abs(float(appeal.lon) - TARGET[0]) < 0.003
    assert not _problems(phone)
