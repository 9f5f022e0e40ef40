"""A leader opens the cockpit from the menu on a 1920×1080 wall screen with real figures: the
page is not blank, the map of Jining drew its counties, zones and hot-event points, nothing is
fetched from outside the machine, and a number leads to the appeals behind it."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from jishiban.grid.tests.test_browser_tiles import tile_server  # noqa: F401 - the grid map's local tile server
from jishiban.web.tests.test_browser import CHROMIUM, SHOTS, _login, _page, _problems, _submit, browser, world  # noqa: F401

from .stock import fill, make_stock

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed at /usr/bin/chromium")]


def _warnings_and_events(appeals):
    from jishiban.regions.models import Region
    from jishiban.warnings.models import EarlyWarning

    now = timezone.now()
    county = Region.objects.get(code="370811")
    spike = EarlyWarning.objects.create(
        kind="spike", key="spike:010101:370811", title="物业服务质量诉求激增", why="今日 9 件，期望 2.1 件（p < 0.001）",
        county=county, observed=9, expected=2.1, score=4.2, raised_at=now - timedelta(hours=2), updated_at=now)
    spike.appeals.set(appeals[:3])
    event = EarlyWarning.objects.create(
        kind="event", key="event:1", title="李营街道小区停水", why="6 小时内 5 件相近诉求", county=county,
        first_at=now - timedelta(hours=6), latest_at=now - timedelta(hours=1), lat=Decimal("35.4150"),
        lon=Decimal("116.5870"), raised_at=now - timedelta(hours=5), updated_at=now)
    event.appeals.set(appeals[3:8])


def _variance(png: bytes) -> float:
    from PIL import Image, ImageStat

    return ImageStat.Stat(Image.open(BytesIO(png)).convert("L")).var[0]


def test_leader_opens_the_cockpit_on_a_wall_screen_and_follows_a_number(live_server, browser, world):  # noqa: F811
    from jishiban.analytics import services as analytics

    now = timezone.now()
    appeals = make_stock(world, now, n=40)
    fill(now)
    analytics.publish((timezone.localdate(now).replace(day=1) - timedelta(days=1)).strftime("%Y-%m"), "county")
    _warnings_and_events(appeals)
    base, page = live_server.url, _page(browser, 1920, 1080)
    here = {"127.0.0.1", urlsplit(base).hostname}  # the live server (localhost is 127.0.0.1)
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("data:", "blob:"))
            and urlsplit(r.url).hostname not in here else None)

    _login(page, base, "leader")
    _submit(page, "nav.mainnav a:has-text('智慧大脑')")
    assert urlsplit(page.url).path == "/cockpit/"
    page.wait_for_selector("#cockpit-map[data-drawn='11']", state="attached")
    page.wait_for_timeout(400)  # the zones' and events' symbols finish their first frame
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = page.screenshot(path=str(SHOTS / "cockpit-1920x1080.png"))
    assert _variance(shot) > 200, "the screenshot is (nearly) blank"
    box = page.locator("#cockpit-map").bounding_box()
    map_shot = page.screenshot(clip=box)
    assert box["width"] > 600 and box["height"] > 500 and _variance(map_shot) > 100, "the map drew nothing"
    # The page fits the wall screen: no scrolling at 1920×1080.
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080 + 2
    assert "物业服务质量诉求激增" in page.inner_text(".ck-warn")
    assert "李营街道小区停水" in page.inner_text(".ck-events")
    assert page.locator(".ck-rank tbody tr").count() == 14

    # A click on 兖州区 on the map opens its appeals of the month.
    x, y = page.evaluate("""() => window.echarts.getInstanceByDom(document.getElementById('cockpit-map'))
        .convertToPixel({geoIndex: 0}, [116.74, 35.62])""")
    yanzhou = int(page.inner_text(".ck-counties tr[data-county='370812'] td:nth-child(2)"))
    with page.expect_navigation():
        page.mouse.click(box["x"] + x, box["y"] + y)
    assert urlsplit(page.url).path == "/analytics/appeals/"
    assert page.locator("table.list tbody td:first-child a").count() == yanzhou > 0
    page.go_back()
    page.wait_for_selector("#cockpit-map[data-drawn='11']", state="attached")

    month = int(page.inner_text("[data-figure=month]"))
    assert month > 0
    page.click(".ck-mode[data-mode=overdue_share]")
    assert page.get_attribute(".ck-mode[data-mode=overdue_share]", "aria-pressed") == "true"
    _submit(page, "[data-figure=month]")
    assert urlsplit(page.url).path == "/analytics/appeals/"
    listed = page.locator("table.list tbody td:first-child a").count()
    assert listed == month
    assert outside == [], outside
    assert _problems(page) == []


def test_county_staff_see_their_county_on_a_laptop(live_server, browser, world):  # noqa: F811
    now = timezone.now()
    make_stock(world, now, n=20)
    fill(now)
    base, page = live_server.url, _page(browser, 1366, 768)
    _login(page, base, "county_rencheng")
    _submit(page, "nav.mainnav a:has-text('智慧大脑')")
    page.wait_for_selector("#cockpit-map[data-drawn='11']", state="attached")
    assert page.locator(".ck-counties tbody tr").count() == 1
    assert page.locator(".ck-rank").count() == 0
    page.screenshot(path=str(SHOTS / "cockpit-county-laptop.png"), full_page=True)
    assert _problems(page) == []


def test_the_map_works_on_a_closed_network_without_a_tile_url(live_server, browser, world):  # noqa: F811
    """GIVEN no tile URL and a closed network (every request off the live server aborted), THEN
    the map draws the 11 counties from the shipped GeoJSON and asks nothing of any other host."""
    now = timezone.now()
    make_stock(world, now, n=12)
    fill(now)
    base, page = live_server.url, _page(browser, 1920, 1080)
    here = {"127.0.0.1", urlsplit(base).hostname}
    elsewhere = []

    def closed_network(route):
        if urlsplit(route.request.url).hostname in here and urlsplit(route.request.url).port == urlsplit(base).port:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", closed_network)
    _login(page, base, "leader")
    page.goto(f"{base}/cockpit/")
    page.wait_for_selector("#cockpit-map[data-drawn='11']", state="attached")
    box = page.locator("#cockpit-map").bounding_box()
    plain = page.screenshot(clip=box)
    assert _variance(plain) > 100
    assert elsewhere == [], elsewhere
    assert _problems(page) == []


CHANNEL_LABELS = """() => {
  const chart = window.echarts.getInstanceByDom(document.getElementById('cockpit-channels'));
  const data = chart.getModel().getSeriesByIndex(0).getData(), boxes = [];
  for (let i = 0; i < data.count(); i++) {
    const sector = data.getItemGraphicEl(i), el = sector && sector.getTextContent();
    if (!el || el.ignore || el.invisible) continue;
    const r = el.getBoundingRect().clone(); r.applyTransform(el.getComputedTransform());
    boxes.push({text: el.style.text, x: r.x, y: r.y, w: r.width, h: r.height});
  }
  return {boxes, slices: chart.getOption().series[0].data.map(d => d.name)};
}"""


def _overlaps(boxes):
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a["x"] < b["x"] + b["w"] - 1 and b["x"] < a["x"] + a["w"] - 1 and a["y"] < b["y"] + b["h"] - 1 \
                    and b["y"] < a["y"] + a["h"] - 1:
                out.append((a["text"], b["text"]))
    return out


def test_the_channel_donut_stays_legible_with_many_small_channels(live_server, browser, world):  # noqa: F811
    """GIVEN a month with two large channels and eight small ones, WHEN the leader opens the
    cockpit at 1920×1080, THEN the donut shows the large ones by name and the tail as 其他, no
    two of its labels overlap, and the list under it still links every channel."""
    from jishiban.testing import make_appeal

    now = timezone.now()
    make_stock(world, now, n=40)
    small = ["12345-wechat", "jishiban-app", "enterprise", "minyi-5", "people-board", "gov-supervision", "xianghu",
             "wenzheng"]
    for i, code in enumerate(small):
        make_appeal(channel=code, title=f"小渠道诉求{i}", received_at=now - timedelta(hours=2 + i))
    for i in range(24):  # the month's bulk comes by phone and web
        make_appeal(channel="12345-phone" if i % 3 else "12345-web", title=f"本月诉求{i}",
                    received_at=now - timedelta(minutes=30 + i))
    fill(now)
    base, page = live_server.url, _page(browser, 1920, 1080)
    _login(page, base, "leader")
    page.goto(f"{base}/cockpit/")
    page.wait_for_selector("#cockpit-map[data-drawn='11']", state="attached")
    got = page.evaluate(CHANNEL_LABELS)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".ck-channels").screenshot(path=str(SHOTS / "cockpit-channels-1920x1080.png"))
    assert got["slices"][-1] == "其他" and len(got["slices"]) <= 7, got["slices"]
    assert {"12345热线电话", "12345网站"} <= set(got["slices"])
    assert len(got["boxes"]) >= 3 and _overlaps(got["boxes"]) == [], got["boxes"]
    assert page.locator(".ck-channels .ck-list a").count() == 10
    assert _problems(page) == []


def test_the_map_draws_the_tiles_of_the_configured_tile_server(live_server, browser, world, tile_server):  # noqa: F811
    """GIVEN a deployment's own tile server (``JISHIBAN_MAP_TILE_URL``, its origin in img-src),
    WHEN the leader opens the cockpit, THEN the map finishes drawing within the usual 10 s, the
    tiles asked are zoom-9 tiles over Jining, placed under the counties, and nothing else leaves
    the machine."""
    import copy
    import re

    from django.conf import settings
    from django.test import override_settings

    origin, asked = tile_server
    now = timezone.now()
    make_stock(world, now, n=12)
    fill(now)
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["img-src"].append(origin)  # as settings.py does for JISHIBAN_MAP_TILE_URL
    with override_settings(JISHIBAN_MAP_TILE_URL=origin + "/{z}/{x}/{y}.png", CONTENT_SECURITY_POLICY=policy):
        base, page = live_server.url, _page(browser, 1920, 1080)
        here = {urlsplit(base).netloc, urlsplit(origin).netloc}
        outside = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("data:", "blob:"))
                and urlsplit(r.url).netloc not in here else None)
        _login(page, base, "leader")
        page.goto(f"{base}/cockpit/")
        page.wait_for_selector("#cockpit-map[data-drawn='11']", state="attached")  # the 10 s default
        for _ in range(50):
            if len(asked) >= 20:
                break
            page.wait_for_timeout(100)
        page.wait_for_timeout(300)
        shot = page.locator("#cockpit-map").screenshot(path=str(SHOTS / "cockpit-map-tiles-1920x1080.png"))
        from PIL import Image

        r, _g, b = Image.open(BytesIO(shot)).convert("RGB").getpixel((5, 5))
        assert r > b, (r, b)  # the corner, outside every county, shows the tile's colour, not the dark blue panel
        placed = page.evaluate("""() => (window.echarts.getInstanceByDom(document.getElementById('cockpit-map'))
            .getOption().graphic[0].elements || []).filter(e => e.type === 'image').length""")
        tiles = {tuple(map(int, re.fullmatch(r"/(\d+)/(\d+)/(\d+)\.png", p).groups())) for p in asked}
        # Jining (115.8–117.7 E, 34.4–36.1 N) at zoom 9: x 420–423, y 200–203.
        assert tiles == {(9, x, y) for x in range(420, 424) for y in range(200, 204)}, sorted(tiles)
        assert placed == len(tiles)
        assert outside == [], outside
        assert _problems(page) == []
        page.context.close()
