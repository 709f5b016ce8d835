// Small progressive enhancements; every flow works without this file.
(function () {
  "use strict";

  // Copy buttons: <button data-copy="text"> or data-copy-target="#id".
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-copy], [data-copy-target]");
    if (!button) return;
    let text = button.dataset.copy;
    if (!text && button.dataset.copyTarget) {
      const target = document.querySelector(button.dataset.copyTarget);
      text = target ? (target.value || target.textContent).trim() : "";
    }
    if (!text || !navigator.clipboard) return;
    navigator.clipboard.writeText(text).then(function () {
      const label = button.textContent;
      button.textContent = button.dataset.copiedLabel || "✓";
      setTimeout(function () { button.textContent = label; }, 1500);
    });
  });

  // Close the account menu with Escape or a click elsewhere.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details[open].account-menu, details[open].dropdown").forEach(function (d) {
      d.removeAttribute("open");
      const summary = d.querySelector("summary");
      if (summary) summary.focus();
    });
  });
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details[open].account-menu, details[open].dropdown").forEach(function (d) {
      if (!d.contains(event.target)) d.removeAttribute("open");
    });
  });

  // htmx does not swap error answers: a per-client limit (429) says why in the messages area.
  document.addEventListener("htmx:responseError", function (event) {
    const xhr = event.detail.xhr;
    const area = document.getElementById("messages");
    if (!xhr || xhr.status !== 429 || !area) return;
    const message = document.createElement("div");
    message.className = "message message-warning";
    message.setAttribute("role", "alert");
    message.textContent = xhr.responseText;
    area.replaceChildren(message);
  });

  // Language switch submits on change (the button stays for keyboard and no-JS users).
  document.addEventListener("change", function (event) {
    if (event.target.id === "lang-select") event.target.form.submit();
  });
})();
