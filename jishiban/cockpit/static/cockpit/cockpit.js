/* The cockpit's charts: the map of Jining (county boundaries shipped as GeoJSON, functional zones
   as circles, hot events as points), the 30-day trend and the channel mix. Data from the JSON in
   #cockpit-data, which htmx replaces every minute; everything is same-origin (no tiles unless a
   deployment sets JISHIBAN_MAP_TILE_URL). Tooltips are drawn on the canvas (Content-Security-Policy). */
(function () {
  "use strict";
  var COLORS = ["#12406e", "#1c6aa8", "#3fa0c9", "#f2b705", "#ff5a4e"];
  var state = { mode: "per10k", geo: null, map: null };

  function data() {
    var node = document.getElementById("cockpit-data");
    return node ? JSON.parse(node.textContent) : null;
  }
  function go(url) { if (url) window.location.href = url; }

  function mix(a, b, t) {
    var pa = parseInt(a.slice(1), 16), pb = parseInt(b.slice(1), 16), out = 0;
    for (var s = 16; s >= 0; s -= 8) {
      var ca = (pa >> s) & 255, cb = (pb >> s) & 255;
      out = (out << 8) | Math.round(ca + (cb - ca) * t);
    }
    return "#" + ("000000" + out.toString(16)).slice(-6);
  }
  function colour(v, max) {
    if (v === null || v === undefined) return "#1a2b44";
    var t = max > 0 ? Math.min(1, v / max) : 0, k = t * (COLORS.length - 1), i = Math.min(COLORS.length - 2, Math.floor(k));
    return mix(COLORS[i], COLORS[i + 1], k - i);
  }

  function tileGraphics(chart, url) {
    // Raster tiles of a deployment's own tile server, placed under the boundaries at zoom 9.
    if (!url) return [];
    var z = 9, n = Math.pow(2, z), out = [];
    function lon2x(lon) { return Math.floor((lon + 180) / 360 * n); }
    function lat2y(lat) { var r = lat * Math.PI / 180; return Math.floor((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2 * n); }
    function x2lon(x) { return x / n * 360 - 180; }
    function y2lat(y) { var m = Math.PI - 2 * Math.PI * y / n; return 180 / Math.PI * Math.atan(0.5 * (Math.exp(m) - Math.exp(-m))); }
    for (var x = lon2x(115.8); x <= lon2x(117.7); x++) {
      for (var y = lat2y(36.1); y <= lat2y(34.4); y++) {
        var a = chart.convertToPixel({ geoIndex: 0 }, [x2lon(x), y2lat(y)]);
        var b = chart.convertToPixel({ geoIndex: 0 }, [x2lon(x + 1), y2lat(y + 1)]);
        if (!a || !b) continue;
        out.push({ type: "image", z: -10, silent: true, style: { image: url.replace("{z}", z).replace("{x}", x).replace("{y}", y),
          x: a[0], y: a[1], width: b[0] - a[0], height: b[1] - a[1], opacity: 0.5 } });
      }
    }
    return out;
  }

  function drawMap(d) {
    var el = document.getElementById("cockpit-map");
    if (!el || !state.geo || !d) return;
    if (!state.map) {
      state.map = window.echarts.init(el, null, { renderer: "canvas" });
      state.map.on("click", function (p) { go((p.data && p.data.url) || state.urls[p.name]); });
      window.addEventListener("resize", function () { state.map.resize(); drawMap(data()); });
    }
    var mode = state.mode, counties = [], zones = [], max = 0;
    d.units.forEach(function (u) { var v = u[mode]; if (typeof v === "number" && v > max) max = v; });
    var label = d.modes.filter(function (m) { return m.key === mode; })[0].label;
    var link = mode === "overdue_share" ? "overdue_url" : "received_url";
    d.units.forEach(function (u) {
      var v = u[mode], item = { name: u.name, value: v, url: u[link], itemStyle: { areaColor: colour(v, max), color: colour(v, max) } };
      if (u.anchor) { item.value = [u.anchor[0], u.anchor[1], v]; zones.push(item); } else { counties.push(item); }
    });
    state.urls = {};
    counties.concat(zones).forEach(function (c) { state.urls[c.name] = c.url; });
    state.map.setOption({
      animation: false,
      backgroundColor: "transparent",
      tooltip: { renderMode: "richText", formatter: function (p) {
        var v = Array.isArray(p.value) ? p.value[2] : p.value;
        return p.seriesIndex === 2 ? p.name + "\n" + v + "件" : p.name + "\n" + label + "：" + (v === null || v === undefined || isNaN(v) ? "—" : v);
      } },
      geo: { map: "jining", roam: false, triggerEvent: true, layoutCenter: ["50%", "52%"], layoutSize: "96%",
        label: { show: true, color: "#e8f1fb", fontSize: 13 },
        itemStyle: { areaColor: "#1a2b44", borderColor: "#7fb2e5", borderWidth: 1 },
        emphasis: { label: { color: "#fff" }, itemStyle: { areaColor: "#4fc3f7" } }, select: { disabled: true },
        regions: counties.map(function (c) { return { name: c.name, itemStyle: { areaColor: c.itemStyle.areaColor } }; }) },
      series: [
        { type: "map", geoIndex: 0, name: label, data: counties },
        { type: "scatter", coordinateSystem: "geo", name: d.labels.zone, data: zones, symbolSize: 18,
          label: { show: true, formatter: "{b}", position: "bottom", color: "#fff", fontSize: 11 },
          itemStyle: { borderColor: "#fff", borderWidth: 1.5 } },
        { type: "effectScatter", coordinateSystem: "geo", name: d.labels.events, data: d.events.map(function (e) {
            return { name: e.name, value: e.value, url: e.url }; }),
          symbolSize: function (v) { return Math.min(28, 8 + Math.sqrt(v[2]) * 3); },
          itemStyle: { color: "#ff5a4e" }, rippleEffect: { scale: 2.5 }, zlevel: 1 }
      ]
    }, { replaceMerge: ["series"] });
    // The tiles are placed with the geo component's projection, which exists only once the
    // option above is set (asked before, convertToPixel throws and the map never finished).
    state.map.setOption({ graphic: tileGraphics(state.map, d.tiles) }, { replaceMerge: ["graphic"] });
    // The effect points animate for ever, so "finished" never comes: mark the map drawn once set.
    el.setAttribute("data-drawn", String(state.geo.features.length));
  }

  function slices(items, other) {
    // The donut shows the largest channels (at most MAX_SLICES - 1, each at least MIN_SHARE of
    // the month) by name and gathers the tail into one 其他 slice (its tooltip lists them); the
    // list under the chart links every channel.
    var MAX_SLICES = 6, MIN_SHARE = 0.04, total = 0, keep = [], rest = [];
    items.forEach(function (c) { total += c.value; });
    items.slice().sort(function (a, b) { return b.value - a.value; }).forEach(function (c, i) {
      (i === 0 || (i < MAX_SLICES - 1 && c.value >= MIN_SHARE * total) ? keep : rest).push(c);
    });
    if (rest.length === 1) keep.push(rest.pop());  // one small channel keeps its own name
    if (!rest.length) return keep;
    var n = 0; rest.forEach(function (c) { n += c.value; });
    keep.push({ name: other, value: n, url: "", itemStyle: { color: "#5b6f8a" },
                parts: rest.map(function (c) { return c.name + " " + c.value; }) });
    return keep;
  }

  function drawSmall(d) {
    var tEl = document.getElementById("cockpit-trend"), cEl = document.getElementById("cockpit-channels");
    if (tEl && d) {
      var old = window.echarts.getInstanceByDom(tEl); if (old) old.dispose();
      var t = window.echarts.init(tEl, null, { renderer: "canvas" });
      t.setOption({ animation: false, tooltip: { trigger: "axis", renderMode: "richText" },
        legend: { data: [d.labels.received, d.labels.year_ago], textStyle: { color: "#8aa2c0" }, top: 0 },
        grid: { left: 8, right: 12, top: 26, bottom: 4, containLabel: true },
        xAxis: { type: "category", data: d.trend.labels, axisLabel: { color: "#8aa2c0" } },
        yAxis: { type: "value", axisLabel: { color: "#8aa2c0" }, splitLine: { lineStyle: { color: "#1e3a62" } } },
        series: [{ name: d.labels.received, type: "line", data: d.trend.received, itemStyle: { color: "#4fc3f7" }, areaStyle: { opacity: 0.15 } },
                 { name: d.labels.year_ago, type: "line", data: d.trend.year_ago, itemStyle: { color: "#8aa2c0" }, lineStyle: { type: "dashed" } }] });
      t.on("click", function (p) { go(d.trend.links[p.dataIndex]); });
    }
    if (cEl && d) {
      var oldc = window.echarts.getInstanceByDom(cEl); if (oldc) oldc.dispose();
      var c = window.echarts.init(cEl, null, { renderer: "canvas" });
      c.setOption({ animation: false,
        tooltip: { renderMode: "richText", formatter: function (p) {
          return p.data.parts ? p.name + " " + p.value + "\n" + p.data.parts.join("\n") : p.name + " " + p.value + "（" + p.percent + "%）";
        } },
        series: [{ type: "pie", radius: ["38%", "62%"], center: ["50%", "52%"], data: slices(d.channels, d.labels.other),
          avoidLabelOverlap: true, minShowLabelAngle: 6, labelLayout: { hideOverlap: true },
          label: { color: "#d8e4f2", fontSize: 11, width: 120, overflow: "truncate",
            formatter: function (p) { return p.name + " " + Math.round(p.percent) + "%"; } },
          labelLine: { length: 6, length2: 8 },
          itemStyle: { borderColor: "#0d2341", borderWidth: 2 } }] });
      c.on("click", function (p) { go(p.data && p.data.url); });
    }
  }

  function modes() {
    document.querySelectorAll(".ck-mode").forEach(function (b) {
      b.addEventListener("click", function () {
        state.mode = b.getAttribute("data-mode");
        document.querySelectorAll(".ck-mode").forEach(function (o) {
          o.classList.toggle("on", o === b); o.setAttribute("aria-pressed", o === b ? "true" : "false");
        });
        drawMap(data());
      });
    });
  }

  function init() {
    if (!window.echarts) return;
    var d = data();
    if (!d) return;
    modes();
    drawSmall(d);
    fetch(d.geojson, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (geo) {
      state.geo = geo;
      window.echarts.registerMap("jining", geo);
      drawMap(data());
    });
    document.body.addEventListener("htmx:afterSettle", function () { var nd = data(); drawSmall(nd); drawMap(nd); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
