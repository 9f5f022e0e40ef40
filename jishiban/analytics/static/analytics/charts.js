/* One bar chart per page from the JSON in #analytics-chart-data (ECharts from node_modules
   through staticfiles; tooltips drawn on the canvas, as the Content-Security-Policy requires). */
(function () {
  "use strict";
  function init() {
    var node = document.getElementById("analytics-chart-data");
    var el = document.getElementById("analytics-chart");
    if (!node || !el || !window.echarts) return;
    var d = JSON.parse(node.textContent);
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", renderMode: "richText" },
      grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: d.labels.length > 8 ? 30 : 0 } },
      yAxis: { type: "value" },
      series: [{ name: d.name, type: "bar", data: d.values, itemStyle: { color: "#1f5fad" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
