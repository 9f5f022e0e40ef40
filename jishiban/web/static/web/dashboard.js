/* Dashboard charts (ECharts served from node_modules through staticfiles). Tooltips are drawn
   on the canvas (renderMode richText): ECharts' HTML tooltips carry style attributes, which the
   Content-Security-Policy refuses. */
(function () {
  "use strict";
  function init() {
    var node = document.getElementById("dashboard-data");
    if (!node || !window.echarts) return;
    var d = JSON.parse(node.textContent);
    var charts = [];
    function chart(id, option) {
      var el = document.getElementById(id);
      if (!el) return;
      var c = window.echarts.init(el, null, { renderer: "canvas" });
      c.setOption(Object.assign({ animation: false, tooltip: { trigger: "axis", renderMode: "richText" },
        grid: { left: 48, right: 16, top: 30, bottom: 40, containLabel: true } }, option));
      charts.push(c);
    }
    var empty = { title: { text: d.empty, left: "center", top: "middle", textStyle: { color: "#999", fontSize: 14 } } };
    chart("chart-trend", {
      legend: { data: d.trend.names },
      xAxis: { type: "category", data: d.trend.labels }, yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: d.trend.names[0], type: "line", data: d.trend.received },
        { name: d.trend.names[1], type: "line", data: d.trend.closed }
      ]
    });
    chart("chart-channel", d.channel.values.length ? {
      tooltip: { trigger: "item", renderMode: "richText" },
      series: [{ type: "pie", radius: ["35%", "65%"], data: d.channel.labels.map(function (l, i) { return { name: l, value: d.channel.values[i] }; }) }]
    } : empty);
    chart("chart-status", d.status.values.length ? {
      xAxis: { type: "category", data: d.status.labels }, yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: d.status.values, itemStyle: { color: "#1f5fad" } }]
    } : empty);
    chart("chart-overdue", d.overdue.values.length ? {
      grid: { left: 8, right: 24, top: 10, bottom: 10, containLabel: true },
      xAxis: { type: "value", minInterval: 1 }, yAxis: { type: "category", data: d.overdue.labels.slice().reverse() },
      series: [{ type: "bar", data: d.overdue.values.slice().reverse(), itemStyle: { color: "#d93025" } }]
    } : empty);
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
