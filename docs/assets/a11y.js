// Names Material's search dialog and lets the keyboard reach the tables that scroll sideways
// (axe-core: aria-dialog-name, scrollable-region-focusable). Runs on every page Material renders.
function labelPage() {
  document.querySelectorAll(".md-search").forEach((dialog) => dialog.setAttribute("aria-label", "Search"));
  document.querySelectorAll(".md-typeset__scrollwrap").forEach((wrap, index) => {
    wrap.setAttribute("tabindex", "0");
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", `Table ${index + 1} (scrolls sideways)`);
  });
}
if (typeof document$ !== "undefined") {
  document$.subscribe(labelPage);
} else {
  document.addEventListener("DOMContentLoaded", labelPage);
}
