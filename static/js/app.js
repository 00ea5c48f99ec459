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
  // Tooltips (the invoiceable formula): CSS shows them on hover and focus; a tap toggles them too, for touch
  // browsers that do not focus on tap, and Escape or a tap elsewhere closes them.
  function closeTooltips(except) {
    document.querySelectorAll(".tooltip.is-open").forEach(function (tip) {
      if (tip !== except) tip.classList.remove("is-open");
    });
  }
  document.addEventListener("click", function (event) {
    var tip = event.target.closest ? event.target.closest(".tooltip") : null;
    closeTooltips(tip);
    if (tip) tip.classList.toggle("is-open");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeTooltips(null);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-kind-toggle]").forEach(function (form) {
      syncKind(form);
      form.addEventListener("change", function (event) {
        if (event.target.name === "kind") syncKind(form);
      });
    });
  });
})();
