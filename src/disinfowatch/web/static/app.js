// Keyboard shortcuts of the review queue, written for disinfowatch. No inline scripts: the
// Content-Security-Policy allows scripts from this site only.
(function () {
  "use strict";
  function cards() { return Array.prototype.slice.call(document.querySelectorAll("li.alert")); }
  function current() {
    var active = document.activeElement;
    return active && active.closest ? active.closest("li.alert") : null;
  }
  function move(step) {
    var all = cards();
    if (!all.length) { return; }
    var index = all.indexOf(current());
    var next = all[Math.max(0, Math.min(all.length - 1, index < 0 ? 0 : index + step))];
    next.focus();
    next.scrollIntoView({block: "nearest"});
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) { return; }
    var card = current();
    var key = event.key;
    if (key === "j") { move(1); event.preventDefault(); }
    else if (key === "k") { move(-1); event.preventDefault(); }
    else if (card && (key === "c" || key === "d")) {
      var button = card.querySelector('[data-key="' + key + '"]');
      if (button && !button.disabled) { button.click(); event.preventDefault(); }
    } else if (card && key === "m") {
      var select = card.querySelector('select[data-key="m"]');
      if (select) { select.focus(); event.preventDefault(); }
    } else if (card && key === "o") {
      var link = card.querySelector("a[data-open]");
      if (link) { window.location.href = link.href; event.preventDefault(); }
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var swapped = event.detail && event.detail.elt;
    if (swapped && swapped.matches && swapped.matches("li.alert")) { swapped.focus(); }
  });
})();
