// Organization pickers sent with only the chosen option (zhdj.web.forms.LazyOptionsSelect):
// fill them from data-options-url, which carries the tree version, so the browser's
// cache answers until an organization changes.
(function () {
  function fill(select) {
    var url = select.dataset.optionsUrl;
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        var chosen = select.value;
        var blank = select.querySelector('option[value=""]');
        var frag = document.createDocumentFragment();
        if (blank) frag.appendChild(blank);
        data.options.forEach(function (o) {
          var opt = document.createElement("option");
          opt.value = String(o[0]);
          opt.textContent = "\u3000".repeat(Math.max(o[2] - 1, 0)) + o[1];
          if (opt.value === chosen) opt.selected = true;
          frag.appendChild(opt);
        });
        select.replaceChildren(frag);
        select.dataset.loaded = "1";
      })
      .catch(function () { select.dataset.loaded = "error"; });
  }
  function init() {
    document.querySelectorAll("select[data-options-url]").forEach(fill);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
