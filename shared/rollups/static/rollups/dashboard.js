// City / county dashboard: renders the payload (json_script), and re-renders it when the
// websocket says a rollup landed (the figures come from the page's own data URL).
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  if (!root) return;
  var charts = {};

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function fmt(v) { return v == null ? "—" : Number(v).toLocaleString("zh-CN"); }

  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return;
    if (!charts[id]) {
      charts[id] = echarts.init(el, null, { renderer: "svg" });
      window.addEventListener("resize", function () { charts[id].resize(); });
    } else {
      charts[id].resize();  // the bar helper may have grown the element for its labels
    }
    charts[id].setOption(option, true);
    el.dataset.rendered = "1";
  }

  function kpis(data, previous) {
    var box = document.getElementById("kpis");
    var before = {};
    (previous ? previous.kpis : []).forEach(function (k) { before[k.key] = k.value; });
    box.innerHTML = data.kpis.map(function (k) {
      var changed = previous && before[k.key] !== k.value;
      return '<div class="kpi' + (changed ? " kpi--flash" : "") + '" data-kpi="' + esc(k.key) + '">' +
        '<div class="kpi__label">' + esc(k.label) + "</div>" +
        '<div class="kpi__value" data-value="' + esc(k.value) + '">' + fmt(k.value) +
        '<span class="kpi__unit">' + esc(k.unit) + "</span></div></div>";
    }).join("");
  }

  function table(data) {
    var t = document.getElementById("units");
    var cols = data.columns;
    t.tHead.innerHTML = "<tr><th scope='col'>名称</th>" + cols.map(function (c) {
      return "<th scope='col' class='num'>" + esc(c.label) + "</th>";
    }).join("") + "</tr>";
    var drill = window.ZHDJ_DRILL_BASE;
    t.tBodies[0].innerHTML = data.rows.map(function (r) {
      var href = drill ? drill + r.id + "/" : "";
      var name = href ? '<a href="' + href + '">' + esc(r.name) + "</a>" : esc(r.name);
      return "<tr" + (href ? ' data-href="' + href + '"' : "") + ' data-unit="' + esc(r.name) + '"><th scope="row">' + name + "</th>" +
        cols.map(function (c) { return "<td class='num'>" + fmt(r[c.key]) + "</td>"; }).join("") + "</tr>";
    }).join("") || "<tr><td colspan='" + (cols.length + 1) + "' class='muted'>无下级组织。</td></tr>";
    t.tFoot.innerHTML = "";
  }

  function ranking(data) {
    var rows = data.ranking;
    chart("chart-ranking", {
      color: ZHDJ_COLORS, tooltip: { trigger: "axis" },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: rows.map(function (r) { return r.name; }),
               axisLabel: { interval: 0, width: 110, overflow: "break" } },
      series: [{ type: "bar", data: rows.map(function (r) { return r.value; }), barMaxWidth: 22,
                 label: { show: true, position: "right" } }]
    });
  }

  function trend(data) {
    var empty = document.getElementById("trend-empty");
    var has = data.trend.periods.length > 0;
    empty.hidden = has;
    chart("chart-trend", {
      color: ZHDJ_COLORS, tooltip: { trigger: "axis" },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 8, right: 16, top: 16, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: data.trend.periods },
      yAxis: { type: "value", minInterval: 1, scale: true },
      series: data.trend.series.map(function (s, i) {
        return { name: s.name, type: "line", data: s.data, connectNulls: true,
                 lineStyle: { width: i === 0 ? 3 : 1.5 }, symbolSize: i === 0 ? 6 : 3 };
      })
    });
  }

  function dims(data) {
    var box = document.getElementById("dims");
    var html = data.dimensions.map(function (d) {
      return '<section class="card" data-dimension="' + esc(d.key) + '"><h2>' + esc(d.label) + "</h2>" +
        '<div id="chart-' + esc(d.key.replace(".", "-")) + '" class="chart" role="img" aria-label="' + esc(d.label) + '统计图"></div></section>';
    }).join("");
    if (box.dataset.keys !== data.dimensions.map(function (d) { return d.key; }).join(",")) {
      box.innerHTML = html;
      box.dataset.keys = data.dimensions.map(function (d) { return d.key; }).join(",");
      // The dimension charts' elements were replaced: drop their old instances.
      Object.keys(charts).forEach(function (k) { if (k !== "chart-ranking" && k !== "chart-trend") delete charts[k]; });
    }
    data.dimensions.forEach(function (d) {
      var id = "chart-" + d.key.replace(".", "-");
      if (d.chart === "pie") {
        chart(id, zhdjPieOption(document.getElementById(id), d.rows));
      } else {
        // Every category label shown (charts.js); money is already in 元 in the payload.
        var money = d.unit === "元";
        var option = zhdjBarOption(document.getElementById(id), d.rows, { unit: d.unit, integer: !money });
        if (money) {
          option.tooltip.valueFormatter = function (v) {
            return Number(v).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + " 元";
          };
        }
        chart(id, option);
      }
    });
  }

  var current = null;
  function render(data) {
    if (!data || data.empty) return;
    kpis(data, current);
    table(data);
    ranking(data);
    trend(data);
    dims(data);
    var meta = document.getElementById("dash-meta");
    // Beijing time, formatted by the server (the browser's own zone may be anything).
    var at = data.rolled_at_text || "—";
    meta.textContent = (data.scope === "city" && data.counties != null ? "已汇总 " + data.counties + " 个县区 · " : "") + "数据更新于 " + at;
    root.dataset.rolledAt = data.rolled_at || "";
    current = data;
  }

  function refresh() {
    // A refresh the page makes by itself: it does not keep the session alive (zhdj/web/sessions.py).
    fetch(root.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json", "X-ZHDJ-Background": "1" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { render(data); root.dataset.refreshes = String(Number(root.dataset.refreshes || 0) + 1); } });
  }

  var delay = 1000;
  function connect() {
    if (!window.WebSocket) return;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + location.host + root.dataset.ws);
    ws.onopen = function () { delay = 1000; };
    ws.onmessage = function (e) {
      var msg = JSON.parse(e.data);
      if (msg.type === "hello") root.dataset.live = "1";
      if (msg.type === "rollup") refresh();
    };
    ws.onclose = function (e) {
      var wasLive = root.dataset.live === "1";
      root.dataset.live = "0";
      // The session ended (logout, timeout, ended elsewhere): the reload reaches the login page.
      if (e.code === 4401 && wasLive) { location.reload(); return; }
      if (e.code === 4401 || e.code === 4403 || e.code === 4404) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }

  document.getElementById("units").addEventListener("click", function (e) {
    var tr = e.target.closest("tr[data-href]");
    if (tr && e.target.tagName !== "A") location.href = tr.dataset.href;
  });
  render(JSON.parse(document.getElementById("dash-data").textContent));
  connect();
})();
