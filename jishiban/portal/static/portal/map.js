// The submit form's offline map (ECharts from our own static files, no tiles unless the deployment
// runs a tile server: JISHIBAN_MAP_TILE_URL). A tap asks the server which county, town and grid the
// point lies in, fills the hidden coordinates and the county/town choices, and shows the place in
// words. Without scripts the section stays hidden and the address is the way; it never replaces it.
(function () {
  "use strict";
  var MAP = "portal-jining";

  function getJSON(url, params) {
    return fetch(url + "?" + new URLSearchParams(params).toString(),
                 { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .catch(function () { return { ok: false, body: { error: "网络不通，请稍后再试，或只填写地址" } }; });
  }

  // Raster tiles of the deployment's own server for the part of the map in view, at the zoom
  // that matches the map's scale; placed under the boundaries and redrawn after each zoom or pan.
  function tiles(chart, url) {
    if (!url) { return []; }
    var a = chart.convertFromPixel({ geoIndex: 0 }, [0, 0]);
    var b = chart.convertFromPixel({ geoIndex: 0 }, [chart.getWidth(), chart.getHeight()]);
    if (!a || !b) { return []; }
    var degPerPx = Math.abs(b[0] - a[0]) / chart.getWidth();
    var z = Math.max(7, Math.min(18, Math.round(Math.log(360 / (256 * degPerPx)) / Math.LN2)));
    var n = Math.pow(2, z);
    function x(lon) { return Math.floor((lon + 180) / 360 * n); }
    function y(lat) { var r = lat * Math.PI / 180; return Math.floor((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2 * n); }
    function lon(tx) { return tx / n * 360 - 180; }
    function lat(ty) { var m = Math.PI - 2 * Math.PI * ty / n; return 180 / Math.PI * Math.atan(0.5 * (Math.exp(m) - Math.exp(-m))); }
    var out = [];
    for (var tx = x(Math.min(a[0], b[0])); tx <= x(Math.max(a[0], b[0])) && out.length < 80; tx++) {
      for (var ty = y(Math.max(a[1], b[1])); ty <= y(Math.min(a[1], b[1])) && out.length < 80; ty++) {
        var p = chart.convertToPixel({ geoIndex: 0 }, [lon(tx), lat(ty)]);
        var q = chart.convertToPixel({ geoIndex: 0 }, [lon(tx + 1), lat(ty + 1)]);
        out.push({ type: "image", z: -10, silent: true, style: {
          image: url.replace("{z}", z).replace("{x}", tx).replace("{y}", ty),
          x: p[0], y: p[1], width: q[0] - p[0], height: q[1] - p[1], opacity: 0.6 } });
      }
    }
    return out;
  }

  function setup(section) {
    var form = section.closest("form");
    var el = section.querySelector("[data-map-canvas]");
    var place = section.querySelector("[data-map-place]");
    var clear = section.querySelector("[data-map-clear]");
    var latIn = form.querySelector("[data-map-lat]"), lonIn = form.querySelector("[data-map-lon]");
    var address = form.querySelector("input[name=address]");
    var county = form.querySelector("select[name=county]");
    var counties = null, loaded = {}, grids = [], chart = null, countyOf = {}, filled = null;
    section.hidden = false;

    function features() { return counties.features.concat(grids); }
    function marker() {
      return latIn.value ? [{ name: "", value: [parseFloat(lonIn.value), parseFloat(latIn.value)] }] : [];
    }
    function draw() {
      chart.setOption({
        graphic: tiles(chart, section.dataset.tiles),
        series: [{ id: "point", type: "scatter", coordinateSystem: "geo", geoIndex: 0, symbol: "pin", symbolSize: 34,
          itemStyle: { color: "#b3261e" }, data: marker(), silent: true, z: 5 }]
      }, { replaceMerge: ["graphic"] });
    }
    function registerAndDraw() {
      window.echarts.registerMap(MAP, { type: "FeatureCollection", features: features() });
      var old = chart.getOption() && chart.getOption().geo ? chart.getOption().geo[0] : null;
      chart.setOption({ geo: { map: MAP, roam: true, triggerEvent: true, layoutCenter: ["50%", "50%"], layoutSize: "100%", center: old ? old.center : undefined,
        zoom: old ? old.zoom : 1, scaleLimit: { min: 1, max: 400 }, selectedMode: false,
        label: labels(),
        itemStyle: { areaColor: section.dataset.tiles ? "rgba(255,255,255,.15)" : "#ffffff", borderColor: "#57606a", borderWidth: 1 },
        emphasis: { itemStyle: { areaColor: "#dbeafe" }, label: { show: true } } } });
      draw();
    }
    // A grid's label is drawn only when it fits inside the grid's own box at the present zoom, so
    // a whole county's grids do not pile their names on top of each other; counties always.
    var labelOf = {}, boxOf = {}, fits = {}, fitting = "";
    function box(geometry) {
      var b = [Infinity, Infinity, -Infinity, -Infinity];
      (function walk(c) {
        if (typeof c[0] === "number") {
          b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]); b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]);
        } else { c.forEach(walk); }
      })(geometry.coordinates);
      return b;
    }
    // Which grids' labels fit now; whether that changed since the last measure.
    function measure() {
      fits = {};
      Object.keys(boxOf).forEach(function (name) {
        var b = boxOf[name];
        var p = chart.convertToPixel({ geoIndex: 0 }, [b[0], b[1]]), q = chart.convertToPixel({ geoIndex: 0 }, [b[2], b[3]]);
        if (p && q && Math.abs(q[0] - p[0]) >= 12 * labelOf[name].length + 8 && Math.abs(q[1] - p[1]) >= 20) { fits[name] = true; }
      });
      var now = Object.keys(fits).join("|"), changed = now !== fitting;
      fitting = now;
      return changed;
    }
    function labels() {
      return { show: true, fontSize: 12, color: "#1f2328", formatter: function (p) {
        if (!labelOf[p.name]) { return p.name; }
        return fits[p.name] ? labelOf[p.name] : "";
      } };
    }
    function relabel() {
      if (measure()) { chart.setOption({ geo: { label: labels() } }); }
    }
    function tell(text) { place.textContent = text; }

    function loadGrids(code) {
      if (!code || loaded[code]) { return; }
      loaded[code] = true;
      getJSON(section.dataset.grids, { county: code }).then(function (r) {
        if (!r.ok || !r.body.features.length) { return; }
        r.body.features.forEach(function (f) {
          labelOf[f.properties.name] = f.properties.label;
          boxOf[f.properties.name] = box(f.geometry);
        });
        grids = grids.concat(r.body.features);
        measure();  // registerAndDraw sets the labels
        registerAndDraw();
      });
    }

    function pick(lonLat, regionName) {
      var hint = countyOf[regionName] || "";
      latIn.value = lonLat[1].toFixed(6);
      lonIn.value = lonLat[0].toFixed(6);
      draw();
      tell("正在查找这个位置所在的街道和网格…");
      getJSON(section.dataset.point, { lat: latIn.value, lon: lonIn.value, county: hint }).then(function (r) {
        if (!r.ok) { latIn.value = lonIn.value = ""; draw(); tell(r.body.error || "没有找到这个位置，请重新点选"); return; }
        var d = r.body;
        clear.hidden = false;
        if (d.county) {
          county.value = d.county.code;
          // portal.js fills the town choices (the same list the address lookup fills).
          form.dispatchEvent(new CustomEvent("map-place", { detail: { towns: d.towns, town: d.town ? d.town.code : "" } }));
          loadGrids(d.county.code);
        }
        var name = d.name || "济宁市";
        tell("已选位置：" + name + (d.grid ? "" : "（此处暂无网格边界）") + "，坐标 " + d.lat + ", " + d.lon +
             "。县市区和乡镇街道已按位置填写，请确认。");
        // Fill the address when it is empty or still what an earlier tap put there; never
        // overwrite what the citizen typed.
        if (!address.value.trim() || address.value === filled) { address.value = filled = name; }
      });
    }

    fetch(section.dataset.counties, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (geo) {
      counties = geo;
      geo.features.forEach(function (f) { countyOf[f.properties.name] = f.properties.code; });
      chart = window.echarts.init(el, null, { renderer: "canvas" });
      registerAndDraw();
      chart.on("click", function (p) {
        if (p.componentType !== "geo" || !p.event) { return; }
        var at = chart.convertFromPixel({ geoIndex: 0 }, [p.event.offsetX, p.event.offsetY]);
        if (!at) { return; }
        if (countyOf[p.name]) { loadGrids(countyOf[p.name]); }
        // A first tap on the whole city zooms in on that place, so the next tap can be exact.
        var g = chart.getOption().geo[0];
        if ((g.zoom || 1) < 4) { chart.setOption({ geo: { center: at, zoom: 6 } }); relabel(); }
        pick(at, p.name);
      });
      chart.on("georoam", function () { draw(); relabel(); });
      window.addEventListener("resize", function () { chart.resize(); draw(); });
      if (latIn.value && lonIn.value) { tell("已选择地图位置，坐标 " + latIn.value + ", " + lonIn.value); clear.hidden = false; }
      el.setAttribute("data-drawn", String(geo.features.length));
    }).catch(function () { section.hidden = true; });

    clear.addEventListener("click", function () {
      latIn.value = lonIn.value = "";
      clear.hidden = true;
      tell("已清除地图位置，将只按地址办理。");
      draw();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var section = document.querySelector("[data-map]");
    if (section && window.echarts) { setup(section); }
  });
})();
