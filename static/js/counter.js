// Counter pages (营业受理): only the sections that apply are shown, and the keyboard flow
// is Tab … Enter. The fees themselves are computed by the server (htmx), never here.
(function () {
  "use strict";

  function sync() {
    // <div data-shown-by="id_want_landline">: shown while that checkbox is ticked.
    document.querySelectorAll("[data-shown-by]").forEach(function (section) {
      const box = document.getElementById(section.getAttribute("data-shown-by"));
      if (box) section.hidden = !box.checked;
    });
    // Persons give an ID number, organizations an introduction letter.
    const kind = document.getElementById("id_kind");
    if (kind) {
      document.querySelectorAll("[data-kind]").forEach(function (element) {
        element.hidden = element.getAttribute("data-kind") !== kind.value;
      });
    }
  }

  document.addEventListener("change", function (event) {
    const target = event.target;
    if (target.matches("#id_kind, input[type=checkbox]")) sync();
    // <input data-check-all="orders">: ticks or clears every checkbox named "orders".
    const name = target.getAttribute("data-check-all");
    if (name) {
      document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(
        function (box) { box.checked = target.checked; });
    }
  });

  // In a <form data-enter-submits>, Enter on a checkbox or radio submits too, as it does
  // in a text field (the clerk never needs the mouse). Not while an IME is composing.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing) return;
    const target = event.target;
    const form = target.form;
    if (!form || !form.hasAttribute("data-enter-submits")) return;
    if (target.matches("input[type=checkbox], input[type=radio]")) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  sync();  // the script is deferred: the page is parsed
})();
