// Drawn from GeoJSON by ECharts (no tiles: works offline). The whole city is drawn as towns: their
// shapes (a versioned, cacheable URL, data-shapes) and their counts (small and fresh, data-counts)
// are fetched apart. Clicking a town drills down to its grids, clicking a grid to its community; a
// town or community choice reloads only its grids. With a tile server of the deployment's own
// (data-tiles, JISHIBAN_MAP_TILE_URL) its raster tiles are drawn under the shapes.
(function () {
  "use strict";
  var el = document.getElementById("grid-map");
  if (!el || !window.echarts) { return; }
  var form = document.getElementById("map-filter");
  var town = document.getElementById("map-town");
  var community = document.getElementById("map-community");
  var summary = document.getElementById("map-summary");
  var chart = window.echarts.init(el);
  var tiles = el.dataset.tiles || "";
  var n = 0, box = null, level = "";

  function bounds(geo) {
    var b = [180, 90, -180, -90];
    geo.features.forEach(function (f) {
      var polys = f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates;
      polys.forEach(function (poly) { poly[0].forEach(function (p) {
        b[0] = Math.min(b[0], p[0]); b[1] = Math.min(b[1], p[1]); b[2] = Math.max(b[2], p[0]); b[3] = Math.max(b[3], p[1]);
      }); });
    });
    return geo.features.length ? b : null;
  }
  function tileImages() {
    // The web-mercator tiles covering the grids, at a zoom where they span a few tiles.
    if (!tiles || !box) { return []; }
    var z = Math.max(3, Math.min(18, Math.floor(Math.log(360 / Math.max(box[2] - box[0], 1e-4)) / Math.LN2) + 1));
    var k = Math.pow(2, z), out = [];
    function tx(lon) { return Math.floor((lon + 180) / 360 * k); }
    function ty(lat) { var r = lat * Math.PI / 180; return Math.floor((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2 * k); }
    function lon(x) { return x / k * 360 - 180; }
    function lat(y) { var m = Math.PI - 2 * Math.PI * y / k; return 180 / Math.PI * Math.atan(0.5 * (Math.exp(m) - Math.exp(-m))); }
    for (var x = tx(box[0]); x <= tx(box[2]) && out.length < 64; x++) {
      for (var y = ty(box[3]); y <= ty(box[1]) && out.length < 64; y++) {
        var a = chart.convertToPixel({geoIndex: 0}, [lon(x), lat(y)]);
        var b = chart.convertToPixel({geoIndex: 0}, [lon(x + 1), lat(y + 1)]);
        if (!a || !b) { continue; }
        out.push({type: "image", z: -10, silent: true, style: {
          image: tiles.replace("{z}", z).replace("{x}", x).replace("{y}", y),
          x: a[0], y: a[1], width: b[0] - a[0], height: b[1] - a[1], opacity: 0.6}});
      }
    }
    return out;
  }
  function drawTiles() {
    if (tiles) { chart.setOption({graphic: [{id: "tiles", type: "group", children: tileImages()}]}, {replaceMerge: ["graphic"]}); }
  }

  function filterCommunities() {
    Array.prototype.forEach.call(community.options, function (o) {
      o.hidden = !!(o.value && town.value && o.dataset.town !== town.value);
    });
  }
  function json(url) {
    return fetch(url, {credentials: "same-origin"}).then(function (r) { return r.json(); });
  }
  function draw(geo, values, kind) {
    n += 1;
    var name = kind + n;
    window.echarts.registerMap(name, geo);
    var max = values.reduce(function (m, v) { return Math.max(m, v.value); }, 1);
    box = bounds(geo);
    var series = {type: "map", data: values, emphasis: {label: {show: false}}, select: {disabled: true}};
    if (tiles) {  // a geo component, so the tiles can be placed by its projection
      series.geoIndex = 0;
    } else {
      series.map = name;
      series.roam = true;
    }
    chart.setOption({
      tooltip: {formatter: function (x) {
        var d = x.data || {};
        return (d.label || x.name) + (d.grids !== undefined ? " · " + el.dataset.grids + " " + d.grids : "") +
          "<br>" + el.dataset.appeals + " " + (d.appeals || 0) + " · " + el.dataset.events + " " + (d.events || 0);
      }},
      geo: tiles ? [{map: name, roam: true, itemStyle: {opacity: 0.85}, emphasis: {label: {show: false}},
                     select: {disabled: true}}] : [],
      visualMap: {min: 0, max: max, calculable: true, left: 8, bottom: 8, inRange: {color: ["#e8f5e9", "#ffd54f", "#e53935"]}},
      series: [series]
    }, true);
    drawTiles();
    level = kind;
    summary.textContent = geo.features.length ? "" : el.dataset.empty;
    summary.dataset.level = kind;
    summary.dataset.count = String(geo.features.length);
  }
  function loadTowns() {
    Promise.all([json(form.dataset.shapes), json(form.dataset.counts)]).then(function (got) {
      var geo = got[0], counts = got[1].towns || {};
      var values = geo.features.map(function (f) {
        var p = f.properties, c = counts[p.name] || {grids: 0, appeals: 0, events: 0};
        return {name: p.name, value: c.appeals + c.events, label: p.label, appeals: c.appeals, events: c.events,
                grids: c.grids};
      });
      draw(geo, values, "town");
    });
  }
  function load() {
    if (!town.value && !community.value) { loadTowns(); return; }
    var q = new URLSearchParams({town: town.value, community: community.value});
    json(form.dataset.url + "?" + q.toString()).then(function (geo) {
      var values = geo.features.map(function (f) {
        var p = f.properties;
        return {name: p.name, value: p.appeals + p.events, label: p.label, appeals: p.appeals, events: p.events,
                community: p.community};
      });
      draw(geo, values, "grid");
    });
  }
  chart.on("click", function (x) {
    if (level === "town") {  // a town: drill down to its grids
      if (x.name && town.value !== x.name) { town.value = x.name; community.value = ""; filterCommunities(); load(); }
      return;
    }
    var opt = Array.prototype.find.call(community.options, function (o) { return o.textContent === (x.data || {}).community; });
    if (opt && community.value !== opt.value) { town.value = opt.dataset.town; community.value = opt.value; load(); }
  });
  town.addEventListener("change", function () { community.value = ""; filterCommunities(); load(); });
  community.addEventListener("change", function () {
    var opt = community.options[community.selectedIndex];
    if (opt && opt.value) { town.value = opt.dataset.town; filterCommunities(); }
    load();
  });
  chart.on("georoam", drawTiles);
  window.addEventListener("resize", function () { chart.resize(); drawTiles(); });
  filterCommunities();
  load();
})();
