// Grids drawn from GeoJSON by ECharts (no tiles: works offline); a town or community choice
// reloads only its grids. Clicking a grid drills down to its community.
(function () {
  "use strict";
  var el = document.getElementById("grid-map");
  if (!el || !window.echarts) { return; }
  var form = document.getElementById("map-filter");
  var town = document.getElementById("map-town");
  var community = document.getElementById("map-community");
  var summary = document.getElementById("map-summary");
  var chart = window.echarts.init(el);
  var n = 0;

  function filterCommunities() {
    Array.prototype.forEach.call(community.options, function (o) {
      o.hidden = !!(o.value && town.value && o.dataset.town !== town.value);
    });
  }
  function load() {
    var q = new URLSearchParams({town: town.value, community: community.value});
    fetch(form.dataset.url + "?" + q.toString(), {credentials: "same-origin"}).then(function (r) { return r.json(); })
      .then(function (geo) {
        n += 1;
        var name = "grids" + n;
        window.echarts.registerMap(name, geo);
        var values = geo.features.map(function (f) {
          var p = f.properties;
          return {name: p.name, value: p.appeals + p.events, label: p.label, appeals: p.appeals, events: p.events,
                  community: p.community};
        });
        var max = values.reduce(function (m, v) { return Math.max(m, v.value); }, 1);
        chart.setOption({
          tooltip: {formatter: function (x) {
            var d = x.data || {};
            return (d.label || x.name) + "<br>" + el.dataset.appeals + " " + (d.appeals || 0) + " · " +
              el.dataset.events + " " + (d.events || 0);
          }},
          visualMap: {min: 0, max: max, calculable: true, left: 8, bottom: 8, inRange: {color: ["#e8f5e9", "#ffd54f", "#e53935"]}},
          series: [{type: "map", map: name, roam: true, data: values, emphasis: {label: {show: false}},
                    select: {disabled: true}}]
        }, true);
        summary.textContent = geo.features.length ? "" : el.dataset.empty;
        summary.dataset.count = String(geo.features.length);
      });
  }
  chart.on("click", function (x) {
    var opt = Array.prototype.find.call(community.options, function (o) { return o.textContent === (x.data || {}).community; });
    if (opt && community.value !== opt.value) { town.value = opt.dataset.town; community.value = opt.value; load(); }
  });
  town.addEventListener("change", function () { community.value = ""; filterCommunities(); load(); });
  community.addEventListener("change", function () {
    var opt = community.options[community.selectedIndex];
    if (opt && opt.value) { town.value = opt.dataset.town; filterCommunities(); }
    load();
  });
  window.addEventListener("resize", function () { chart.resize(); });
  filterCommunities();
  load();
})();
