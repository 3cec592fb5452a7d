// The allocation sheet (allocations/sheet.py): the envelope left follows what is typed, and
// a "Save" button on each line saves it in place (htmx). Amounts are whole numbers of cents
// here, never floats. The page works without this file: the form then saves every line at once.
(function () {
  "use strict";

  function digitsOnly(text) {
    return text.replace(/[\s\u00a0\u202f]/g, "");
  }

  // "12", "12,5", "1 200.50" -> cents; "" -> 0; anything else -> null (the server words it).
  function parseCents(text, places) {
    text = digitsOnly(text || "");
    if (text === "") { return 0; }
    var match = /^([0-9]{1,12})(?:[.,]([0-9]*))?$/.exec(text);
    if (!match) { return null; }
    var fraction = match[2] || "";
    if (fraction.length > places) { return null; }
    while (fraction.length < places) { fraction += "0"; }
    return parseInt(match[1], 10) * Math.pow(10, places) + (places ? parseInt(fraction, 10) : 0);
  }

  function splitCents(cents, places) {
    var unit = Math.pow(10, places);
    var whole = String(Math.floor(cents / unit));
    var fraction = places ? String(cents % unit) : "";
    while (fraction.length < places) { fraction = "0" + fraction; }
    return { whole: whole, fraction: fraction };
  }

  // As groups/templatetags/cobudget.money_formatter writes it (430,00 € / €430.00).
  function formatCents(cents, form) {
    var d = form.dataset, places = parseInt(d.places, 10);
    var parts = splitCents(Math.abs(cents), places);
    var whole = parts.whole.replace(/\B(?=(\d{3})+(?!\d))/g, d.thousand);
    var number = whole + (places ? d.decimal + parts.fraction : "");
    var sign = cents < 0 ? "-" : "";
    return d.symbolAfter === "1" ? sign + number + "\u00a0" + d.symbol : sign + d.symbol + number;
  }

  function plain(cents, places) {  // a value for <progress>: "310.00"
    var parts = splitCents(Math.max(cents, 0), places);
    return parts.whole + (places ? "." + parts.fraction : "");
  }

  function refresh(form, announce) {
    var places = parseInt(form.dataset.places, 10);
    var summary = document.getElementById("sheet-summary");
    if (!summary) { return; }
    var envelope = parseCents(summary.dataset.envelope, places);
    var used = parseCents(summary.dataset.elsewhere, places);
    var unsaved = false, unreadable = false;
    form.querySelectorAll("input.sheet-input:not([disabled])").forEach(function (input) {
      var cents = parseCents(input.value, places);
      var line = input.closest(".sheet-line");
      var changed = cents === null || cents !== parseCents(input.dataset.saved, places);
      if (line) { line.classList.toggle("unsaved", changed); }
      unsaved = unsaved || changed;
      if (cents === null) { unreadable = true; } else { used += cents; }
    });
    var left = envelope - used;
    var leftText = formatCents(left, form);
    document.getElementById("sheet-left").textContent = leftText;
    var progress = document.getElementById("sheet-progress");
    if (progress) { progress.value = plain(Math.min(used, envelope), places); }
    var over = document.getElementById("sheet-over");
    over.hidden = left >= 0;
    if (left < 0) { over.textContent = over.dataset.template.replace("{amount}", formatCents(-left, form)); }
    summary.classList.toggle("over", left < 0);
    document.getElementById("sheet-unsaved").hidden = !unsaved;
    if (announce) {
      var status = document.getElementById("sheet-status");
      status.textContent = unreadable ? status.dataset.unreadable : status.dataset.template.replace("{amount}", leftText);
    }
  }

  function reveal(root) {
    root.querySelectorAll(".sheet-line-save").forEach(function (button) { button.hidden = false; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("sheet-form");
    if (!form) { return; }
    reveal(form);
    form.addEventListener("input", function (event) {
      if (event.target.classList.contains("sheet-input")) { refresh(form, false); }
    });
    form.addEventListener("change", function (event) {
      if (event.target.classList.contains("sheet-input")) { refresh(form, true); }
    });
    // A line saved in place comes back with its new figures and the summary (out of band).
    document.body.addEventListener("htmx:afterSettle", function () {
      reveal(form);
      refresh(form, false);
    });
    refresh(form, false);
  });
})();
