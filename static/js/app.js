// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Forms with [data-kind-toggle]: hide the elements marked [data-kind="company"] while "individual" is chosen.
  function syncKind(form) {
    var checked = form.querySelector('input[name="kind"]:checked');
    var kind = checked ? checked.value : "company";
    form.querySelectorAll("[data-kind]").forEach(function (el) {
      el.hidden = el.getAttribute("data-kind") !== kind;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-kind-toggle]").forEach(function (form) {
      syncKind(form);
      form.addEventListener("change", function (event) {
        if (event.target.name === "kind") syncKind(form);
      });
    });
  });
})();
