// Party-building e-map: county boundaries (GeoJSON standards) and every located organization
// as a marker, clustered by proximity (leaflet.markercluster: the count shows until zoomed in).
// Tiles only when configured.
(function () {
  "use strict";
  var el = document.getElementById("emap");
  if (!el || !window.L) return;
  var COLORS = ["#b71c1c", "#e65100", "#f9a825", "#2e7d32", "#00838f", "#1565c0", "#6a1b9a", "#6d4c41", "#546e7a"];
  function color(code) { var n = parseInt(code, 10); return isNaN(n) ? "#757575" : COLORS[(n - 1) % COLORS.length]; }
  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]; }); }
  function figures(f) { return Object.keys(f).map(function (k) { return esc(k) + "：" + f[k]; }).join("<br>"); }

  // Beside the city map: one list row per entry, a bar as long as its share of the largest.
  function bars(id, rows, empty) {
    var list = document.getElementById(id);
    if (!list) return;
    list.textContent = "";
    var max = rows.reduce(function (m, r) { return Math.max(m, r.value); }, 0);
    rows.forEach(function (r) {
      var li = document.createElement("li"), name = document.createElement("span");
      var bar = document.createElement("span"), num = document.createElement("span");
      name.textContent = r.name;
      bar.className = "bar";
      bar.style.setProperty("--w", (max ? Math.round(100 * r.value / max) : 0) + "%");
      num.className = "num";
      num.textContent = r.value + " 人";
      li.append(name, bar, num);
      list.appendChild(li);
    });
    if (!rows.length) {
      var none = document.createElement("li");
      none.className = "muted";
      none.textContent = empty;
      list.appendChild(none);
    }
  }

  // Members flowing into each county: a circle over the county (a layer that can be
  // switched off), and the lists beside the map.
  function flowing(f, centers) {
    var layer = L.layerGroup();
    f.inflow.forEach(function (c) {
      if (!c.value || !centers[c.tenant]) return;
      var size = 22 + Math.min(24, Math.round(Math.sqrt(c.value) * 5));
      var box = document.createElement("div");
      box.className = "emap-inflow";
      box.style.width = box.style.height = size + "px";
      box.style.lineHeight = (size - 4) + "px";
      box.textContent = String(c.value);
      var icon = L.divIcon({ className: "", iconSize: [size, size], html: box });
      var title = c.county + "：市内流入党员 " + c.value + " 人";
      layer.addLayer(L.marker(centers[c.tenant], { icon: icon, title: title, alt: title, zIndexOffset: 1000 }).bindTooltip(esc(title)));
    });
    layer.addTo(map);
    L.control.layers(null, { "市内流入党员": layer }, { collapsed: false }).addTo(map);
    bars("emap-inflow", f.inflow.map(function (c) { return { name: c.county, value: c.value }; }), "暂无汇总数据。");
    bars("emap-provinces", f.provinces, "暂无流向市外的流动党员。");
  }

  // maxZoom: the cluster plugin needs one even when no tile layer sets it
  var map = L.map(el, { zoomSnap: 0.25, attributionControl: true, maxZoom: 18 });
  // Leaflet's own credit is English with a national flag: a short Chinese credit instead.
  map.attributionControl.setPrefix("地图：Leaflet");
  fetch(el.dataset.url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
    if (data.tiles) {
      L.tileLayer(data.tiles.url, { subdomains: data.tiles.subdomains, attribution: data.tiles.attribution, maxZoom: 18 }).addTo(map);
    }
    var bounds = null, centers = {};
    if (data.boundaries && data.boundaries.features.length) {
      var layer = L.geoJSON(data.boundaries, {
        style: function (f) { return { color: "#8e1414", weight: 1.5, fillColor: f.properties.rolled ? "#ffcdd2" : "#eeeeee", fillOpacity: 0.55 }; },
        onEachFeature: function (f, l) {
          var p = f.properties;
          l.bindTooltip(esc(p.name), { permanent: true, direction: "center", className: "emap-label" });
          if (p.rolled) centers[p.tenant] = l.getBounds().getCenter();
          var body = "<strong>" + esc(p.name) + "</strong><br>" + (p.rolled ? "党员：" + p.members + "<br>党组织：" + p.orgs +
            (p.inflow != null ? "<br>市内流入党员：" + p.inflow : "") : "尚未开通或尚未汇总");
          if (p.rolled && el.dataset.drill) body += '<br><a href="' + el.dataset.drill + p.tenant + '/">查看县区详情</a>';
          l.bindPopup(body);
        }
      }).addTo(map);
      bounds = layer.getBounds();
    }
    var seen = {};
    function clusterIcon(cluster) {
      var n = cluster.getChildCount(), size = 28 + Math.min(26, Math.round(Math.sqrt(n) * 4));
      // Built as an element, its size set through the CSSOM: the Content Security Policy
      // refuses style attributes in markup (zhdj/web/csp.py).
      var box = document.createElement("div");
      box.className = "emap-cluster";
      box.title = n + " 个党组织";
      box.style.width = box.style.height = size + "px";
      box.style.lineHeight = (size - 4) + "px";
      box.textContent = String(n);
      return L.divIcon({ className: "", iconSize: [size, size], html: box });
    }
    // Without the cluster plugin (not served), the markers go on the map one by one.
    var group = L.markerClusterGroup ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50, iconCreateFunction: clusterIcon }) : L.layerGroup();
    (data.markers || []).forEach(function (m) {
      var dot = document.createElement("div");
      dot.className = "emap-dot";
      dot.style.background = color(m.category);
      var icon = L.divIcon({ className: "", html: dot, iconSize: [16, 16] });
      var title = (m.county ? m.county + " " : "") + m.name;
      var body = "<strong>" + esc(m.name) + "</strong><br>" + esc(m.type_name) + " · " + esc(m.category_name) +
        (m.county ? "<br>" + esc(m.county) : "") + "<br>" + figures(m.figures);
      group.addLayer(L.marker([m.lat, m.lng], { icon: icon, title: title, alt: title }).bindPopup(body));
      seen[m.category_name] = color(m.category);
    });
    group.addTo(map);
    if (data.flowing) flowing(data.flowing, centers);
    var legend = document.getElementById("emap-legend");
    legend.textContent = "";
    Object.keys(seen).forEach(function (k) {
      var item = document.createElement("span");
      item.style.setProperty("--c", seen[k]);
      item.textContent = k;
      legend.appendChild(item);
    });
    var status = [];
    if (!data.tiles) status.push("未配置底图服务，仅显示行政区划示意边界。");
    if (data.unlocated) status.push(data.unlocated + " 个党组织尚未标注位置。");
    if (!(data.markers || []).length) status.push("暂无已标注位置的党组织。");
    document.getElementById("emap-status").textContent = status.join(" ");
    if (bounds) map.fitBounds(bounds, { padding: [10, 10] }); else map.setView([38.28, 109.73], 8);
    el.dataset.rendered = "1";
  });
})();
