// Party-building e-map: county boundaries (GeoJSON standards), organizations clustered by
// county and category (city) or one marker each (county). Tiles only when configured.
(function () {
  "use strict";
  var el = document.getElementById("emap");
  if (!el || !window.L) return;
  var COLORS = ["#b71c1c", "#e65100", "#f9a825", "#2e7d32", "#00838f", "#1565c0", "#6a1b9a", "#6d4c41", "#546e7a"];
  function color(code) { var n = parseInt(code, 10); return isNaN(n) ? "#757575" : COLORS[(n - 1) % COLORS.length]; }
  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]; }); }
  function figures(f) { return Object.keys(f).map(function (k) { return esc(k) + "：" + f[k]; }).join("<br>"); }

  var map = L.map(el, { zoomSnap: 0.25, attributionControl: true });
  fetch(el.dataset.url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
    if (data.tiles) {
      L.tileLayer(data.tiles.url, { subdomains: data.tiles.subdomains, attribution: data.tiles.attribution, maxZoom: 18 }).addTo(map);
    }
    var bounds = null;
    if (data.boundaries && data.boundaries.features.length) {
      var layer = L.geoJSON(data.boundaries, {
        style: function (f) { return { color: "#8e1414", weight: 1.5, fillColor: f.properties.rolled ? "#ffcdd2" : "#eeeeee", fillOpacity: 0.55 }; },
        onEachFeature: function (f, l) {
          var p = f.properties;
          l.bindTooltip(esc(p.name), { permanent: true, direction: "center", className: "emap-label" });
          var body = "<strong>" + esc(p.name) + "</strong><br>" + (p.rolled ? "党员：" + p.members + "<br>党组织：" + p.orgs : "尚未开通或尚未汇总");
          if (p.rolled && el.dataset.drill) body += '<br><a href="' + el.dataset.drill + p.tenant + '/">查看县区详情</a>';
          l.bindPopup(body);
        }
      }).addTo(map);
      bounds = layer.getBounds();
    }
    var seen = {};
    (data.clusters || []).forEach(function (c) {
      var size = 24 + Math.min(30, Math.round(Math.sqrt(c.orgs) * 4));
      var icon = L.divIcon({ className: "", html: '<div class="emap-cluster" style="background:' + color(c.category) + ";width:" + size + "px;height:" + size + "px;line-height:" + (size - 4) + 'px">' + c.orgs + "</div>", iconSize: [size, size] });
      L.marker([c.lat, c.lng], { icon: icon, title: c.county + " " + c.category_name })
        .bindPopup("<strong>" + esc(c.county) + " · " + esc(c.category_name) + "</strong><br>党组织：" + c.orgs + "<br>" + figures(c.figures)).addTo(map);
      seen[c.category_name] = color(c.category);
    });
    (data.markers || []).forEach(function (m) {
      L.circleMarker([m.lat, m.lng], { radius: 7, color: "#fff", weight: 2, fillColor: color(m.category), fillOpacity: 0.95 })
        .bindPopup("<strong>" + esc(m.name) + "</strong><br>" + esc(m.category_name) + "<br>" + figures(m.figures)).addTo(map);
      seen[m.category_name] = color(m.category);
    });
    document.getElementById("emap-legend").innerHTML = Object.keys(seen).map(function (k) { return '<span style="--c:' + seen[k] + '">' + esc(k) + "</span>"; }).join("");
    var status = [];
    if (!data.tiles) status.push("未配置底图服务，仅显示行政区划示意边界。");
    if (data.unlocated) status.push(data.unlocated + " 个党组织尚未标注位置。");
    if (!(data.clusters || []).length && !(data.markers || []).length) status.push("暂无已标注位置的党组织。");
    document.getElementById("emap-status").textContent = status.join(" ");
    if (bounds) map.fitBounds(bounds, { padding: [10, 10] }); else map.setView([38.28, 109.73], 8);
    el.dataset.rendered = "1";
  });
})();
