// Small ECharts helpers shared by the pages. Data comes from json_script blocks.
//
// Content Security Policy (zhdj/web/csp.py): no inline style attributes. ECharts' SVG
// renderer writes the font of its labels and its root's position as style="…" with
// setAttribute, which the policy refuses; the same text written through the CSSOM is
// allowed (CSP governs markup, not script): SVG elements take their style that way. Its
// HTML tooltips are markup with style attributes: every chart's tooltip is drawn as
// rich text inside the chart instead.
(function () {
  "use strict";
  if (window.SVGElement && !SVGElement.prototype.zhdjCssom) {
    var setAttribute = Element.prototype.setAttribute;
    SVGElement.prototype.setAttribute = function (name, value) {
      if (String(name).toLowerCase() === "style") {
        this.style.cssText = String(value);
        return;
      }
      return setAttribute.call(this, name, value);
    };
    SVGElement.prototype.zhdjCssom = true;
  }
  function richTooltips(option) {
    if (!option || !option.tooltip) return;
    [].concat(option.tooltip).forEach(function (t) { if (t) t.renderMode = "richText"; });
  }
  if (window.echarts && !window.echarts.zhdjCsp) {
    var init = window.echarts.init;
    window.echarts.init = function () {
      var chart = init.apply(this, arguments);
      var setOption = chart.setOption;
      chart.setOption = function (option) {
        richTooltips(option);
        return setOption.apply(chart, arguments);
      };
      return chart;
    };
    window.echarts.zhdjCsp = true;
  }
})();
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
// A ring chart. On a phone the labels beside the ring had no room and were cut to "…":
// two short lines, placed at the chart's edges, always fit.
function zhdjPieOption(el, rows) {
  var narrow = el && el.clientWidth < 480;
  return {
    color: ZHDJ_COLORS,
    tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
    legend: { bottom: 0, type: "scroll" },
    // Kept clear of the legend: labels outside the ring used to run into it.
    series: [{ type: "pie", radius: narrow ? ["28%", "48%"] : ["34%", "58%"], center: ["50%", "44%"],
               avoidLabelOverlap: true, data: rows,
               label: narrow ? { formatter: "{b}\n{c}", alignTo: "edge", edgeDistance: 4 }
                             : { formatter: "{b}：{c}" } }]
  };
}
function zhdjPie(elId, dataId) {
  return zhdjChart(elId, zhdjPieOption(document.getElementById(elId), zhdjData(dataId)));
}
// A bar chart of categories that shows EVERY category label (ECharts hides labels that
// would overlap unless told otherwise): short labels stand under vertical bars; long or
// many labels turn the chart into horizontal bars, each label wrapped on its own line
// beside its bar, and the element grows so that every bar keeps room for its label.
// rows: [{name, value}]; opts.unit names the value axis, opts.integer for counts.
function zhdjBarOption(el, rows, opts) {
  opts = opts || {};
  var names = rows.map(function (d) { return d.name; });
  var values = rows.map(function (d) { return d.value; });
  var longest = names.reduce(function (m, n) { return Math.max(m, String(n).length); }, 0);
  var width = el ? el.clientWidth || 600 : 600;
  // ~13px per CJK character; a vertical bar chart has about width / count pixels per label.
  var horizontal = longest * 13 > width / Math.max(rows.length, 1) - 8;
  var valueAxis = { type: "value", name: opts.unit || "", minInterval: opts.integer === false ? 0 : 1 };
  if (!horizontal) {
    return {
      color: ZHDJ_COLORS, tooltip: { trigger: "axis" },
      grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: names, axisLabel: { interval: 0 } },
      yAxis: valueAxis,
      series: [{ type: "bar", data: values, barMaxWidth: 40 }]
    };
  }
  var labelWidth = Math.min(Math.max(width * 0.38, 72), 180);
  var perLine = Math.max(Math.floor(labelWidth / 13), 1);
  var lines = names.reduce(function (m, n) { return Math.max(m, Math.ceil(String(n).length / perLine)); }, 1);
  if (el) {
    var needed = rows.length * Math.max(24, lines * 16 + 8) + 56;
    if (el.clientHeight < needed) el.style.height = needed + "px";
  }
  valueAxis.position = "top";
  return {
    color: ZHDJ_COLORS, tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    grid: { left: 8, right: 40, top: 28, bottom: 8, containLabel: true },
    xAxis: valueAxis,
    yAxis: { type: "category", data: names, inverse: true,
             axisLabel: { interval: 0, width: labelWidth, overflow: "break", lineHeight: 15 } },
    series: [{ type: "bar", data: values, barMaxWidth: 22, label: { show: true, position: "right" } }]
  };
}
function zhdjBar(elId, dataId, opts) {
  var el = document.getElementById(elId);
  return zhdjChart(elId, zhdjBarOption(el, zhdjData(dataId), opts));
}
