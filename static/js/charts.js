// Small ECharts helpers shared by the pages. Data comes from json_script blocks.
function zhdjData(id) {
  var el = document.getElementById(id);
  return el ? JSON.parse(el.textContent) : [];
}
function zhdjChart(elId, option) {
  var el = document.getElementById(elId);
  if (!el || !window.echarts) return null;
  var chart = echarts.init(el, null, { renderer: "svg" });
  chart.setOption(option);
  window.addEventListener("resize", function () { chart.resize(); });
  el.dataset.rendered = "1";
  return chart;
}
var ZHDJ_COLORS = ["#b71c1c", "#f4c542", "#e57373", "#8e1414", "#ffb74d", "#6d4c41", "#90a4ae"];
function zhdjPie(elId, dataId) {
  return zhdjChart(elId, {
    color: ZHDJ_COLORS,
    tooltip: { trigger: "item" },
    legend: { bottom: 0, type: "scroll" },
    // Kept clear of the legend: labels outside the ring used to run into it.
    series: [{ type: "pie", radius: ["34%", "58%"], center: ["50%", "44%"],
               avoidLabelOverlap: true, data: zhdjData(dataId),
               label: { formatter: "{b}：{c}" } }]
  });
}
function zhdjBar(elId, dataId) {
  var data = zhdjData(dataId);
  return zhdjChart(elId, {
    color: ZHDJ_COLORS,
    tooltip: { trigger: "axis" },
    grid: { left: 40, right: 16, top: 16, bottom: 40 },
    xAxis: { type: "category", data: data.map(function (d) { return d.name; }) },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: data.map(function (d) { return d.value; }), barMaxWidth: 40 }]
  });
}
