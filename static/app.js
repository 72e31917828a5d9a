// Tributary's page behaviour. No inline scripts anywhere (the CSP forbids
// them): everything hooks in here through data- attributes.
(function () {
  "use strict";

  // Copy buttons: <button data-copy="#element-id">.
  async function copyText(text) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (_) {
      // Older browsers, or clipboard permission refused: select-and-copy.
      const area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      document.body.appendChild(area);
      area.select();
      let ok = false;
      try { ok = document.execCommand("copy"); } catch (_) { ok = false; }
      area.remove();
      return ok;
    }
  }

  document.addEventListener("click", async function (event) {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    const source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) return;
    const text = source.value !== undefined && source.tagName === "INPUT" ? source.value : source.textContent.trim();
    const ok = await copyText(text);
    const label = button.textContent;
    button.textContent = ok ? "Copied" : "Press Ctrl+C to copy";
    if (ok) button.setAttribute("data-copied", "");
    if (!ok) {
      const range = document.createRange();
      range.selectNodeContents(source);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }
    setTimeout(function () {
      button.textContent = label;
      button.removeAttribute("data-copied");
    }, 4000);
  });

  // Confirmation before destructive form submissions: <button data-confirm="…">.
  document.addEventListener("submit", function (event) {
    const submitter = event.submitter;
    const message = submitter && submitter.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // Bulk actions: the bar shows only while rows are selected and says how
  // many; a header checkbox (data-select-all="css of the row boxes")
  // selects every row on the page. Without script the bar simply stays.
  function syncBulkBars(root) {
    (root || document).querySelectorAll(".bulk-bar[data-rows]").forEach(function (bar) {
      const picked = document.querySelectorAll(bar.getAttribute("data-rows") + ":checked").length;
      bar.hidden = picked === 0;
      const count = bar.querySelector("[data-count]");
      if (count) count.textContent = picked === 1 ? "1 selected:" : picked + " selected:";
    });
  }
  document.addEventListener("change", function (event) {
    const all = event.target.closest("[data-select-all]");
    if (all) {
      document.querySelectorAll(all.getAttribute("data-select-all")).forEach(function (box) {
        box.checked = all.checked;
      });
    }
    if (event.target.matches("input[type=checkbox]")) syncBulkBars();
  });
  syncBulkBars();
  document.body.addEventListener("htmx:afterSettle", function () { syncBulkBars(); });

  // Selects that submit their form on change (the store switcher).
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) event.target.form.requestSubmit();
  });

  // Toasts: flash messages sent by htmx responses (HX-Trigger: {"flash": "…"})
  // and error partials retargeted into #toast; both fade after a while.
  let toastTimer = null;
  function scheduleToastClear() {
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () {
      const toast = document.getElementById("toast");
      if (toast) toast.innerHTML = "";
    }, 6000);
  }

  document.body.addEventListener("flash", function (event) {
    const toast = document.getElementById("toast");
    if (!toast) return;
    const p = document.createElement("p");
    p.className = "flash flash-success";
    p.setAttribute("role", "status");
    p.textContent = event.detail.value;
    toast.replaceChildren(p);
    scheduleToastClear();
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "toast") scheduleToastClear();
  });
})();
