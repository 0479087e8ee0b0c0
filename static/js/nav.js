// Rows that scroll sideways on a phone (the main menu, a page's tabs; app.css): bring the
// current item into view, so a branch secretary on 关系转接 sees it highlighted instead of
// the first four items. Only the row scrolls, never the page.
(function () {
  "use strict";
  document.querySelectorAll("nav.sidenav, nav.tabs").forEach(function (row) {
    if (row.scrollWidth <= row.clientWidth) return;
    var current = row.querySelector("a[aria-current=page]");
    if (!current) return;
    var item = current.getBoundingClientRect();
    var box = row.getBoundingClientRect();
    // Centred, so the neighbours on both sides show that the row goes on.
    row.scrollLeft += item.left - box.left - (box.width - item.width) / 2;
  });
})();
