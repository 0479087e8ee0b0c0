// Behaviour that templates used to write inline (onclick="…"), which the Content Security
// Policy forbids (zhdj/web/csp.py): a confirmation before a button submits its form
// (data-confirm="问题"), and a print button (data-print).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    var ask = target.closest("[data-confirm]");
    if (ask && !window.confirm(ask.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    if (target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    }
  });
})();
