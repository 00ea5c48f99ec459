// Back-office enhancements; every page works without this file.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // The queue: "select all" and the number of selected rows on the bulk button.
    // The queue: "select all" and the number of selected rows on the bulk button. The checkboxes sit in the table
    // and belong to the form through their form="bulk-form" attribute, hence form.elements.
    document.querySelectorAll("form[data-bulk-form]").forEach(function (form) {
      var all = null;
      var boxes = function () {
        return Array.prototype.filter.call(form.elements, function (el) {
          if (el.hasAttribute("data-select-all")) all = el;
          return el.name === "request_ids";
        });
      };
      var counter = form.querySelector("[data-selected-count]");
      var sync = function () {
        var list = boxes();
        var checked = list.filter(function (box) {
          return box.checked;
        }).length;
        if (counter) counter.textContent = String(checked);
        if (all) {
          all.checked = checked > 0 && checked === list.length;
          all.indeterminate = checked > 0 && checked < list.length;
        }
      };
      sync();
      document.addEventListener("change", function (event) {
        var target = event.target;
        if (target.form !== form) return;
        if (target.hasAttribute("data-select-all")) {
          boxes().forEach(function (box) {
            box.checked = target.checked;
          });
        }
        sync();
      });
    });
    // The mailing form: the courier's name only when the courier is "other".
    document.querySelectorAll("form[data-courier-form]").forEach(function (form) {
      var courier = form.querySelector('select[name="courier"]');
      var nameField = form.querySelector("#field-courier_name");
      if (!courier || !nameField) return;
      var sync = function () {
        nameField.hidden = courier.value !== "other";
      };
      courier.addEventListener("change", sync);
      sync();
    });
    // Print buttons.
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  });
})();
