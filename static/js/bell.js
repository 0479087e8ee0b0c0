// Notification bell: a websocket on the county host pushes the unread count.
(function () {
  "use strict";
  var bell = document.getElementById("bell");
  if (!bell || !window.WebSocket) return;
  var count = document.getElementById("bell-count");
  var toast = document.getElementById("toast");
  var lastLatest = null;
  var first = true;
  var delay = 1000;

  function show(state) {
    count.textContent = state.unread > 99 ? "99+" : String(state.unread);
    count.hidden = state.unread === 0;
    bell.setAttribute("aria-label", "消息，未读 " + state.unread + " 条");
    var latest = state.latest ? state.latest.id : null;
    if (!first && latest && latest !== lastLatest && state.unread > 0) {
      toast.textContent = "新消息：" + state.latest.title;
      toast.hidden = false;
      setTimeout(function () { toast.hidden = true; }, 6000);
    }
    lastLatest = latest;
    first = false;
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + location.host + bell.dataset.ws);
    ws.onopen = function () { delay = 1000; bell.dataset.live = "1"; };
    ws.onmessage = function (e) { show(JSON.parse(e.data)); };
    ws.onclose = function (e) {
      bell.dataset.live = "0";
      // The session ended while the page was open (logout, timeout): the reload reaches
      // the login page. Refused from the start: stay (the page itself says who is in).
      if (e.code === 4401 && !first) { location.reload(); return; }
      if (e.code === 4401 || e.code === 4404) return; // signed out or unknown county
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
