// Mail-service pages: password strength meter and the mailbox/redirect switch.
// Both are enhancements: the server validates every password and field on its own.
(function () {
  "use strict";

  // Same formula as mailservices.passwords.password_strength (score 0-4).
  function strength(pw) {
    if (!pw) return 0;
    const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter(function (re) { return re.test(pw); }).length;
    const length = Array.from(pw).length;
    let score = 0;
    if (length >= 10) score += 1;
    if (length >= 14) score += 1;
    if (classes >= 3) score += 1;
    if (length >= 18 || (classes === 4 && length >= 12)) score += 1;
    if (new Set(Array.from(pw)).size < 5) score = Math.min(score, 1);
    return score;
  }

  document.querySelectorAll("[data-strength-for]").forEach(function (box) {
    const input = document.getElementById(box.dataset.strengthFor);
    if (!input) return;
    const meter = box.querySelector("meter");
    const label = box.querySelector(".strength-label");
    const labels = (label.dataset.labels || "").split("|");
    box.hidden = false;
    function update() {
      const score = strength(input.value);
      meter.value = score;
      label.textContent = input.value ? labels[score] || "" : "";
    }
    input.addEventListener("input", update);
    update();
  });

  // Show only the fields of the chosen kind (mailbox: password; redirect: destination).
  const radios = document.querySelectorAll('input[name="kind"]');
  function showKind() {
    const checked = document.querySelector('input[name="kind"]:checked');
    if (!checked) return;
    document.querySelectorAll(".kind-mailbox").forEach(function (el) { el.hidden = checked.value !== "mailbox"; });
    document.querySelectorAll(".kind-redirect").forEach(function (el) { el.hidden = checked.value !== "redirect"; });
  }
  radios.forEach(function (radio) { radio.addEventListener("change", showKind); });
  showKind();
})();
