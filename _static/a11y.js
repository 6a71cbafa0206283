// Accessibility repairs of the theme's markup (sphinx-book-theme / pydata-sphinx-theme,
// myst-nb, sphinxcontrib-bibtex), found by axe-core in tests/test_browser.py.
(function () {
  function repair() {
    // WCAG 2.5.3 "label in name" (axe: label-content-name-mismatch): a control whose
    // aria-label does not contain its visible text ("Search" on a button that shows
    // "Search… Ctrl+K", "Toggle hidden content" on "Show code cell source") is named by
    // what it shows instead, which is what speech-input users say.
    // All reads first, then all writes: removing an attribute between two reads of innerText
    // would make the browser lay the page out again for each control (seconds on a phone).
    var mismatched = Array.from(document.querySelectorAll("button[aria-label], summary[aria-label], a[aria-label]")).filter(function (el) {
      var visible = (el.innerText || "").replace(/\s+/g, " ").trim();
      var label = el.getAttribute("aria-label") || "";
      return visible && label.toLowerCase().indexOf(visible.toLowerCase()) === -1;
    });
    mismatched.forEach(function (el) { el.removeAttribute("aria-label"); });
    // The colour-mode button shows only icons, whose tooltips ("Light", "Dark", "System
    // Settings") axe reads as its visible text: the icons are decoration, "Color mode" names it.
    document.querySelectorAll(".theme-switch-button .theme-switch, .theme-switch-button svg").forEach(function (el) {
      el.removeAttribute("title");
      el.setAttribute("aria-hidden", "true");
      el.querySelectorAll("title").forEach(function (t) { t.remove(); });
    });
    // A role="list" must contain list items (axe: aria-required-children): the
    // bibliography's entries are marked doc-biblioentry, a role deprecated in DPUB-ARIA 1.1.
    document.querySelectorAll('[role="list"] > [role="doc-biblioentry"]').forEach(function (el) {
      el.setAttribute("role", "listitem");
    });
  }
  // Once, after the theme's own handlers of DOMContentLoaded have made their controls. (It
  // used to run again at "load", when Font Awesome swapped its icons in; the icons are inline
  // SVG now, and each pass lays the whole page out: on chapter 13 it was the longest task.)
  function afterTheTheme() { setTimeout(repair, 0); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", afterTheTheme);
  } else {
    afterTheTheme();
  }
})();
