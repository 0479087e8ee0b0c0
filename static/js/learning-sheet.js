// The answer sheet (tenants/learning/templates/learning/attempt.html). Each answer is
// saved through the API as soon as it changes (typing: after a pause), with a small
// 已保存 under the question, or a visible error and a retry. The countdown runs from the
// server's seconds left; when it ends the page reloads and the server, which keeps the
// deadline, shows the attempt as handed in. Without script the form posts every answer.
(function () {
  "use strict";
  var sheet = document.getElementById("sheet");
  if (!sheet) return;
  var attempt = sheet.getAttribute("data-attempt");
  var csrf = sheet.getAttribute("data-csrf");
  var sheetError = sheet.querySelector("[data-testid=sheet-error]");
  var clock = document.getElementById("countdown");
  var pending = {}; // question id -> timer of a debounced save
  var RETRY = 3000;
  var DEBOUNCE = 600;

  function answerOf(box) {
    var kind = box.getAttribute("data-kind");
    if (kind === "fill") {
      return Array.prototype.map.call(box.querySelectorAll("input[data-blank]"), function (i) {
        return i.value;
      });
    }
    return Array.prototype.filter.call(box.querySelectorAll("input"), function (i) {
      return i.checked;
    }).map(function (i) { return parseInt(i.value, 10); });
  }

  function mark(box, text, bad) {
    var line = box.querySelector("[data-testid=saved]");
    line.textContent = text;
    line.classList.toggle("le-saved--error", !!bad);
  }

  function save(box) {
    var id = box.getAttribute("data-question");
    var answer = answerOf(box);
    var kind = box.getAttribute("data-kind");
    if ((kind === "single" || kind === "judge") && !answer.length) return;
    mark(box, "正在保存…", false);
    fetch("/api/learning/attempts/" + attempt + "/answer/", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ question: parseInt(id, 10), answer: answer })
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (d) {
        return { status: r.status, data: d };
      });
    }).then(function (res) {
      if (res.status === 200) { mark(box, "已保存", false); return; }
      var errs = (res.data && res.data.errors) || {};
      var first = Object.keys(errs).map(function (k) { return errs[k][0]; })[0];
      var text = first || (res.data && res.data.detail) || "保存失败";
      if (text.indexOf("自动交卷") !== -1 || text.indexOf("已经交卷") !== -1) {
        window.location.reload(); // the server closed the attempt: show where it stands
        return;
      }
      mark(box, text + "，请修改后重试。", true);
    }, function () {
      mark(box, "保存失败（网络中断），正在重试…", true);
      later(box, RETRY);
    });
  }

  function later(box, wait) {
    var id = box.getAttribute("data-question");
    if (pending[id]) window.clearTimeout(pending[id]);
    pending[id] = window.setTimeout(function () { delete pending[id]; save(box); }, wait);
  }

  // The 交卷 confirmation (page.js asks it) counts the questions still unanswered, as
  // the server words it when it renders the sheet (views_member.submit_question).
  var submit = sheet.querySelector("[data-testid=submit]");
  function countUnanswered() {
    var boxes = sheet.querySelectorAll("[data-question]");
    return Array.prototype.filter.call(boxes, function (box) {
      return !answerOf(box).some(function (x) { return String(x).trim() !== ""; });
    }).length;
  }
  function updateConfirm() {
    if (!submit) return;
    var n = countUnanswered();
    submit.setAttribute(
      "data-confirm",
      (n ? "还有 " + n + " 题未作答，" : "") + "确定交卷吗？交卷后不能再修改答案。"
    );
  }

  sheet.addEventListener("change", function (event) {
    updateConfirm();
    var box = event.target.closest("[data-question]");
    if (box) later(box, 0);
  });
  sheet.addEventListener("input", function (event) {
    updateConfirm();
    if (event.target.type !== "text") return;
    var box = event.target.closest("[data-question]");
    if (box) later(box, DEBOUNCE);
  });
  updateConfirm();

  // The countdown, from the server's seconds left (the server's clock decides).
  var left = parseInt(sheet.getAttribute("data-seconds-left"), 10) || 0;
  var grace = parseInt(sheet.getAttribute("data-grace"), 10) || 0;
  var end = Date.now() + left * 1000;
  function show() {
    var s = Math.max(0, Math.round((end - Date.now()) / 1000));
    var m = Math.floor(s / 60), r = s % 60;
    clock.textContent = m + ":" + (r < 10 ? "0" : "") + r;
    if (s <= 0) {
      window.clearInterval(tick);
      sheetError.textContent = "作答时间已到，系统将按已保存的答案自动交卷。";
      sheetError.hidden = false;
      window.setTimeout(function () { window.location.reload(); }, (grace + 2) * 1000);
    }
  }
  var tick = window.setInterval(show, 1000);
  show();
})();
