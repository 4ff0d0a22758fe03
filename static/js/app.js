// servicedesk page behaviour. No inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";

  // "/" jumps to the header search box, as in most staff tools.
  document.addEventListener("keydown", function (event) {
    const target = event.target;
    const typing = target.closest("input, textarea, select, [contenteditable]");
    if (event.key === "/" && !typing) {
      const box = document.getElementById("global-search");
      if (box) {
        event.preventDefault();
        box.focus();
        box.select();
      }
    }
  });

  document.addEventListener("submit", function (event) {
    const form = event.target;
    // Irreversible actions ask first: <form data-confirm="…">, or <button data-confirm="…">
    // when only one of the form's buttons is irreversible (the button's question wins).
    const button = event.submitter;
    const question = (button && button.getAttribute("data-confirm")) ||
      form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    // A double click submits once: buttons marked data-once are disabled after submit.
    form.querySelectorAll("button[data-once]").forEach(function (button) {
      window.setTimeout(function () { button.disabled = true; }, 0);
    });
  });
})();
