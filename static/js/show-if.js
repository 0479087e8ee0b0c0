// Fields that belong to one choice of another field, e.g. the receiving side of each
// 转接类型: a control with data-show-if="NAME=VALUE VALUE…" is shown, with its .field,
// only while the form's control NAME has one of those values. Without JavaScript every
// field shows and the server checks what the choice needs. A hidden field keeps its
// value and still posts: the server reads only the fields of the chosen value.
(function () {
  function sync(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (control) {
      var rule = control.getAttribute("data-show-if").split("=");
      var source = form.elements[rule[0]];
      if (!source) return;
      var shown = rule[1].split(" ").indexOf(source.value) !== -1;
      var box = control.closest(".field") || control;
      box.hidden = !shown;
      // .field sets its own display, which would override [hidden]
      box.style.display = shown ? "" : "none";
    });
  }

  document.querySelectorAll("form").forEach(function (form) {
    if (!form.querySelector("[data-show-if]")) return;
    form.addEventListener("change", function () { sync(form); });
    sync(form);
  });
})();
