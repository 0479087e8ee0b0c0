// The lesson player (tenants/learning/templates/learning/lesson.html): reports study
// progress to the server, which alone decides what is credited (tenants/learning/study.py).
// A video or audio lesson reports while it plays; an article or document while the page
// is visible. Every 15 s one event with a growing sequence number and the position. A
// refusal is shown calmly; when the session is over (another device, the day changed,
// ended) the member may start again with 继续学习. Nothing is forced or counted down.
(function () {
  "use strict";
  var root = document.getElementById("player");
  if (!root) return;
  var EVERY = 15000;
  var DEVICE_KEY = "zhdj-learning-device";
  var kind = root.getAttribute("data-kind");
  var media = root.querySelector("video, audio");
  var lessonCredited = root.querySelector("[data-testid=lesson-credited]");
  var sessionLine = root.querySelector("[data-testid=session-line]");
  var sessionCredited = root.querySelector("[data-testid=session-credited]");
  var message = root.querySelector("[data-testid=player-message]");
  var resume = root.querySelector("[data-testid=resume]");
  var session = null;
  var seq = 0;
  var timer = null;
  var starting = null;
  var stopped = false; // refused for good: waits for 继续学习

  function device() {
    var id = null;
    try { id = window.localStorage.getItem(DEVICE_KEY); } catch (e) { id = null; }
    if (!id) {
      id = (window.crypto && window.crypto.randomUUID) ? window.crypto.randomUUID()
        : String(Date.now()) + "-" + String(Math.random()).slice(2);
      try { window.localStorage.setItem(DEVICE_KEY, id); } catch (e) { /* private mode */ }
    }
    return id;
  }

  function duration(seconds) {
    seconds = Math.max(0, Math.floor(seconds || 0));
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m ? (m + " 分 " + s + " 秒") : (s + " 秒");
  }

  function say(text) {
    message.textContent = text || "";
    message.hidden = !text;
  }

  function post(path, body) {
    return fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": root.getAttribute("data-csrf") },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        return { status: r.status, data: data };
      });
    });
  }

  function position() { return media ? (media.currentTime || 0) : 0; }

  function start() {
    if (starting) return starting;
    stopped = false;
    say("");
    resume.hidden = true;
    starting = post(root.getAttribute("data-sessions"), {
      lesson: root.getAttribute("data-lesson"), device: device(), position: position()
    }).then(function (res) {
      starting = null;
      if (res.status !== 201) {
        var errs = (res.data && res.data.errors) || {};
        var first = Object.keys(errs).map(function (k) { return errs[k][0]; })[0];
        say(first || (res.data && res.data.detail) || "暂时无法开始记录学习时长，请稍后再试。");
        return false;
      }
      session = res.data.session;
      seq = 0;
      sessionCredited.textContent = duration(0);
      sessionCredited.setAttribute("data-seconds", "0");
      sessionLine.hidden = false;
      return true;
    }, function () {
      starting = null;
      say("网络连接中断，学习时长暂未记录，恢复后会继续记录。");
      return false;
    });
    return starting;
  }

  function report() {
    if (!session || stopped) return;
    seq += 1;
    post("/api/learning/sessions/" + session + "/progress/", { seq: seq, position: position() })
      .then(function (res) {
        var d = res.data || {};
        if (typeof d.lesson_seconds === "number") {
          lessonCredited.textContent = duration(d.lesson_seconds);
          lessonCredited.setAttribute("data-seconds", String(d.lesson_seconds));
        }
        if (typeof d.session_seconds === "number") {
          sessionCredited.textContent = duration(d.session_seconds);
          sessionCredited.setAttribute("data-seconds", String(d.session_seconds));
        }
        if (res.status === 200) { if (!message.hidden && !stopped) say(""); return; }
        if (res.status === 409) { refused(d); return; }
        say("学习时长暂未记录，稍后会继续尝试。");
      }, function () {
        say("网络连接中断，学习时长暂未记录，恢复后会继续记录。");
      });
  }

  function refused(d) {
    var text = (d.errors && d.errors.__all__ && d.errors.__all__[0]) || "本次进度未计入学时。";
    if (d.refused === "paused" || d.refused === "ended" || d.refused === "day") {
      stopped = true;
      session = null;
      halt();
      if (media && !media.paused) media.pause();
      if (d.refused === "paused") text = "您已在另一个页面或另一台设备上继续学习，这里已暂停记录。";
      say(text);
      resume.hidden = false;
    } else if (d.refused === "too_fast") {
      // The member skipped ahead: time is counted again from the new place.
      session = null;
      start();
    } else {
      say(text);
    }
  }

  function run() {
    if (timer) return;
    timer = window.setInterval(report, EVERY);
  }
  function halt() {
    if (timer) { window.clearInterval(timer); timer = null; }
  }

  resume.addEventListener("click", function () {
    start().then(function (ok) {
      if (!ok) return;
      if (media) { media.play().catch(function () { /* the member presses play */ }); }
      else if (document.visibilityState === "visible") run();
    });
  });

  if (media) {
    media.addEventListener("play", function () {
      if (stopped) return; // waits for 继续学习
      (session ? Promise.resolve(true) : start()).then(function (ok) { if (ok) run(); });
    });
    media.addEventListener("pause", function () { halt(); report(); });
    media.addEventListener("ended", function () { halt(); report(); });
    return;
  }

  // An article or a document: study while the page is in view.
  document.addEventListener("visibilitychange", function () {
    if (stopped) return;
    if (document.visibilityState === "visible") {
      (session ? Promise.resolve(true) : start()).then(function (ok) { if (ok) run(); });
    } else {
      halt();
      report();
    }
  });
  if (kind && document.visibilityState === "visible") {
    start().then(function (ok) { if (ok) run(); });
  }
})();
