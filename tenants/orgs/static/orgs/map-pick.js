// The organization edit form's map: click or drag the marker to fill the latitude and
// longitude fields (which stay editable); typing numbers moves the marker; "按地址定位"
// asks the configured geocoder. Background: the e-map's tiles, else the county boundary.
(function () {
  "use strict";
  var el = document.getElementById("map-pick");
  if (!el || !window.L) return;
  var lat = document.getElementById(el.dataset.lat), lng = document.getElementById(el.dataset.lng);
  var statusEl = document.getElementById("map-pick-status");
  if (!lat || !lng) return;
  function say(text) { statusEl.textContent = text; }
  function num(v) { var n = parseFloat(v); return isNaN(n) ? null : n; }
  var map = L.map(el, { zoomSnap: 0.25 });
  // Leaflet's own credit is English with a national flag: a short Chinese credit instead.
  map.attributionControl.setPrefix("地图：Leaflet");
  var marker = null, hasTiles = false;
  function put(latlng, pan) {
    if (!marker) {
      marker = L.marker(latlng, { draggable: true, title: "组织位置", alt: "组织位置" }).addTo(map);
      marker.on("dragend", function () { fill(marker.getLatLng()); });
    } else {
      marker.setLatLng(latlng);
    }
    // with tiles, zoom in to the streets; over the bare boundary, keep the county in view
    if (pan) map.setView(latlng, hasTiles ? Math.max(map.getZoom() || 0, 14) : map.getZoom() || 9);
  }
  function fill(ll) {
    lat.value = ll.lat.toFixed(6);
    lng.value = ll.lng.toFixed(6);
    say("已选定位置：纬度 " + lat.value + "，经度 " + lng.value + "。保存后生效。");
  }
  map.on("click", function (e) { put(e.latlng, false); fill(e.latlng); });
  [lat, lng].forEach(function (input) {
    input.addEventListener("change", function () {
      var a = num(lat.value), b = num(lng.value);
      if (a !== null && b !== null) put([a, b], true);
    });
  });
  fetch(el.dataset.base, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
    hasTiles = !!data.tiles;
    if (data.tiles) {
      L.tileLayer(data.tiles.url, { subdomains: data.tiles.subdomains, attribution: data.tiles.attribution, maxZoom: 18 }).addTo(map);
    }
    var bounds = null;
    if (data.boundaries && data.boundaries.features.length) {
      // not interactive: a click on the county goes to the map and places the marker
      var layer = L.geoJSON(data.boundaries, { interactive: false, style: { color: "#8e1414", weight: 1.5, fillColor: "#ffcdd2", fillOpacity: data.tiles ? 0.1 : 0.45 } }).addTo(map);
      bounds = layer.getBounds();
    }
    var a = num(lat.value), b = num(lng.value);
    if (bounds) map.fitBounds(bounds, { padding: [10, 10] });
    else map.setView(data.center, 10);
    if (a !== null && b !== null) { put([a, b], false); if (hasTiles || !bounds) map.setView([a, b], hasTiles ? 14 : 10); }
    if (!data.tiles) say("未配置底图服务，底图为县区示意边界。");
    el.dataset.rendered = "1";
  });
  var button = document.getElementById("map-geocode"), address = document.getElementById("map-address");
  if (button && address) {
    var lookup = function () {
      say("正在查找地址……");
      fetch(button.dataset.url + "?address=" + encodeURIComponent(address.value), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (d) {
          if (!d.found) { say(d.message); return; }
          put([d.lat, d.lng], true);
          fill({ lat: d.lat, lng: d.lng });
          say("已按地址“" + d.label + "”定位，可拖动标记微调。保存后生效。");
        })
        .catch(function () { say("地址解析服务暂时不可用，请在地图上点选。"); });
    };
    button.addEventListener("click", lookup);
    address.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); lookup(); } });
  }
})();
