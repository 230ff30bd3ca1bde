// Start Swagger UI on the page's container, with the spec URL and settings the page carries.
window.addEventListener("load", function () {
  var container = document.getElementById("swagger-ui-container");
  var config = JSON.parse(container.dataset.config || "{}");
  config.url = container.dataset.specUrl;
  config.dom_id = "#swagger-ui-container";
  window.ui = SwaggerUIBundle(config);
  // Swagger UI marks each operation's responses table a region with no name, so a screen reader meets
  // several alike: name each after its operation ("Responses of POST /v1/screenings").
  new MutationObserver(function () {
    container.querySelectorAll('[role="region"]:not([aria-label])').forEach(function (region) {
      var operation = region.closest(".opblock");
      var method = operation && operation.querySelector(".opblock-summary-method");
      var path = operation && operation.querySelector(".opblock-summary-path");
      var what = /_responses$/.test(region.id) ? "Responses" : "Details";
      var of = method && path ? " of " + method.textContent + " " + path.textContent.replace(/\u200b/g, "") : "";
      region.setAttribute("aria-label", what + of);
    });
  }).observe(container, { childList: true, subtree: true });
});
