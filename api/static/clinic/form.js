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

    // Back from the result keeps every value: the page is never cached (health data), so the
    // browser cannot restore the form itself. What was typed is kept in this tab's sessionStorage
    // (gone when the tab closes) and put back only when the form is reached with Back/Forward.
    var form = document.getElementById("intake-form");
    var KEY = "soleus-intake-form";
    if (form && window.sessionStorage) {
      var navigation = performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
      var saved = sessionStorage.getItem(KEY);
      if (saved && navigation && navigation.type === "back_forward") {
        restore(form, JSON.parse(saved));
      }
      form.addEventListener("submit", function () {
        sessionStorage.setItem(KEY, JSON.stringify(snapshot(form)));
      });
    }
    document.querySelectorAll("[data-new-screening]").forEach(function (link) {
      link.addEventListener("click", function () { if (window.sessionStorage) sessionStorage.removeItem(KEY); });
    });

    // The print button needs script, so it stays hidden without it.
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });

  function snapshot(form) {
    var values = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.type === "submit" || el.type === "hidden") { return; }
      values.push([el.name, el.type === "checkbox" || el.type === "radio" ? el.checked : el.value, el.value]);
    });
    return values;
  }

  function restore(form, values) {
    var seen = {};
    values.forEach(function (entry) {
      var name = entry[0], state = entry[1], value = entry[2];
      var all = form.querySelectorAll("[name='" + name.replace(/'/g, "") + "']");
      var index = seen[name] = (seen[name] || 0);
      var el = all.length > 1 && all[0].type !== "radio" && all[0].type !== "checkbox" ? all[index] : null;
      if (el) { el.value = state; seen[name] = index + 1; return; }
      Array.prototype.forEach.call(all, function (one) {
        if (one.type === "checkbox" || one.type === "radio") { if (one.value === value) one.checked = state; }
        else { one.value = state; }
      });
    });
    var unit = form.querySelector("input[name='training.unit']:checked");
    if (unit) { unit.dispatchEvent(new Event("change")); }
  }
})();
