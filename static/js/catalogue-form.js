/*
 * Catalogue form: progressive enhancement. On submit, the empty fields are left out of the
 * query (disabled for the time of the submission), so that the URL carries only the
 * criteria in use: `?axis=1`, not `?q=&axis=1&region=&…`. Without this script the server
 * redirects a URL with empty parameters to its clean form. The territory's scope goes with
 * an empty territory (it means nothing without one).
 */
(function () {
  "use strict";
  var form = document.getElementById("catalogue-form");
  if (!form) return;
  var DEPENDS_ON = { territory_scope: "territory" };
  function isEmpty(name) {
    var field = form.elements.namedItem(name);
    return !field || !("value" in field) || field.value.trim() === "";
  }
  form.addEventListener("submit", function () {
    var emptied = [];
    Array.prototype.forEach.call(form.elements, function (field) {
      var unused = field.name && DEPENDS_ON[field.name] && isEmpty(DEPENDS_ON[field.name]);
      if (field.name && !field.disabled && "value" in field &&
          (field.value.trim() === "" || unused) &&
          field.type !== "submit" && field.type !== "button") {
        field.disabled = true;
        emptied.push(field);
      }
    });
    // Back to the page (bfcache): the fields must be usable again.
    window.setTimeout(function () {
      emptied.forEach(function (field) { field.disabled = false; });
    }, 0);
  });
})();
