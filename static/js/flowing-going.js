// 外出登记: shows the paper the county's rules give for the dates and facts typed, asked
// of the server (flowing:paper-hint), so the rule lives in one place. Without script the
// form still works: the server refuses the wrong paper with the rule's reason.
(function () {
  "use strict";
  function init() {
    var form = document.querySelector("[data-testid=going-form]");
    var hint = document.querySelector("[data-testid=paper-hint]");
    if (!form || !hint) return;
    var names = ["starts_on", "ends_on", "destination_code", "settled", "returns_often"];
    function value(name) {
      var el = form.elements[name];
      if (!el) return "";
      if (el.type === "checkbox") return el.checked ? "on" : "";
      return el.value || "";
    }
    function update() {
      var params = new URLSearchParams();
      names.forEach(function (n) { var v = value(n); if (v) params.set(n, v); });
      fetch(form.dataset.hintUrl + "?" + params.toString(), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (text) { if (text) hint.textContent = text; })
        .catch(function () {});
    }
    names.forEach(function (n) {
      var el = form.elements[n];
      if (!el) return;
      el.addEventListener("change", update);
      if (el.type === "date") el.addEventListener("input", update);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
