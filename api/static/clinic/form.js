// Small enhancements; the form and the result work without JavaScript.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    // Move focus to the error summary so keyboard and screen-reader users land on it.
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
      // A summary link focuses its input (not just scrolls) and shows the input's label too.
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        var input = link && document.getElementById(link.getAttribute("href").slice(1));
        if (!input || !input.focus) { return; }
        event.preventDefault();
        var label = input.closest(".field, .week, fieldset, .checkbox") || input;
        label.scrollIntoView();
        input.focus({ preventScroll: true });
      });
    }

    // Keep every distance label in the unit chosen.
    var units = document.querySelectorAll("input[name='training.unit']");
    units.forEach(function (radio) {
      radio.addEventListener("change", function () {
        document.querySelectorAll("[data-unit]").forEach(function (span) {
          span.textContent = radio.value;
        });
      });
    });

    // The print button needs script, so it stays hidden without it.
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
