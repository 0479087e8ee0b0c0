// Type-to-search pickers (zhdj.web.forms.SearchSelect): a <select data-search-url> sent
// with only the blank and the chosen option becomes a search box (ARIA combobox). The
// <select> stays in the form, hidden, and keeps the chosen value(s) as its only options,
// so the form posts exactly what a plain <select> would and its validation is unchanged.
// Without JavaScript the <select> itself still works with the chosen value.
(function () {
  var TEXT = {
    loading: "正在搜索…",
    empty: "没有找到匹配的结果",
    error: "搜索失败，请稍后重试",
    more: "仅显示前 20 条，请输入更多文字缩小范围",
    remove: "移除",
  };
  var seq = 0;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function enhance(select) {
    if (select.dataset.picker) return;
    select.dataset.picker = "1";
    var multiple = select.multiple;
    var n = ++seq;
    var listId = "picker-list-" + n;
    var wrap = el("div", "picker" + (multiple ? " picker--multiple" : ""));
    var chips = multiple ? el("ul", "picker__chips") : null;
    var input = el("input", "picker__input");
    var list = el("ul", "picker__list");
    var status = el("div", "picker__status");
    input.type = "text";
    input.autocomplete = "off";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.placeholder = select.dataset.placeholder || "输入文字搜索";
    if (select.required) input.setAttribute("aria-required", "true");
    if (select.getAttribute("aria-describedby")) {
      input.setAttribute("aria-describedby", select.getAttribute("aria-describedby"));
    }
    if (select.getAttribute("aria-invalid")) input.setAttribute("aria-invalid", "true");
    list.id = listId;
    list.setAttribute("role", "listbox");
    list.hidden = true;
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    // The label names the box the user types in; the <select> keeps its id and name.
    if (select.id) {
      input.id = select.id + "_search";
      document.querySelectorAll('label[for="' + select.id + '"]').forEach(function (l) {
        l.htmlFor = input.id;
      });
    }
    // A hidden <select required> would block the submit without a visible message; the
    // server says what is missing instead.
    select.required = false;
    select.hidden = true;
    select.tabIndex = -1;
    select.parentNode.insertBefore(wrap, select);
    if (chips) wrap.appendChild(chips);
    wrap.appendChild(input);
    wrap.appendChild(list);
    wrap.appendChild(status);
    wrap.appendChild(select);

    var results = [];
    var active = -1;
    var timer = null;
    var controller = null;

    function chosenOptions() {
      return Array.prototype.filter.call(select.options, function (o) {
        return o.value !== "" && o.selected;
      });
    }
    function chosenLabel() {
      var o = chosenOptions()[0];
      return o ? o.textContent : "";
    }
    function renderChips() {
      if (!chips) return;
      chips.replaceChildren();
      chosenOptions().forEach(function (o) {
        var li = el("li", "picker__chip", o.textContent);
        var x = el("button", "picker__remove", "×");
        x.type = "button";
        x.setAttribute("aria-label", TEXT.remove + " " + o.textContent);
        x.addEventListener("click", function () {
          o.remove();
          renderChips();
          select.dispatchEvent(new Event("change", { bubbles: true }));
          input.focus();
        });
        li.appendChild(x);
        chips.appendChild(li);
      });
    }
    function setOpen(open) {
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      if (!open) {
        active = -1;
        input.removeAttribute("aria-activedescendant");
      }
    }
    function highlight(i) {
      var items = list.querySelectorAll("[role=option]");
      items.forEach(function (li, k) {
        li.setAttribute("aria-selected", k === i ? "true" : "false");
      });
      active = i;
      if (i >= 0 && items[i]) {
        input.setAttribute("aria-activedescendant", items[i].id);
        items[i].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function say(text) {
      status.textContent = text || "";
      status.hidden = !text;
    }
    function show(data) {
      if (document.activeElement !== input) return say(""); // answered after leaving
      results = data.results || [];
      list.replaceChildren();
      results.forEach(function (r, i) {
        var li = el("li", "picker__option");
        li.id = listId + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.appendChild(el("span", "picker__name", r.name || r.label));
        if (r.detail) li.appendChild(el("span", "picker__detail", r.detail));
        // Keep the focus in the box on a click or a tap; pick on the click.
        li.addEventListener("mousedown", function (e) { e.preventDefault(); });
        li.addEventListener("click", function () { pick(i); });
        list.appendChild(li);
      });
      say(results.length ? (data.more ? TEXT.more : "") : TEXT.empty);
      setOpen(results.length > 0);
      if (results.length) highlight(0);
    }
    function search() {
      if (controller) controller.abort();
      controller = typeof AbortController === "function" ? new AbortController() : null;
      var url = select.dataset.searchUrl;
      // The chosen value's own label is not a search: list what there is to choose.
      var q = !multiple && input.value === chosenLabel() ? "" : input.value.trim();
      url += (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(q);
      say(TEXT.loading);
      fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined,
      })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(show)
        .catch(function (e) {
          if (e && e.name === "AbortError") return;
          setOpen(false);
          say(TEXT.error);
        });
    }
    function later() {
      // What is listed answers the old text: never let Enter pick from it.
      if (controller) controller.abort();
      setOpen(false);
      say(TEXT.loading);
      clearTimeout(timer);
      timer = setTimeout(search, 180);
    }
    function pick(i) {
      var r = results[i];
      if (!r) return;
      var value = String(r.id);
      var existing = Array.prototype.find.call(select.options, function (o) {
        return o.value === value;
      });
      if (!multiple) {
        Array.prototype.slice.call(select.options).forEach(function (o) {
          if (o.value !== "") o.remove();
        });
        existing = null;
      }
      if (!existing) {
        existing = new Option(r.label, value, true, true);
        select.add(existing);
      }
      existing.selected = true;
      input.value = multiple ? "" : r.label;
      renderChips();
      setOpen(false);
      say("");
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function settle() {
      // Leaving the box: an emptied single picker clears its value; anything else typed
      // without picking goes back to the chosen value's label.
      if (multiple) {
        input.value = "";
      } else if (input.value.trim() === "") {
        if (select.value !== "") {
          select.value = "";
          select.dispatchEvent(new Event("change", { bubbles: true }));
        }
      } else {
        input.value = chosenLabel();
      }
      setOpen(false);
      say("");
    }

    input.value = multiple ? "" : chosenLabel();
    renderChips();
    say("");

    input.addEventListener("focus", function () {
      if (!multiple && input.value === chosenLabel()) input.select();
    });
    input.addEventListener("click", function () {
      if (list.hidden) search();
    });
    input.addEventListener("input", function (e) {
      if (e.isComposing) return; // wait for the IME to give the characters
      later();
    });
    input.addEventListener("compositionend", later);
    input.addEventListener("keydown", function (e) {
      var open = !list.hidden;
      if (e.key === "ArrowDown" || e.key === "Down") {
        e.preventDefault();
        if (!open) search();
        else highlight(Math.min(active + 1, results.length - 1));
      } else if (e.key === "ArrowUp" || e.key === "Up") {
        e.preventDefault();
        if (open) highlight(Math.max(active - 1, 0));
      } else if (e.key === "Enter") {
        if (open && active >= 0) {
          e.preventDefault(); // pick, do not submit the form
          pick(active);
        }
      } else if (e.key === "Escape" || e.key === "Esc") {
        if (open) {
          e.preventDefault();
          setOpen(false);
          say("");
        }
      } else if (e.key === "Backspace" && multiple && input.value === "") {
        var last = chosenOptions().pop();
        if (last) {
          last.remove();
          renderChips();
          select.dispatchEvent(new Event("change", { bubbles: true }));
        }
      }
    });
    input.addEventListener("blur", function () {
      clearTimeout(timer);
      settle();
    });
  }

  function init(root) {
    (root || document).querySelectorAll("select[data-search-url]").forEach(enhance);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(); });
  } else {
    init();
  }
  document.addEventListener("htmx:load", function (e) { init(e.target); });
})();
