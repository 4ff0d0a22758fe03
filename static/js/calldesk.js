// Call desk (客服) page behaviour: live deadline countdowns, the polled queue, small form
// helpers. No inline scripts (the CSP forbids them): loaded with <script src defer>.
(function () {
  "use strict";

  const IDLE_PAUSE_MS = 25 * 60 * 1000; // stop polling after 25 idle minutes
  let lastActivity = Date.now();
  ["keydown", "mousedown", "mousemove", "touchstart", "scroll"].forEach(function (type) {
    document.addEventListener(type, function () { lastActivity = Date.now(); }, { passive: true });
  });

  // "3:07": hours and minutes, the format the server renders (tickets/templatetags/calldesk.py).
  function duration(ms) {
    const minutes = Math.floor(Math.abs(ms) / 60000);
    return Math.floor(minutes / 60) + ":" + String(minutes % 60).padStart(2, "0");
  }

  function tick() {
    const now = Date.now();
    document.querySelectorAll(".sd-countdown[data-due]").forEach(function (el) {
      const due = Date.parse(el.getAttribute("data-due"));
      if (Number.isNaN(due)) { return; }
      const left = due - now;
      const template = el.getAttribute(left >= 0 ? "data-left" : "data-over") || "%(time)s";
      el.textContent = template.replace("%(time)s", duration(left));
      el.classList.toggle("sd-overdue", left < 0);
    });
  }
  window.setInterval(tick, 30000);

  // The polled queues: skip a poll while nobody has touched the page for a long time, so an
  // unattended desk still signs out after the idle timeout; a poll answered by the sign-in
  // page (session over) reloads the whole page instead of drawing the form in the panel.
  document.addEventListener("htmx:beforeRequest", function (event) {
    const source = event.detail && event.detail.elt;
    if (source && source.matches("[hx-trigger*='every']") &&
        Date.now() - lastActivity > IDLE_PAUSE_MS) {
      event.preventDefault();
    }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    const xhr = event.detail && event.detail.xhr;
    if (xhr && xhr.responseURL && xhr.responseURL.indexOf("/login/") !== -1) {
      event.detail.shouldSwap = false;
      window.location.reload();
    }
  });

  // Fault form: the typed-number fields matter only when no account of ours is picked.
  function syncTypedNumber() {
    const account = document.querySelector(".sd-fault-form select[name='account']");
    const typed = document.querySelector(".sd-fault-form .sd-typed-number");
    if (account && typed) {
      typed.classList.toggle("d-none", account.value !== "");
    }
  }

  // Callback forms: the satisfaction is asked only when the callback passes.
  function syncSatisfaction(form) {
    const result = form.querySelector("input[name='result']:checked, input[name='outcome']:checked");
    const satisfaction = form.querySelector("[name='satisfaction']");
    if (!satisfaction) { return; }
    const box = satisfaction.closest("[class*='col']");
    if (!box) { return; }
    const asked = !result || result.value === "passed" || result.value === "satisfied";
    box.classList.toggle("d-none", !asked);
  }

  document.addEventListener("change", function (event) {
    const target = event.target;
    if (target.matches(".sd-fault-form select[name='account']")) { syncTypedNumber(); }
    if (target.matches("input[name='result'], input[name='outcome']")) {
      syncSatisfaction(target.form);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    syncTypedNumber();
    document.querySelectorAll("form").forEach(function (form) {
      if (form.querySelector("input[name='result'], input[name='outcome']")) {
        syncSatisfaction(form);
      }
    });
    tick();
  });
})();
